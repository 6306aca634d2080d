import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ExtensionLoadError } from '../../src/core/index.ts';
import { loadCommands } from '../../src/discord/index.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/commands/', import.meta.url));
const VALID =
  "export default { data: { name: 'NAME', toJSON: () => ({ name: 'NAME', description: 'd' }) }, execute: async () => ({ embeds: [] }) };\n";

describe('loadCommands', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsbot-commands-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads every command file of a directory, sorted by file name', async () => {
    const commands = await loadCommands(FIXTURES);
    assert.deepEqual(
      commands.map((c) => c.data.name),
      ['boom', 'ping', 'slow'],
    );
    assert.equal(commands[1]?.data.toJSON().name, 'ping');
  });

  it('names the file whose default export is not a command', async () => {
    const bad = join(dir, 'broken.ts');
    await writeFile(bad, "export default { data: { name: 'broken' } };\n");
    await assert.rejects(loadCommands(dir), (error: unknown) => {
      assert.ok(error instanceof ExtensionLoadError);
      assert.equal(error.file, bad);
      assert.match(
        error.message,
        /broken\.ts: not a valid command: `data` has no toJSON\(\) \(use SlashCommandBuilder\)/,
      );
      return true;
    });
    await rm(bad);
  });

  it('names the file that reuses a command name, and ignores non-code files', async () => {
    await writeFile(join(dir, 'a.ts'), VALID.replaceAll('NAME', 'dup'));
    await writeFile(join(dir, 'b.ts'), VALID.replaceAll('NAME', 'dup'));
    await writeFile(join(dir, 'README.md'), '# not a command\n');
    await assert.rejects(loadCommands(dir), /b\.ts: command name "dup" is already used by .*a\.ts/);
    await rm(join(dir, 'b.ts'));
    const loaded = await loadCommands(dir);
    assert.deepEqual(
      loaded.map((c) => c.data.name),
      ['dup'],
    );
  });

  it('reports a file that fails to import, and a missing default export', async () => {
    await writeFile(join(dir, 'c.ts'), 'export const notDefault = 1;\n');
    await assert.rejects(
      loadCommands(dir),
      /c\.ts: has no default export \(expected export default defineCommand\(\{ … \}\)\)/,
    );
    await rm(join(dir, 'c.ts'));
    // A new name: the module cache would hand back the first c.ts.
    await writeFile(join(dir, 'e.ts'), "throw new Error('top-level failure');\n");
    await assert.rejects(loadCommands(dir), /e\.ts: failed to import: top-level failure/);
    await rm(join(dir, 'e.ts'));
  });
});

describe('a command file checked by shape', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsbot-command-shapes-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cases: readonly (readonly [string, string, RegExp])[] = [
    [
      'typo.ts',
      VALID.replaceAll('NAME', 'typo').replace('execute:', 'exec:'),
      /typo\.ts: not a valid command: `execute` is missing/,
    ],
    [
      'access.ts',
      VALID.replaceAll('NAME', 'acc').replace('export default {', "export default { access: 'everyone',"),
      /access\.ts: not a valid command: `access` must be 'ops' or 'public', got "everyone"/,
    ],
    [
      'extra.ts',
      VALID.replaceAll('NAME', 'extra').replace('export default {', 'export default { guildOnly: true,'),
      /extra\.ts: not a valid command: unknown key `guildOnly` \(a command may have: access, data, execute, autocomplete\)/,
    ],
    [
      'factory.ts',
      'export default () => ({});\n',
      /factory\.ts: not a valid command: is a function; export the command itself/,
    ],
    [
      'nameless.ts',
      'export default { data: { toJSON() {} }, execute() {} };\n',
      /nameless\.ts: .*`data` has no name/,
    ],
  ];
  for (const [file, source, expected] of cases) {
    it(`refuses ${file}, naming it and the problem`, async () => {
      await writeFile(join(dir, file), source);
      try {
        await assert.rejects(loadCommands(dir), expected);
      } finally {
        await rm(join(dir, file));
      }
    });
  }

  it('skips files whose name starts with _ or ., and declaration files', async () => {
    await writeFile(join(dir, '_shared.ts'), 'export const helper = 1;\n');
    await writeFile(join(dir, '.draft.ts'), 'throw new Error("never imported");\n');
    await writeFile(join(dir, 'types.d.ts'), 'export type X = 1;\n');
    await writeFile(join(dir, 'ok.ts'), VALID.replaceAll('NAME', 'ok'));
    assert.deepEqual(
      (await loadCommands(dir)).map((c) => c.data.name),
      ['ok'],
    );
  });

  it('names a missing commands folder', async () => {
    await assert.rejects(loadCommands(join(dir, 'nope')), /nope: cannot read the command folder: ENOENT/);
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CommandLoadError, loadCommands } from '../../src/discord/load-commands.ts';

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
      assert.ok(error instanceof CommandLoadError);
      assert.equal(error.file, bad);
      assert.match(error.message, /broken\.ts: `data` has no toJSON\(\)/);
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
    await assert.rejects(loadCommands(dir), /c\.ts: has no default export object/);
    await rm(join(dir, 'c.ts'));
    // A new name: the module cache would hand back the first c.ts.
    await writeFile(join(dir, 'e.ts'), "throw new Error('top-level failure');\n");
    await assert.rejects(loadCommands(dir), /e\.ts: failed to import: top-level failure/);
    await rm(join(dir, 'e.ts'));
  });
});

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ExtensionLoadError } from '../../src/core/index.ts';
import { loadConfig, startBot } from '../../src/discord/index.ts';
import { type Emulator, startEmulator } from '../support/emulator/index.ts';
import { freshDirs } from '../support/fresh-dirs.ts';
import { readJsonLines } from '../support/log-schema.ts';
import { copyProject, type ProjectCopy } from '../support/project-copy.ts';
import { BOT_TOKEN, runMain } from '../support/running-bot.ts';

const CORE = pathToFileURL(new URL('../../src/core/index.ts', import.meta.url).pathname).href;

describe('npm start with a malformed file in an extension folder', () => {
  let project: ProjectCopy;
  let emulator: Emulator;
  before(async () => {
    project = copyProject();
    emulator = await startEmulator();
  });
  after(async () => {
    await emulator.close();
    project.remove();
  });

  const start = (logFile: string) =>
    runMain(
      {
        DISCORD_TOKEN: BOT_TOKEN,
        DISCORD_API_URL: emulator.apiUrl,
        DISCORD_GUILD_ID: emulator.ids.guildId,
        LOG_FILE: logFile,
      },
      { entry: project.main, cwd: project.root, timeoutMs: 30_000 },
    );

  it('exits 78 before connecting, naming the file and the problem on stderr and in the log', async () => {
    const file = join(project.dir('components'), 'database.ts');
    writeFileSync(
      file,
      `import { defineComponent } from '../src/core/index.ts';

export default defineComponent({
  name: 'database',
  timeout: 5_000,
  async start() {},
});
`,
    );
    const logFile = join(mkdtempSync(join(tmpdir(), 'ext-78-')), 'bot.jsonl');
    const run = await start(logFile);
    assert.equal(run.code, 78, run.stderr);
    assert.equal(
      run.stderr.split('\n')[0],
      `extension error: ${file}: not a valid component: unknown key \`timeout\` (did you mean \`timeoutMs\`?)`,
    );
    const failed = readJsonLines(logFile).find((l) => l.event === 'extension_load_failed');
    assert.ok(failed, 'extension_load_failed is logged');
    assert.equal(failed.level, 'CRITICAL');
    assert.equal((failed.detail as { file?: string }).file, file);
    assert.deepEqual(
      emulator.requestLog().filter((r) => r.path === '/gateway/bot'),
      [],
      'no connection to Discord',
    );
    assert.ok(!(run.stdout + run.stderr).includes(BOT_TOKEN));
  });

  it('exits 78 on a task whose cron expression is wrong', async () => {
    rmSync(join(project.dir('components'), 'database.ts'));
    const file = join(project.dir('tasks'), 'nightly.ts');
    writeFileSync(
      file,
      `import { defineTask } from '../src/core/index.ts';

export default defineTask({ name: 'nightly', cron: 'every night', run() {} });
`,
    );
    const run = await start(join(mkdtempSync(join(tmpdir(), 'ext-78-')), 'bot.jsonl'));
    assert.equal(run.code, 78, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(`^extension error: ${file}: not a valid task: invalid cron expression 'every night'`),
    );
  });
});

describe('startBot refuses a file it cannot use, naming it and the problem', () => {
  const dirs = freshDirs('ext-errors');
  const config = () => {
    const result = loadConfig({
      DISCORD_TOKEN: BOT_TOKEN,
      DISCORD_GUILD_ID: '100000000000000001',
      DISCORD_API_URL: 'http://127.0.0.1:9',
      LOG_FILE: join(dirs(), 'bot.jsonl'),
    });
    assert.ok(result.ok);
    return result.config;
  };

  /** Folder → file name → source; each case gets its own folders. */
  const CASES: readonly (readonly [string, Readonly<Record<string, string>>, RegExp])[] = [
    [
      'a check without its check',
      { 'checks/api.ts': `export default { name: 'api', timeoutMs: 500 };` },
      /checks\/api\.ts: not a valid health check: `check` is missing$/,
    ],
    [
      'a component depending on one that does not exist',
      {
        'components/db.ts': `export default { name: 'db', dependencies: ['postgres'], start() {} };`,
      },
      /components\/db\.ts: component 'db' depends on unknown component 'postgres'$/,
    ],
    [
      'a component taking the name of one of the bot’s own',
      { 'components/gateway.ts': `export default { name: 'discord_gateway', start() {} };` },
      /components\/gateway\.ts: component 'discord_gateway' is declared twice$/,
    ],
    [
      'a critical component depending on a non-critical one',
      {
        'components/cache.ts': `export default { name: 'cache', critical: false, start() {} };`,
        'components/orders.ts': `export default { name: 'orders', dependencies: ['cache'], start() {} };`,
      },
      /components\/orders\.ts: critical component 'orders' depends on non-critical 'cache'/,
    ],
    [
      'a component and a check of the same name',
      {
        'components/queue.ts': `export default { name: 'queue', start() {} };`,
        'checks/queue.ts': `export default { name: 'queue', check() {} };`,
      },
      /checks\/queue\.ts: component name "queue" is already used by .*components\/queue\.ts$/,
    ],
    [
      'a task taking the name of one of the core’s',
      { 'tasks/checks.ts': `export default { name: 'health_checks', every: 1000, run() {} };` },
      /tasks\/checks\.ts: task name "health_checks" is taken by one of the core's own tasks$/,
    ],
    [
      'a task with both every and cron',
      { 'tasks/both.ts': `export default { name: 'both', every: 1000, cron: '* * * * *', run() {} };` },
      /tasks\/both\.ts: not a valid task: has both `every` \(1000\) and `cron`: choose one$/,
    ],
    [
      'a factory that throws',
      {
        'components/boom.ts': `export default () => { throw new Error('no DATABASE_URL'); };`,
      },
      /components\/boom\.ts: its factory threw: no DATABASE_URL$/,
    ],
    [
      'a file that does not parse',
      { 'tasks/broken.ts': 'export default {' },
      /tasks\/broken\.ts: failed to import: /,
    ],
    [
      'a retry with a negative attempt count',
      { 'components/flaky.ts': `export default { name: 'flaky', retry: { attempts: -1 }, start() {} };` },
      /components\/flaky\.ts: not a valid component: `retry\.attempts` must be a whole number of at least 1, got -1$/,
    ],
  ];

  for (const [label, files, expected] of CASES) {
    it(label, async () => {
      const root = dirs();
      for (const folder of ['components', 'tasks', 'checks']) mkdirSync(join(root, folder));
      for (const [file, source] of Object.entries(files)) writeFileSync(join(root, file), source);
      await assert.rejects(
        startBot(config(), {
          console: false,
          componentsDir: join(root, 'components'),
          tasksDir: join(root, 'tasks'),
          checksDir: join(root, 'checks'),
        }),
        (error: unknown) => {
          assert.ok(error instanceof ExtensionLoadError, String(error));
          assert.match(error.message, expected);
          return true;
        },
      );
    });
  }

  it('a factory gets the log file and a logger, and a helper file starting with _ is not loaded', async () => {
    const root = dirs();
    mkdirSync(join(root, 'components'));
    writeFileSync(
      join(root, 'components', '_shared.ts'),
      `throw new Error('a helper is never loaded on its own');`,
    );
    writeFileSync(
      join(root, 'components', 'probe.ts'),
      `import { defineComponent } from '${CORE}';
export default defineComponent(({ logFile }) => {
  if (!logFile?.endsWith('bot.jsonl')) throw new Error('no log file: ' + logFile);
  return { name: 'probe', dependencies: ['nothing_here'], start() {} };
});`,
    );
    // The factory ran (it saw the log file); the unknown dependency then names the file.
    await assert.rejects(
      startBot(config(), { console: false, componentsDir: join(root, 'components') }),
      /components\/probe\.ts: component 'probe' depends on unknown component 'nothing_here'$/,
    );
  });
});

import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../support/free-port.ts';
import { readJsonLines } from '../support/log-schema.ts';
import { copyProject, type ProjectCopy } from '../support/project-copy.ts';
import { type RunningBot, startRunningBot } from '../support/running-bot.ts';
import { until } from '../support/until.ts';

/** What a maintainer drops into the folders of their copy: one file of each kind. */
const DROPPED = {
  'commands/hello.ts': `import { SlashCommandBuilder } from 'discord.js';
import { defineCommand } from '../src/discord/index.ts';

export default defineCommand({
  data: new SlashCommandBuilder().setName('hello').setDescription('Says hello to an ops admin'),
  async execute(interaction) {
    return { embeds: [{ description: \`Hello, \${interaction.user.username}!\` }] };
  },
});
`,
  'components/warehouse.ts': `import { defineComponent } from '../src/core/index.ts';

export default defineComponent(({ log }) => ({
  name: 'warehouse',
  critical: false,
  timeoutMs: 2_000,
  async start() {
    log.info('warehouse_open', 'The warehouse is open');
  },
  async stop() {
    log.info('warehouse_closed', 'The warehouse is closed');
  },
  healthCheck() {},
}));
`,
  'tasks/ticker.ts': `import { defineTask } from '../src/core/index.ts';

export default defineTask({
  name: 'ticker',
  every: 200,
  runAtStart: true,
  heartbeatMs: 1_000,
  timeoutMs: 1_000,
  run() {},
});
`,
  'checks/upstream.ts': `import { existsSync } from 'node:fs';
import { defineHealthCheck } from '../src/core/index.ts';

const DOWN = new URL('../upstream.down', import.meta.url);

export default defineHealthCheck({
  name: 'upstream',
  timeoutMs: 1_000,
  check() {
    if (existsSync(DOWN)) throw new Error('upstream answers 503');
  },
});
`,
} as const;

/** The text of an embed reply, markdown escapes dropped (`log\\_disk` reads `log_disk`). */
const text = (embeds: readonly unknown[]): string => JSON.stringify(embeds).replaceAll('\\', '');

/** The value of the sample `name{labels…}` in Prometheus text, undefined when absent. */
function sample(body: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of body.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const set = match[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) return Number(match[3]);
  }
  return undefined;
}

describe('a command, a component, a task and a check dropped into a copy of the project', () => {
  let project: ProjectCopy;
  let run: RunningBot;
  let port: number;
  before(async () => {
    project = copyProject();
    for (const [file, source] of Object.entries(DROPPED)) writeFileSync(join(project.root, file), source);
    port = await freePort();
    run = await startRunningBot({
      commandsDir: project.dir('commands'),
      componentsDir: project.dir('components'),
      tasksDir: project.dir('tasks'),
      checksDir: project.dir('checks'),
      env: {
        OBS_ENABLE_PROMETHEUS: 'true',
        PROMETHEUS_HOST: '127.0.0.1',
        PROMETHEUS_PORT: String(port),
        OBS_HEALTHCHECK_INTERVAL_MS: '1000',
      },
    });
    await run.emulator.waitForGateway();
  });
  after(async () => {
    await run.close();
    project.remove();
  });

  it('starts ready, with the new component and check (and the shipped examples) in /startup', async () => {
    assert.equal((await run.bot.started).report.outcome, 'ready');
    const reply = await run.emulator.invokeCommand({ name: 'startup', user: 'admin' }).settled(10_000);
    const seen = text(reply.embeds);
    for (const name of ['warehouse', 'upstream', 'log_disk', 'temp_dir', 'discord_gateway']) {
      assert.ok(seen.includes(name), `${name} in /startup: ${seen.slice(0, 600)}`);
    }
  });

  it('shows them in /health, and the new task (and the shipped one) in /tasks', async () => {
    const health = text(
      (await run.emulator.invokeCommand({ name: 'health', user: 'admin' }).settled(10_000)).embeds,
    );
    for (const name of ['warehouse', 'upstream', 'log_disk', 'temp_dir']) {
      assert.ok(health.includes(name), `${name} in /health`);
    }
    const tasks = text(
      (await run.emulator.invokeCommand({ name: 'tasks', user: 'admin' }).settled(10_000)).embeds,
    );
    for (const name of ['ticker', 'log_folder_size', 'health_checks']) {
      assert.ok(tasks.includes(name), `${name} in /tasks: ${tasks.slice(0, 600)}`);
    }
  });

  it('answers the new command for an admin and refuses it to a plain member (ops by default)', async () => {
    const admin = await run.emulator.invokeCommand({ name: 'hello', user: 'admin' }).settled(10_000);
    assert.equal(admin.ephemeral, true);
    assert.match(text(admin.embeds), /Hello, admin!/);
    const member = await run.emulator.invokeCommand({ name: 'hello', user: 'member' }).settled(10_000);
    assert.match(text(member.embeds), /Not allowed/);
    assert.doesNotMatch(text(member.embeds), /Hello/);
  });

  it('exposes each of them in /metrics like the built-in ones', async () => {
    await until(
      () => run.bot.manager.tasks.snapshot().find((t) => t.name === 'ticker' && t.runs >= 2),
      5_000,
      'two runs of the ticker',
    );
    const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const component of ['warehouse', 'upstream', 'log_disk', 'temp_dir']) {
      assert.equal(sample(body, 'bot_component_state', { component, state: 'ready' }), 1, component);
      assert.ok(
        sample(body, 'bot_component_startup_duration_seconds', { component }) !== undefined,
        `${component}'s start duration`,
      );
    }
    assert.ok((sample(body, 'bot_background_task_heartbeats_total', { task: 'ticker' }) ?? 0) >= 2);
    assert.equal(sample(body, 'bot_background_task_state', { task: 'log_folder_size', state: 'idle' }), 1);
    assert.ok((sample(body, 'bot_interactions_total', { command: 'hello', outcome: 'ok' }) ?? 0) >= 1);
  });

  it('probes the dropped check: a failure degrades /health and /status, a pass restores them', async () => {
    const upstream = () => run.bot.manager.healthSnapshot().components.find((c) => c.name === 'upstream');
    const flag = join(project.root, 'upstream.down');
    writeFileSync(flag, '');
    try {
      await until(() => upstream()?.state === 'degraded', 5_000, 'upstream degraded');
      assert.equal(upstream()?.last_error?.message, 'upstream answers 503');
      const status = await run.emulator.invokeCommand({ name: 'status', user: 'member' }).settled(10_000);
      assert.match(text(status.embeds), /Degraded/);
      const health = await run.emulator.invokeCommand({ name: 'health', user: 'admin' }).settled(10_000);
      assert.match(text(health.embeds), /upstream answers 503/);
    } finally {
      rmSync(flag);
    }
    await until(() => upstream()?.state === 'ready', 5_000, 'upstream ready again');
    assert.equal(run.bot.manager.healthSnapshot().status, 'ready');
  });

  it('gives the files a logger of their own', () => {
    run.bot.logging.flushSync();
    const open = readJsonLines(run.logFile).find((l) => l.event === 'warehouse_open');
    assert.ok(open, 'the component logged through its context');
    assert.equal(open.subsys, 'extensions');
    const loaded = readJsonLines(run.logFile).find((l) => l.event === 'extensions_loaded');
    assert.ok(loaded, 'extensions_loaded is logged');
    assert.deepEqual(loaded.detail, {
      commands: ['alerts', 'health', 'hello', 'resources', 'startup', 'status', 'tasks'],
      components: ['log_disk', 'warehouse'],
      checks: ['temp_dir', 'upstream'],
      tasks: ['log_folder_size', 'ticker'],
      duration_ms: (loaded.detail as { duration_ms: number }).duration_ms,
    });
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type BuiltBot, buildBot } from '../support/build-bot.ts';
import { readJsonLinesSoFar } from '../support/log-schema.ts';
import { healthzWhen, startRunningFleet } from '../support/running-fleet.ts';
import { until } from '../support/until.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

const cmdline = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

// Compiled as `npm run build:bot` compiles it (test/support/build-bot.ts).
describe('the compiled bot (npm run build:bot, npm run start:built)', () => {
  let built: BuiltBot;
  before(async () => {
    built = await buildBot();
  });
  after(() => built.remove());

  it('runs as JavaScript with no loader: the manager, 2 shards and the chart process, the drop-in folders loaded from the build', async (t) => {
    const { main } = built;
    const fleet = await startRunningFleet({
      main,
      nodeArgs: [],
      env: { DISCORD_SHARDS: '2', SHARD_READY_TIMEOUT_MS: '40000' },
      emulator: { shards: 2, maxConcurrency: 16, homeGuildShard: 1 },
    });
    t.after(() => fleet.close());

    const up = await healthzWhen(
      fleet,
      (h) => h.status === 'ready' && h.shards.length === 2,
      60_000,
      '2 ready shards',
    );
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const metrics = (await fleet.get('/metrics')).body;
    assert.match(
      metrics,
      new RegExp(`^bot_info\\{[^}]*version="${version.replaceAll('.', '\\.')}"`, 'm'),
      'the version of the project’s package.json',
    );
    const pids = [fleet.child.pid ?? 0, ...up.shards.map((s) => s.pid ?? 0)];
    for (const pid of pids) {
      const args = cmdline(pid);
      assert.ok(args.includes(main), `process ${pid} runs the compiled main.js: ${args.join(' ')}`);
      assert.ok(
        !args.some((a) => a.includes('ts-loader') || a.endsWith('.ts')),
        `process ${pid} has no TypeScript loader`,
      );
    }

    // The home guild's shard answers; its start components and tasks came from build/components and build/tasks.
    const health = await fleet.emulator.invokeCommand({ name: 'health', user: 'admin' }).settled(15_000);
    assert.deepEqual(health.rejections, []);
    const text = JSON.stringify(health.embeds);
    assert.match(text, /log\\*_disk/, 'the compiled components/log-disk.js started');
    // Records below ERROR reach the file within LOG_FLUSH_MS (a second).
    const shardLog = await until(
      () => {
        const lines = readJsonLinesSoFar(fleet.logFile(1));
        return lines.some((l) => l.event === 'extensions_loaded') ? lines : undefined;
      },
      10_000,
      "shard 1's start records on disk",
    );
    const runtime = shardLog.find((l) => l.event === 'typescript_runtime');
    assert.equal((runtime?.detail as { typescript?: string } | undefined)?.typescript, 'compiled');
    assert.match(String(runtime?.msg), /compiled to JavaScript/);
    const loaded = shardLog.find((l) => l.event === 'extensions_loaded');
    const detail = loaded?.detail as Record<string, string[]> | undefined;
    assert.deepEqual(
      [detail?.components, detail?.tasks, detail?.checks],
      [['log_disk'], ['log_folder_size'], ['temp_dir']],
      'components/, tasks/ and checks/ loaded from the build',
    );
    assert.ok(detail?.commands?.includes('health'), 'commands/ loaded from the build');

    // /startup's chart is drawn by the render process, forked from the compiled chart-worker.js.
    const answer = await until(
      async () => {
        const r = await fleet.emulator.invokeCommand({ name: 'startup', user: 'admin' }).settled(15_000);
        return r.attachments.length > 0 ? r : undefined;
      },
      30_000,
      '/startup with its chart',
      500,
    );
    assert.equal(answer.attachments[0]?.filename, 'startup.png');
  });
});

// The test files `npm test` runs, in the order it starts them (four at a time): the longest
// first, so that the suite never ends waiting on one of them alone, then every other file
// in name order. The long ones alternate between files that keep both cores busy (bots,
// shards, builds, charts) and files that mostly wait on real time in the bots they run.
import { readdirSync } from 'node:fs';

const LONGEST_FIRST = [
  'test/e2e/fleet.test.ts',
  'test/e2e/alert-inhibition.test.ts',
  'test/charts/chart-renderer.test.ts',
  'test/e2e/alert-buttons.test.ts',
  'test/e2e/restarts.test.ts',
  'test/e2e/compiled-bot.test.ts',
  'test/e2e/fleet-down.test.ts',
  'test/e2e/bot-lifecycle.test.ts',
  'test/e2e/crash-restart.test.ts',
  'test/e2e/heartbeat.test.ts',
  'test/e2e/extension-errors.test.ts',
  'test/e2e/logrotate.test.ts',
  'test/package.test.ts',
  'test/core/metrics/prometheus-e2e.test.ts',
  'test/e2e/npm-start-signal.test.ts',
];

const all = readdirSync('test', { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.test.ts'))
  .map((name) => `test/${name}`)
  .sort();
const gone = LONGEST_FIRST.filter((file) => !all.includes(file));
if (gone.length > 0) {
  process.stderr.write(`test/files.mjs names test files that do not exist: ${gone.join(', ')}\n`);
  process.exit(1);
}
process.stdout.write(
  `${[...LONGEST_FIRST, ...all.filter((file) => !LONGEST_FIRST.includes(file))].join('\n')}\n`,
);

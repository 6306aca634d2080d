import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { typescriptNodeArgs } from '../../../src/typescript-runtime.ts';

const run = promisify(execFile);
const indexUrl = pathToFileURL(
  fileURLToPath(new URL('../../../src/core/metrics/index.ts', import.meta.url)),
).href;
const httpUrl = pathToFileURL(
  fileURLToPath(new URL('../../../src/core/http/index.ts', import.meta.url)),
).href;

interface ChildReport {
  readonly enabled: boolean;
  readonly promClientModules: readonly string[];
  readonly tcp: readonly string[];
}

/** Creates the metrics in a fresh process and reports what got loaded and opened. */
async function inFreshProcess(enabled: boolean): Promise<ChildReport> {
  const script = `
    import { createRequire } from 'node:module';
    const { createMetrics } = await import(${JSON.stringify(indexUrl)});
    await import(${JSON.stringify(httpUrl)});
    const metrics = await createMetrics({ enabled: ${enabled} });
    metrics.taskHeartbeat('sampler');
    metrics.interaction('health', 'ok', 0.1);
    const cache = createRequire(import.meta.url).cache;
    process.stdout.write(JSON.stringify({
      enabled: metrics.enabled,
      promClientModules: Object.keys(cache).filter((path) => path.includes('prom-client')),
      tcp: process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')),
    }));
  `;
  const { stdout } = await run(
    process.execPath,
    [...typescriptNodeArgs, '--input-type=module', '-e', script],
    {
      timeout: 30_000,
    },
  );
  return JSON.parse(stdout) as ChildReport;
}

describe('metrics off', () => {
  it('never loads prom-client and opens no port', async () => {
    const report = await inFreshProcess(false);
    assert.equal(report.enabled, false);
    assert.deepEqual(report.promClientModules, []);
    assert.deepEqual(report.tcp, []);
  });

  it('loads prom-client only once enabled (the check above can see it)', async () => {
    const report = await inFreshProcess(true);
    assert.equal(report.enabled, true);
    assert.ok(
      report.promClientModules.some((path) => path.endsWith('prom-client/index.js')),
      `prom-client should be loaded: ${report.promClientModules.join(', ')}`,
    );
    assert.deepEqual(report.tcp, [], 'creating the metrics serves nothing until the HTTP server starts');
  });
});

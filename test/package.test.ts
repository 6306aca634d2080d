import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * `npm pack` builds the core (prepack) and packs it; the tarball goes into a fresh
 * project's node_modules as npm would put it there. Its dependencies are linked from
 * this checkout's, since the suite runs offline.
 */
async function installPackedCore(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'opsbot-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: root,
    encoding: 'utf8',
  });
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as {
    filename: string;
    files: { path: string }[];
  }[];
  assert.ok(packed, 'npm pack reports its tarball');
  const shipped = packed.files.map((f) => f.path);
  assert.ok(
    shipped.includes('dist/core/index.js') && shipped.includes('dist/core/index.d.ts'),
    'compiled with types',
  );
  assert.ok(
    !shipped.some((p) => p.startsWith('src/') || p.startsWith('test/')),
    'sources and tests stay out',
  );

  const project = join(dir, 'consumer');
  const modules = join(project, 'node_modules');
  mkdirSync(join(modules, 'opsbot'), { recursive: true });
  await run('tar', [
    '-xzf',
    join(dir, packed.filename),
    '-C',
    join(modules, 'opsbot'),
    '--strip-components=1',
  ]);
  for (const name of readdirSync(join(root, 'node_modules'))) {
    if (name === '.bin' || name.startsWith('.')) continue;
    symlinkSync(join(root, 'node_modules', name), join(modules, name));
  }
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', type: 'module', private: true }),
  );
  return project;
}

test('npm pack gives a core that plain JavaScript imports as opsbot/core, with no TypeScript loader, and reports health', async () => {
  const project = await installPackedCore();
  const logFile = join(project, 'logs', 'bot.jsonl');
  writeFileSync(
    join(project, 'watch.mjs'),
    `import { createLogging, createObservabilityManager } from 'opsbot/core';
const logging = createLogging({ level: 'info', file: ${JSON.stringify(logFile)}, console: false });
const manager = createObservabilityManager({ log: logging.logger, logging, gateway: false, version: 'consumer' });
const { report } = await manager.start([{ name: 'database', start() {} }]);
const health = await manager.getComprehensiveHealthStatus();
console.log(JSON.stringify({ outcome: report.outcome, status: health.status, components: health.components.map((c) => [c.name, c.status]) }));
await manager.shutdown(1000);
await logging.close();
`,
  );
  // Plain node: no TypeScript loader, whatever Node runs the suite.
  const { stdout } = await run(process.execPath, ['watch.mjs'], { cwd: project, encoding: 'utf8' });
  const seen = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    outcome: string;
    status: string;
    components: [string, string][];
  };
  assert.ok(['ready', 'degraded'].includes(seen.outcome), stdout);
  assert.ok(['ready', 'degraded'].includes(seen.status), stdout);
  assert.deepEqual(
    seen.components.find(([name]) => name === 'database'),
    ['database', 'ready'],
  );
  const lines = readFileSync(logFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { event: string });
  assert.ok(lines.some((l) => l.event === 'startup_complete'));

  // The types ship too: a TypeScript consumer type-checks against them.
  writeFileSync(
    join(project, 'typed.ts'),
    `import { type HealthSnapshot, type ObservabilityManager, createObservabilityManager } from 'opsbot/core';
export const make: typeof createObservabilityManager = createObservabilityManager;
export function statusOf(m: ObservabilityManager): HealthSnapshot['status'] { return m.healthSnapshot().status; }
`,
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
      files: ['typed.ts'],
    }),
  );
  await run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], {
    cwd: project,
    encoding: 'utf8',
  });
});

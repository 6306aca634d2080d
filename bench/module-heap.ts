// What loading a module costs in retained heap, on top of discord.js (which every bot loads):
// `node --import ./src/ts-loader.mjs bench/module-heap.ts pino node-cron ./src/bot.ts`. Each module
// is measured in a fresh process (run with --expose-gc), the heap in use after two full GCs
// before and after the import.
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

if (process.argv[2] === '--child') {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run the child with --expose-gc');
  await import('discord.js');
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const target = process.argv[3] ?? '';
  await import(target.startsWith('.') ? pathToFileURL(`${ROOT}/${target}`).href : target);
  gc();
  gc();
  process.stdout.write(`${((process.memoryUsage().heapUsed - before) / 1024 ** 2).toFixed(2)}\n`);
} else {
  const modules = process.argv.slice(2);
  if (modules.length === 0) throw new Error('name the modules to measure, e.g. pino ./src/bot.ts');
  const script = fileURLToPath(import.meta.url);
  for (const name of modules) {
    const mb = execFileSync(
      process.execPath,
      ['--expose-gc', '--import', `${ROOT}/src/ts-loader.mjs`, script, '--child', name],
      { cwd: ROOT, encoding: 'utf8' },
    ).trim();
    process.stdout.write(`${name.padEnd(32)} +${mb} MB\n`);
  }
}

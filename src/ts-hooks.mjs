// Module hooks that run the bot's TypeScript on a Node that cannot strip types itself
// (before 22.18), registered by ts-loader.mjs. Every file is valid once its types are erased
// (`erasableSyntaxOnly`) and names its imports with their `.ts` extension, so only loading
// needs a hook, not resolving: esbuild turns each `.ts` file into JavaScript with an inline
// source map (stack traces name the TypeScript lines). What it made is kept in a folder of
// the temp dir, keyed by the file's path and contents, so a start after the first reads
// JavaScript straight from there and runs no esbuild at all; a folder that cannot be written
// only costs that speed. esbuild's own process, started on the first file the folder lacks,
// is stopped once no file has waited on it for IDLE_STOP_MS: a bot holds no child of its own.
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const IDLE_STOP_MS = 100;
const OPTIONS = { loader: 'ts', format: 'esm', target: 'node20', sourcemap: 'inline' };
const CACHE = join(tmpdir(), `opsbot-ts-${process.getuid?.() ?? 'user'}`);

/** @type {typeof import('esbuild') | undefined} */
let esbuild;
let transforming = 0;
/** @type {NodeJS.Timeout | undefined} */
let idle;

/** @type {import('node:module').LoadHook} */
export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const source = await readFile(path, 'utf8');
  esbuild ??= await import('esbuild');
  const key = createHash('sha256').update(`${esbuild.version}\0${path}\0${source}`).digest('hex');
  const cached = join(CACHE, `${key}.mjs`);
  const kept = await readFile(cached, 'utf8').catch(() => undefined);
  if (kept !== undefined) return { format: 'module', source: kept, shortCircuit: true };

  clearTimeout(idle);
  transforming += 1;
  try {
    const { code } = await esbuild.transform(source, { ...OPTIONS, sourcefile: path });
    try {
      mkdirSync(CACHE, { recursive: true });
      const partial = `${cached}.${process.pid}.tmp`;
      writeFileSync(partial, code);
      renameSync(partial, cached);
    } catch {
      // Read-only or full: the next start transforms this file again.
    }
    return { format: 'module', source: code, shortCircuit: true };
  } finally {
    transforming -= 1;
    if (transforming === 0) idle = setTimeout(() => void esbuild?.stop(), IDLE_STOP_MS).unref();
  }
}

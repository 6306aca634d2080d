// How this bot's own code runs: from its TypeScript sources, or compiled to JavaScript by
// `npm run build:bot`. Every module that starts a child process or finds a file of its own
// asks here. ts-loader.mjs, the preload of a run from the sources, is plain JavaScript
// (it loads before anything can run TypeScript) and makes its one choice itself.
import { fileURLToPath } from 'node:url';

/** This module's own extension: `.js` when the bot runs compiled, `.ts` when it runs from its sources. */
export const MODULE_EXTENSION: '.js' | '.ts' = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** How the bot's code runs. */
export type TypescriptRuntime = 'compiled' | 'native' | 'esbuild';

const stripsTypes = Boolean((process.features as { typescript?: unknown }).typescript);

/**
 * `compiled` when the bot runs as the JavaScript `npm run build:bot` made. From the sources:
 * `native` when Node strips the types itself (by default from 22.18, 23.6 and 24; from 22.6
 * with --experimental-strip-types), `esbuild` on an older Node, where ts-loader.mjs registers
 * ts-hooks.mjs (esbuild, with a cache of what it made) in this same process.
 */
export const typescriptRuntime: TypescriptRuntime =
  MODULE_EXTENSION === '.js' ? 'compiled' : stripsTypes ? 'native' : 'esbuild';

/** The preload of a run from the sources (`node --import <TS_LOADER> file.ts`), in src/. */
export const TS_LOADER = fileURLToPath(new URL('./ts-loader.mjs', import.meta.url));

/**
 * The Node options that run one of the bot's own entry points in a child process (`node
 * ...typescriptNodeArgs file`): from the sources, the child preloads ts-loader.mjs and so
 * makes the same choice for its own Node (a no-op where Node strips types natively); compiled,
 * none. One process either way: no CLI in between.
 */
export const typescriptNodeArgs: readonly string[] = Object.freeze(
  typescriptRuntime === 'compiled' ? [] : ['--import', TS_LOADER],
);

/**
 * The path of one of the bot's own modules, named relative to `base` without its extension,
 * as this run loads it: `siblingModule('../main', import.meta.url)` is src/main.ts from the
 * sources and build/src/main.js compiled.
 */
export const siblingModule = (relative: string, base: string | URL): string =>
  fileURLToPath(new URL(`${relative}${MODULE_EXTENSION}`, base));

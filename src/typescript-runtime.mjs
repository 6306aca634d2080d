// How this Node runs the TypeScript sources, decided here and nowhere else. Plain
// JavaScript, so that it loads before anything can run TypeScript.
import { fileURLToPath } from 'node:url';

/**
 * `native` when Node strips the types itself (by default from 22.18, 23.6 and 24; from
 * 22.6 with --experimental-strip-types), `tsx` on an older Node, where ts-loader.mjs
 * registers tsx's hooks in this same process.
 */
export const typescriptRuntime = process.features.typescript ? 'native' : 'tsx';

/** The preload that applies that choice: ts-loader.mjs beside this file. */
export const TS_LOADER = fileURLToPath(new URL('./ts-loader.mjs', import.meta.url));

/**
 * The Node options that run a `.ts` entry point in a child process (`node ...typescriptNodeArgs
 * file.ts`): the child preloads ts-loader.mjs and so makes the same choice for its own Node
 * (a no-op where Node strips types natively). One process either way: no CLI in between.
 */
export const typescriptNodeArgs = Object.freeze(['--import', TS_LOADER]);

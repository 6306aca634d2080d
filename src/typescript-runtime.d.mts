/** How this Node runs the TypeScript sources: natively (type stripping) or through tsx's in-process hooks. */
export type TypescriptRuntime = 'native' | 'tsx';
export declare const typescriptRuntime: TypescriptRuntime;
/** Absolute path of the preload (`node --import <TS_LOADER> file.ts`). */
export declare const TS_LOADER: string;
/** Node options that run a `.ts` entry point in a child process: `[...typescriptNodeArgs, file]`. */
export declare const typescriptNodeArgs: readonly string[];

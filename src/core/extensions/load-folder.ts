import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Which files of a folder are loaded: `.ts`, `.mts`, `.js`, `.mjs`, not declaration files,
 * and not a name starting with `_` or `.` (a place for helpers the files share).
 */
const LOADED_FILE = /^(?![._])(?!.*\.d\.m?ts$).*\.(?:ts|mts|js|mjs)$/;

/** A file of an extension folder (commands/, components/, tasks/, checks/) that cannot be used. */
export class ExtensionLoadError extends Error {
  override readonly name = 'ExtensionLoadError';
  /** The file, as an absolute path. */
  readonly file: string;
  /** What is wrong with it, one line. */
  readonly problem: string;
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.file = file;
    this.problem = problem;
  }
}

/** One item of a folder and the file it came from. */
export interface LoadedFile<T> {
  readonly file: string;
  readonly value: T;
}

/** How {@link loadFolder} reads one kind of folder. */
export interface FolderSpec<T> {
  /** What a file declares, in messages: `command`, `component`, `task`, `health check`. */
  readonly kind: string;
  /** What a file should export, in messages, e.g. `defineTask({ … })`. */
  readonly expected: string;
  /** Checks a default export and returns it typed; throws an error whose message says what is wrong. */
  readonly check: (value: unknown) => T;
  /** The item's name, which must be unique in the folder. */
  readonly nameOf: (item: T) => string;
  /** A folder that does not exist counts as empty instead of being an error. @default false */
  readonly optional?: boolean;
  /**
   * When given, a default export that is a function is a factory: it is called with this
   * and what it returns is checked.
   */
  readonly context?: unknown;
}

const message = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

/**
 * Imports every loadable file of `dir` (not recursive, sorted by name) and checks each
 * one's default export with `spec.check`, so a bad file stops the start naming itself.
 * @throws {ExtensionLoadError} naming the file that fails to import, exports nothing
 * usable or reuses a name; or the folder, when it is missing and not optional
 */
export async function loadFolder<T>(dir: string, spec: FolderSpec<T>): Promise<LoadedFile<T>[]> {
  const root = resolve(dir);
  let entries: Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && spec.optional === true) return [];
    throw new ExtensionLoadError(root, `cannot read the ${spec.kind} folder: ${message(error)}`);
  }
  const names = entries
    .filter((entry) => entry.isFile() && LOADED_FILE.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  const loaded: LoadedFile<T>[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    const file = join(root, name);
    const value = await loadOne(file, spec);
    const itemName = spec.nameOf(value);
    const earlier = seen.get(itemName);
    if (earlier !== undefined) {
      throw new ExtensionLoadError(file, `${spec.kind} name "${itemName}" is already used by ${earlier}`);
    }
    seen.set(itemName, file);
    loaded.push({ file, value });
  }
  return loaded;
}

async function loadOne<T>(file: string, spec: FolderSpec<T>): Promise<T> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    throw new ExtensionLoadError(file, `failed to import: ${message(error)}`);
  }
  let value = module.default;
  if (value === undefined) {
    throw new ExtensionLoadError(file, `has no default export (expected export default ${spec.expected})`);
  }
  if (typeof value === 'function' && spec.context !== undefined) {
    try {
      value = (value as (context: unknown) => unknown)(spec.context);
    } catch (error) {
      throw new ExtensionLoadError(file, `its factory threw: ${message(error)}`);
    }
    if (typeof (value as { then?: unknown } | null)?.then === 'function') {
      throw new ExtensionLoadError(
        file,
        `its factory returned a promise: it must return the ${spec.kind} itself`,
      );
    }
  }
  try {
    return spec.check(value);
  } catch (error) {
    throw new ExtensionLoadError(file, `not a valid ${spec.kind}: ${message(error)}`);
  }
}

import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { OpsCommand } from './command.ts';

const COMMAND_FILE = /^(?!.*\.d\.ts$).*\.(?:ts|js|mts|mjs)$/;

/** A command file whose default export is not an {@link OpsCommand}. */
export class CommandLoadError extends Error {
  override readonly name = 'CommandLoadError';
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.file = file;
  }
}

/**
 * Imports every .ts/.js file of `dir` (not recursive, sorted by name) and returns their
 * default exports, checked to be {@link OpsCommand}s with unique names.
 * @throws {CommandLoadError} naming the file that is not a command, or the second file of a duplicate name
 */
export async function loadCommands(dir: string): Promise<OpsCommand[]> {
  const root = resolve(dir);
  const files = (await readdir(root, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && COMMAND_FILE.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  const commands: OpsCommand[] = [];
  const seen = new Map<string, string>();
  for (const name of files) {
    const file = join(root, name);
    let module: { default?: unknown };
    try {
      module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    } catch (error) {
      throw new CommandLoadError(
        file,
        `failed to import: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const command = validate(file, module.default);
    const earlier = seen.get(command.data.name);
    if (earlier !== undefined) {
      throw new CommandLoadError(file, `command name "${command.data.name}" is already used by ${earlier}`);
    }
    seen.set(command.data.name, file);
    commands.push(command);
  }
  return commands;
}

function validate(file: string, value: unknown): OpsCommand {
  if (value === null || typeof value !== 'object') {
    throw new CommandLoadError(file, 'has no default export object (expected { data, execute })');
  }
  const candidate = value as Partial<Record<keyof OpsCommand, unknown>>;
  const data = candidate.data as { name?: unknown; toJSON?: unknown } | undefined;
  if (data === null || typeof data !== 'object')
    throw new CommandLoadError(file, 'default export has no `data` builder');
  if (typeof data.name !== 'string' || data.name === '')
    throw new CommandLoadError(file, '`data.name` is not set');
  if (typeof data.toJSON !== 'function')
    throw new CommandLoadError(file, '`data` has no toJSON() (use SlashCommandBuilder)');
  if (typeof candidate.execute !== 'function')
    throw new CommandLoadError(file, '`execute` is not a function');
  if (candidate.autocomplete !== undefined && typeof candidate.autocomplete !== 'function') {
    throw new CommandLoadError(file, '`autocomplete` is not a function');
  }
  return value as OpsCommand;
}

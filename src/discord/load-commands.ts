import { loadFolder } from '../core/extensions/load-folder.ts';
import { checkShape, describeValue, type ObjectShape, rules, ShapeError } from '../core/extensions/shape.ts';
import type { OpsCommand } from './command.ts';

const ACCESS = ['ops', 'public'] as const;

const COMMAND_SHAPE = {
  access: {
    rule: (value) =>
      ACCESS.includes(value as (typeof ACCESS)[number])
        ? undefined
        : `must be 'ops' or 'public', got ${describeValue(value)}`,
  },
  data: {
    required: true,
    rule: (value) => {
      const data = value as { name?: unknown; toJSON?: unknown } | null;
      if (data === null || typeof data !== 'object')
        return `must be a SlashCommandBuilder, got ${describeValue(value)}`;
      if (typeof data.name !== 'string' || data.name === '') return 'has no name (call setName)';
      if (typeof data.toJSON !== 'function') return 'has no toJSON() (use SlashCommandBuilder)';
      return undefined;
    },
  },
  execute: { rule: rules.function, required: true },
  autocomplete: { rule: rules.function },
} as const satisfies Record<keyof OpsCommand, ObjectShape[string]>;

/** Checks a default export of `commands/`. @throws {ShapeError} naming the field */
export function checkCommand(value: unknown): OpsCommand {
  if (typeof value === 'function') {
    throw new ShapeError('is a function; export the command itself: export default defineCommand({ … })');
  }
  checkShape(value, COMMAND_SHAPE, 'a command');
  return value as OpsCommand;
}

/**
 * Imports every command file of `dir` (sorted by name; see `loadFolder` for which files)
 * and returns their default exports, checked to be {@link OpsCommand}s with unique names.
 * @throws {ExtensionLoadError} naming the file that is not a command, or the second file of a duplicate name
 */
export async function loadCommands(dir: string): Promise<OpsCommand[]> {
  const loaded = await loadFolder(dir, {
    kind: 'command',
    expected: 'defineCommand({ … })',
    check: checkCommand,
    nameOf: (command) => command.data.name,
  });
  return loaded.map(({ value }) => value);
}

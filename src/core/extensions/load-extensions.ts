import { CORE_TASKS } from '../core-components.ts';
import type { ObservabilityManager } from '../manager.ts';
import type { StartupComponent } from '../startup/startup-component.ts';
import { StartupError } from '../startup/startup-error.ts';
import { checkHealthCheck, checkToComponent, type HealthCheckDefinition } from './check-file.ts';
import { type ComponentDefinition, checkComponent, toStartupComponent } from './component-file.ts';
import type { ExtensionContext } from './extension-context.ts';
import { ExtensionLoadError, type LoadedFile, loadFolder } from './load-folder.ts';
import { checkTask, type TaskFileDefinition, toTaskDefinition } from './task-file.ts';

/** The extension folders to load; a folder left out, or missing on disk, adds nothing. */
export interface ExtensionFolders {
  /** One `defineComponent(…)` per file. */
  readonly components?: string;
  /** One `defineTask(…)` per file. */
  readonly tasks?: string;
  /** One `defineHealthCheck(…)` per file. */
  readonly checks?: string;
}

/** What the folders declare, each item with the file it came from. */
export interface LoadedExtensions {
  readonly components: readonly LoadedFile<ComponentDefinition>[];
  readonly checks: readonly LoadedFile<HealthCheckDefinition>[];
  readonly tasks: readonly LoadedFile<TaskFileDefinition>[];
}

/** The components and the checks (as components), each folder sorted by file name. */
const startComponents = (loaded: LoadedExtensions): LoadedFile<ComponentDefinition>[] => [
  ...loaded.components,
  ...loaded.checks.map(({ file, value }) => ({ file, value: checkToComponent(value) })),
];

const optionalFolder = async <T>(
  dir: string | undefined,
  load: (dir: string) => Promise<LoadedFile<T>[]>,
): Promise<LoadedFile<T>[]> => (dir === undefined ? [] : load(dir));

/**
 * Loads and checks every file of the extension folders, factories called with `context`.
 * Components and checks share one name space (both become start components); a task may
 * not take the name of one of the core's own tasks.
 * @throws {ExtensionLoadError} naming the first file that cannot be used, and why
 */
export async function loadExtensions(
  folders: ExtensionFolders,
  context: ExtensionContext,
): Promise<LoadedExtensions> {
  const components = await optionalFolder(folders.components, (dir) =>
    loadFolder(dir, {
      kind: 'component',
      expected: 'defineComponent({ … })',
      check: checkComponent,
      nameOf: (component) => component.name,
      optional: true,
      context,
    }),
  );
  const checks = await optionalFolder(folders.checks, (dir) =>
    loadFolder(dir, {
      kind: 'health check',
      expected: 'defineHealthCheck({ … })',
      check: checkHealthCheck,
      nameOf: (check) => check.name,
      optional: true,
      context,
    }),
  );
  const tasks = await optionalFolder(folders.tasks, (dir) =>
    loadFolder(dir, {
      kind: 'task',
      expected: 'defineTask({ … })',
      check: checkTask,
      nameOf: (task) => task.name,
      optional: true,
      context,
    }),
  );

  const loaded = { components, checks, tasks };
  const seen = new Map<string, string>();
  for (const { file, value } of startComponents(loaded)) {
    const earlier = seen.get(value.name);
    if (earlier !== undefined) {
      throw new ExtensionLoadError(file, `component name "${value.name}" is already used by ${earlier}`);
    }
    seen.set(value.name, file);
  }
  const reserved: readonly string[] = Object.values(CORE_TASKS);
  for (const { file, value } of tasks) {
    if (reserved.includes(value.name)) {
      throw new ExtensionLoadError(file, `task name "${value.name}" is taken by one of the core's own tasks`);
    }
  }
  return loaded;
}

/**
 * Puts the extensions in place: checks the whole start graph (the core's components, the
 * bot's `own` and the extensions') as the start will, then hands the tasks to the
 * supervisor (they run once it starts) and returns the extensions' start components,
 * their health checks bound to the manager's.
 * @throws {ExtensionLoadError} when the graph's complaint (a duplicate name, an unknown
 * dependency, a cycle, a bad option) involves an extension, naming its file; the
 * graph's own error otherwise
 */
export function installExtensions(
  loaded: LoadedExtensions,
  manager: Pick<ObservabilityManager, 'clock' | 'tasks' | 'checks' | 'checkComponents'>,
  own: readonly StartupComponent[] = [],
): StartupComponent[] {
  const components = startComponents(loaded).map(({ value }) => toStartupComponent(value, manager.checks));
  try {
    manager.checkComponents([...components, ...own]);
  } catch (error) {
    throw blame(error, loaded) ?? error;
  }
  for (const { value } of loaded.tasks) manager.tasks.register(toTaskDefinition(value, manager.clock));
  return components;
}

/** The start graph's complaint as the error of the first extension file it names. */
function blame(error: unknown, loaded: LoadedExtensions): ExtensionLoadError | undefined {
  if (!(error instanceof StartupError)) return undefined;
  const fileOf = new Map(startComponents(loaded).map(({ file, value }) => [value.name, file]));
  const file = error.components.map((name) => fileOf.get(name)).find((f) => f !== undefined);
  return file === undefined ? undefined : new ExtensionLoadError(file, error.message);
}

import type { Clock } from '../clock.ts';
import type { Logger } from '../logging/logger.ts';

/** What a factory in an extension file is given: `export default defineTask((ctx) => ({ … }))`. */
export interface ExtensionContext {
  /** A logger for the file's own records. */
  readonly log: Logger;
  /** The clock the bot runs on; use it for time so tests can drive it. */
  readonly clock: Clock;
  /** The JSON log file (`LOG_FILE`), as an absolute path; undefined when the core runs without one. */
  readonly logFile: string | undefined;
}

/** A definition, or a factory that builds it from the {@link ExtensionContext} when the folder is loaded. */
export type Definable<T> = T | ((ctx: ExtensionContext) => T);

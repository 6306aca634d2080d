/** Stable codes of every error the startup orchestrator raises; tests and the integrator match on these. */
export type StartupErrorCode =
  | 'STARTUP_INVALID_COMPONENT'
  | 'STARTUP_UNKNOWN_DEPENDENCY'
  | 'STARTUP_DUPLICATE_COMPONENT'
  | 'STARTUP_CYCLE'
  | 'STARTUP_CRITICAL_DEPENDS_ON_OPTIONAL'
  | 'STARTUP_ALREADY_RUN'
  | 'STARTUP_COMPONENT_FAILED'
  | 'STARTUP_CANCELLED';

/**
 * An error of the startup orchestrator. `components` names the components
 * involved (for a cycle, the path in order, first repeated last).
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
  readonly code: StartupErrorCode;
  readonly components: readonly string[];

  constructor(code: StartupErrorCode, message: string, components: readonly string[], cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.components = components;
  }
}

export const ERROR_TEXT_DEFAULTS = {
  /** Longest error text kept in a report, a health record or a log detail. */
  maxLength: 500,
} as const;

export interface ErrorTextOptions {
  /** @default ERROR_TEXT_DEFAULTS.maxLength (500) */
  readonly maxLength?: number;
  /**
   * Applied to the whole message before it is cut, so no secret survives in part
   * (e.g. the logger's secret redactor).
   * @default identity
   */
  readonly redact?: (text: string) => string;
}

/** The human message of anything thrown: an Error's message (or name), a string, or its `String()` form. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return String(error);
  } catch {
    return 'unknown error';
  }
}

/**
 * One bounded line describing a thrown value: reports, health records and log lines
 * never carry a multi-line stack or an unbounded message. Redacted first, then flattened
 * to one line, then cut cleanly with "…".
 */
export function errorText(error: unknown, options: ErrorTextOptions = {}): string {
  const max = options.maxLength ?? ERROR_TEXT_DEFAULTS.maxLength;
  const message = errorMessage(error);
  const line = (options.redact?.(message) ?? message).replace(/\s+/g, ' ').trim() || 'unknown error';
  return line.length <= max ? line : `${line.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

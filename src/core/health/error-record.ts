import type { ErrorRecord } from './types.ts';

/**
 * Longest message kept in an {@link ErrorRecord}; renderers and log lines stay
 * small whatever a dependency throws.
 * @default 500
 */
export const ERROR_MESSAGE_MAX_LENGTH = 500;

/** The human message of anything thrown: an Error's message, a string, or a JSON-ish form. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return String(error);
  } catch {
    return 'unknown error';
  }
}

/** `error` as a single bounded line, cut cleanly with "…" when too long. */
export function singleLine(text: string, maxLength = ERROR_MESSAGE_MAX_LENGTH): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= maxLength ? flat : `${flat.slice(0, Math.max(0, maxLength - 1)).trimEnd()}…`;
}

/** An {@link ErrorRecord} for `error` observed at `atMs`, redacted before it is cut so no secret survives in part. */
export function toErrorRecord(
  error: unknown,
  atMs: number,
  maxLength = ERROR_MESSAGE_MAX_LENGTH,
  redact: (text: string) => string = (text) => text,
): ErrorRecord {
  return {
    at: new Date(atMs).toISOString(),
    message: singleLine(redact(errorMessage(error)), maxLength) || 'error',
  };
}

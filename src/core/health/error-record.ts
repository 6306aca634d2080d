import { type ErrorTextOptions, errorText } from '../error-text.ts';
import type { ErrorRecord } from './types.ts';

/** An {@link ErrorRecord} for `error` observed at `atMs`: its one-line, bounded, redacted text. */
export function toErrorRecord(error: unknown, atMs: number, options: ErrorTextOptions = {}): ErrorRecord {
  return { at: new Date(atMs).toISOString(), message: errorText(error, options) };
}

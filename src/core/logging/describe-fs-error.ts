/**
 * `ENOSPC: no space left on device` from a Node fs error, without the syscall
 * and path Node appends (the caller names the path itself).
 */
export function describeFsError(error: unknown): string {
  const err = error as { code?: unknown; message?: unknown };
  const message = typeof err?.message === 'string' ? err.message : String(error);
  const match = /^([A-Z][A-Z0-9_]+): ([^,]+)/.exec(message);
  if (match !== null) return `${match[1]}: ${match[2]}`;
  return typeof err?.code === 'string' ? `${err.code}: ${message}` : message;
}

/** The errno code of a Node fs error (`ENOSPC`), when it has one. */
export function fsErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

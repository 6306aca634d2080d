/** Longest error text kept in a report or a log detail. @default 500 */
export const ERROR_TEXT_MAX = 500;

/**
 * One bounded line describing a thrown value: reports and log lines must never
 * carry a multi-line stack or an unbounded message.
 */
export function errorText(error: unknown, max: number = ERROR_TEXT_MAX): string {
  let text: string;
  if (error instanceof Error) text = error.message || error.name;
  else if (typeof error === 'string') text = error;
  else {
    try {
      text = String(error);
    } catch {
      text = 'unknown error';
    }
  }
  const line = text.replace(/\s+/g, ' ').trim() || 'unknown error';
  return line.length <= max ? line : `${line.slice(0, Math.max(0, max - 1))}…`;
}

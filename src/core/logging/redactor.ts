/** What replaces a secret or a sensitive key's value in every sink. */
export const REDACTED = '[REDACTED]';

/**
 * Secrets shorter than this are ignored: redacting a two-letter "secret" would
 * shred every record while protecting nothing.
 */
const MIN_SECRET_LENGTH = 4;

/** Replaces registered secrets, by value, inside any string. */
export interface Redactor {
  /** Registers a secret (and its URL-encoded form); empty or very short values are ignored. */
  add(secret: string): void;
  /** The string with every registered secret replaced by {@link REDACTED}. */
  redact(text: string): string;
  /** Length of the longest registered secret (0 when none), so callers can cut strings without splitting one. */
  readonly longest: number;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A redactor seeded with `secrets`. */
export function createRedactor(secrets: readonly string[] = []): Redactor {
  const values = new Set<string>();
  let pattern: RegExp | undefined;
  let longest = 0;

  const rebuild = (): void => {
    // Longest first so a secret that contains another is replaced whole.
    const sorted = [...values].sort((a, b) => b.length - a.length);
    longest = sorted[0]?.length ?? 0;
    pattern = sorted.length === 0 ? undefined : new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
  };

  const redactor: Redactor = {
    add(secret) {
      if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) return;
      const before = values.size;
      values.add(secret);
      // A token inside a query string or path segment may appear percent-encoded.
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) values.add(encoded);
      if (values.size !== before) rebuild();
    },
    redact(text) {
      if (pattern === undefined || text.length < MIN_SECRET_LENGTH) return text;
      pattern.lastIndex = 0;
      return pattern.test(text) ? text.replace(pattern, REDACTED) : text;
    },
    get longest() {
      return longest;
    },
  };
  for (const secret of secrets) redactor.add(secret);
  return redactor;
}

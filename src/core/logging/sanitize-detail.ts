import { positiveInteger } from '../check-option.ts';
import { errorMessage } from '../error-text.ts';
import { REDACTED, type Redactor } from './redactor.ts';

/** Bounds that keep one bad record from blowing up a sink. */
export interface DetailLimits {
  /**
   * Longest string kept in `detail` (and the message), in characters.
   * @default 2048
   */
  readonly maxString?: number;
  /**
   * Longest error stack kept, in characters.
   * @default 8192
   */
  readonly maxStack?: number;
  /**
   * Deepest nesting kept; deeper values become `"[Object]"` / `"[Array]"`.
   * @default 6
   */
  readonly maxDepth?: number;
  /**
   * Most keys of one object / items of one array kept.
   * @default 100
   */
  readonly maxEntries?: number;
  /**
   * Most values visited in one record; the rest become `"[…]"`.
   * @default 2000
   */
  readonly maxNodes?: number;
}

const DEFAULT_LIMITS = {
  maxString: 2048,
  maxStack: 8192,
  maxDepth: 6,
  maxEntries: 100,
  maxNodes: 2000,
} as const satisfies Required<DetailLimits>;

/** One step of the walk through a detail: the value, how deep it sits, the objects above it, the nodes left. */
type Walk<T, R> = (value: T, depth: number, ancestors: object[], budget: { nodes: number }) => R;

/** A serialised `Error` as it appears in `detail`. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string | number;
  readonly stack?: string;
  readonly cause?: unknown;
}

/**
 * Keys whose values are always redacted, whatever they hold, compared after
 * lower-casing and dropping `_`/`-` (so `bot_token`, `accessToken`, `X-Api-Key` match).
 */
const SENSITIVE_KEYS = new Set([
  'token',
  'authorization',
  'auth',
  'password',
  'passwd',
  'secret',
  'apikey',
  'cookie',
  'setcookie',
  'privatekey',
  'credentials',
]);
const SENSITIVE_SUFFIXES = ['token', 'secret', 'password', 'apikey'] as const;

const sensitiveCache = new Map<string, boolean>();

/** Whether a detail key names something that must never be logged. */
export function isSensitiveKey(key: string): boolean {
  const known = sensitiveCache.get(key);
  if (known !== undefined) return known;
  const normalized = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  const sensitive =
    SENSITIVE_KEYS.has(normalized) || SENSITIVE_SUFFIXES.some((suffix) => normalized.endsWith(suffix));
  // Detail keys come from code, so a small cache covers nearly every call on the hot path.
  if (sensitiveCache.size < 4096) sensitiveCache.set(key, sensitive);
  return sensitive;
}

export interface Sanitizer {
  /** A plain, acyclic, JSON-safe, bounded and redacted copy of `detail`. */
  detail(detail: unknown): Record<string, unknown>;
  /** The message, redacted and bounded. */
  message(msg: string): string;
}

/**
 * Builds the function that turns whatever a caller passed as `detail` into
 * something every sink can write: redacted by value (the redactor's secrets,
 * in strings at any depth, error messages and stacks included) and by key
 * ({@link isSensitiveKey}), errors as {@link SerializedError}, cycles as
 * `"[Circular]"`, long strings cut with `…`.
 */
export function createSanitizer(redactor: Redactor, limits: DetailLimits = {}): Sanitizer {
  const resolved = { ...DEFAULT_LIMITS, ...limits };
  for (const [key, value] of Object.entries(resolved)) positiveInteger(`detail limit ${key}`, value);

  const cut = (text: string, max: number): string => {
    if (text.length <= max) return redactor.redact(text);
    // Redact before cutting so a secret straddling the cut never leaves a prefix behind.
    const redacted = redactor.redact(text.slice(0, max + redactor.longest));
    if (redacted.length <= max) return redacted;
    return `${redacted.slice(0, max)}…[${text.length - max} more chars]`;
  };

  const sanitize: Walk<unknown, unknown> = (value, depth, ancestors, budget) => {
    if (--budget.nodes < 0) return '[…]';
    switch (typeof value) {
      case 'string':
        return cut(value, resolved.maxString);
      case 'number':
        return Number.isFinite(value) ? value : String(value);
      case 'boolean':
        return value;
      case 'bigint':
        return value.toString();
      case 'undefined':
        return undefined;
      case 'symbol':
        return cut(value.toString(), resolved.maxString);
      case 'function':
        return `[Function ${value.name || 'anonymous'}]`;
    }
    if (value === null) return null;
    const object = value as object;
    if (ancestors.includes(object)) return '[Circular]';
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
    if (object instanceof URL) return cut(object.href, resolved.maxString);
    if (object instanceof Uint8Array) return `[${object.constructor.name} ${object.byteLength} bytes]`;
    if (depth >= resolved.maxDepth) return Array.isArray(object) ? '[Array]' : '[Object]';
    ancestors.push(object);
    try {
      if (object instanceof Error) return serializeError(object, depth, ancestors, budget);
      if (Array.isArray(object) || object instanceof Set) {
        const items: readonly unknown[] = Array.isArray(object) ? object : [...object];
        const kept = Math.min(items.length, resolved.maxEntries);
        const out: unknown[] = [];
        for (let i = 0; i < kept; i += 1) out.push(sanitize(items[i], depth + 1, ancestors, budget) ?? null);
        if (items.length > resolved.maxEntries)
          out.push(`…[${items.length - resolved.maxEntries} more items]`);
        return out;
      }
      if (object instanceof Map) return sanitizeEntries([...object.entries()], depth, ancestors, budget);
      return sanitizeObject(object, depth, ancestors, budget);
    } finally {
      ancestors.pop();
    }
  };

  /** One kept entry: its key cut and redacted, its value redacted by key or sanitised. */
  const keep = (
    out: Record<string, unknown>,
    rawKey: unknown,
    raw: unknown,
    depth: number,
    ancestors: object[],
    budget: { nodes: number },
  ): boolean => {
    const key = cut(typeof rawKey === 'string' ? rawKey : String(rawKey), 256);
    const value = isSensitiveKey(key) ? REDACTED : sanitize(raw, depth + 1, ancestors, budget);
    if (value === undefined) return false;
    out[key] = value;
    return true;
  };

  // A plain object's own keys, read one at a time (no entry pairs are built: this is the
  // path of nearly every record), so one throwing getter costs that value, not the record.
  const sanitizeObject: Walk<object, Record<string, unknown>> = (object, depth, ancestors, budget) => {
    const out: Record<string, unknown> = {};
    const keys = Object.keys(object);
    let kept = 0;
    for (let i = 0; i < keys.length; i += 1) {
      const rawKey = keys[i] as string;
      if (kept >= resolved.maxEntries) {
        out['…'] = `${keys.length - kept} more keys`;
        break;
      }
      let raw: unknown;
      try {
        raw = (object as Record<string, unknown>)[rawKey];
      } catch (error) {
        raw = `[Unreadable: ${errorMessage(error)}]`;
      }
      if (keep(out, rawKey, raw, depth, ancestors, budget)) kept++;
    }
    return out;
  };

  const sanitizeEntries: Walk<readonly (readonly [unknown, unknown])[], Record<string, unknown>> = (
    entries,
    depth,
    ancestors,
    budget,
  ) => {
    const out: Record<string, unknown> = {};
    let kept = 0;
    for (const [rawKey, raw] of entries) {
      if (kept >= resolved.maxEntries) {
        out['…'] = `${entries.length - kept} more keys`;
        break;
      }
      if (keep(out, rawKey, raw, depth, ancestors, budget)) kept++;
    }
    return out;
  };

  const serializeError: Walk<Error, SerializedError> = (error, depth, ancestors, budget) => {
    const out: {
      name: string;
      message: string;
      code?: string | number;
      stack?: string;
      cause?: unknown;
    } = {
      name: cut(String(error.name || 'Error'), 256),
      message: cut(String(error.message ?? ''), resolved.maxString),
    };
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') out.code = cut(code, 256);
    else if (typeof code === 'number') out.code = code;
    if (typeof error.stack === 'string') out.stack = cut(error.stack, resolved.maxStack);
    if (error.cause !== undefined) out.cause = sanitize(error.cause, depth + 1, ancestors, budget);
    return out;
  };

  /**
   * The common detail, a plain object of short strings, finite numbers, booleans and nulls,
   * copied in one loop with the same result the walk gives it (the same redaction by key and
   * by value, `undefined` dropped); `undefined` for anything else, which the walk then takes.
   * Nearly every record takes this path: one loop, where the walk recurses through a
   * handful of functions per value.
   */
  const flat = (detail: object): Record<string, unknown> | undefined => {
    if (Object.getPrototypeOf(detail) !== Object.prototype) return undefined;
    const keys = Object.keys(detail);
    if (keys.length > resolved.maxEntries || keys.length >= resolved.maxNodes) return undefined;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i += 1) {
      const rawKey = keys[i] as string;
      if (rawKey.length > 256) return undefined;
      const key = redactor.redact(rawKey);
      const value: unknown = (detail as Record<string, unknown>)[rawKey];
      if (isSensitiveKey(key)) out[key] = REDACTED;
      else if (typeof value === 'string') {
        if (value.length > resolved.maxString) return undefined;
        out[key] = redactor.redact(value);
      } else if (typeof value === 'number') {
        if (!Number.isFinite(value)) return undefined;
        out[key] = value;
      } else if (typeof value === 'boolean' || value === null) out[key] = value;
      else if (value !== undefined) return undefined;
    }
    return out;
  };

  return {
    detail(detail) {
      if (detail === undefined || detail === null) return {};
      if (typeof detail === 'object') {
        let copied: Record<string, unknown> | undefined;
        try {
          copied = flat(detail);
        } catch {
          // A throwing getter or proxy: the walk reads it again and keeps what it can.
        }
        if (copied !== undefined) return copied;
      }
      const budget = { nodes: resolved.maxNodes };
      const value = sanitize(detail, 0, [], budget);
      // A non-object detail (a bare string or error) still yields an object, as the schema requires.
      if (
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        !(detail instanceof Error)
      ) {
        return value as Record<string, unknown>;
      }
      return detail instanceof Error ? { error: value } : { value };
    },
    message(msg) {
      return cut(typeof msg === 'string' ? msg : String(msg), resolved.maxString);
    },
  };
}

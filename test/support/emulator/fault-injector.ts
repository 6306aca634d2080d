/** What a request looks like to a matcher: `method` upper case, `path` decoded and relative to /api/v10. */
export interface RequestInfo {
  readonly method: string;
  readonly path: string;
}

/**
 * Selects requests: a string matches when `"METHOD /path"` contains it, a RegExp is
 * tested against `"METHOD /path"`, a function decides itself.
 */
export type RouteMatcher = string | RegExp | ((request: RequestInfo) => boolean);

export interface InjectedFault {
  readonly status: number;
  /** Discord's JSON error code (10003 unknown channel, 50001 missing access, 50013 missing permissions…). */
  readonly code?: number;
  readonly message?: string;
  /** For 429: seconds the client must wait. @default 1 */
  readonly retryAfterSec?: number;
  /** For 429: a global limit instead of a bucket one. @default false */
  readonly global?: boolean;
}

export interface FaultResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: {
    readonly message: string;
    readonly code: number;
    readonly retry_after?: number;
    readonly global?: boolean;
  };
}

interface Armed {
  readonly matches: (request: RequestInfo) => boolean;
  readonly fault: InjectedFault;
  remaining: number;
}

const DEFAULT_MESSAGES: Readonly<Record<number, string>> = {
  401: '401: Unauthorized',
  403: 'Missing Permissions',
  404: 'Unknown Channel',
  429: 'You are being rate limited.',
  500: 'Internal Server Error',
};

/** A queue of one-shot failures the REST server answers instead of the real route. */
export class FaultInjector {
  readonly #armed: Armed[] = [];

  arm(matcher: RouteMatcher, fault: InjectedFault, times = 1): void {
    if (!Number.isInteger(times) || times < 1)
      throw new RangeError(`times must be a positive integer, got ${times}`);
    this.#armed.push({ matches: toPredicate(matcher), fault, remaining: times });
  }

  clear(): void {
    this.#armed.length = 0;
  }

  /** Consumes one matching fault, if any. */
  take(request: RequestInfo): FaultResponse | undefined {
    const index = this.#armed.findIndex((a) => a.matches(request));
    const armed = this.#armed[index];
    if (armed === undefined) return undefined;
    armed.remaining -= 1;
    if (armed.remaining === 0) this.#armed.splice(index, 1);
    return render(armed.fault);
  }
}

function toPredicate(matcher: RouteMatcher): (request: RequestInfo) => boolean {
  if (typeof matcher === 'function') return matcher;
  if (typeof matcher === 'string') return (r) => `${r.method} ${r.path}`.includes(matcher);
  return (r) => matcher.test(`${r.method} ${r.path}`);
}

function render(fault: InjectedFault): FaultResponse {
  const message = fault.message ?? DEFAULT_MESSAGES[fault.status] ?? `HTTP ${fault.status}`;
  const code = fault.code ?? 0;
  if (fault.status !== 429) return { status: fault.status, headers: {}, body: { message, code } };
  const retryAfter = fault.retryAfterSec ?? 1;
  const global = fault.global ?? false;
  const headers: Record<string, string> = {
    'retry-after': String(retryAfter),
    'x-ratelimit-limit': '5',
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset-after': String(retryAfter),
    'x-ratelimit-reset': String(Date.now() / 1000 + retryAfter),
    'x-ratelimit-bucket': 'emulated-bucket',
    'x-ratelimit-scope': global ? 'global' : 'user',
  };
  if (global) headers['x-ratelimit-global'] = 'true';
  return { status: 429, headers, body: { message, code, retry_after: retryAfter, global } };
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { positiveInteger, positiveNumber } from '../check-option.ts';
import type { Clock } from '../clock.ts';
import { definedOnly } from '../defined-only.ts';
import type { HealthSnapshot } from '../health/types.ts';
import type { Logger } from '../logging/logger.ts';
import { CACHED_EXPOSITION_DEFAULTS, createCachedExposition } from '../metrics/cached-exposition.ts';
import type { MetricsExposition } from '../metrics/metrics-exposition.ts';
import { createBearerCheck } from './bearer-auth.ts';
import { publicHealth } from './public-health.ts';

/** Options of {@link createHttpServer}. */
export interface HttpServerOptions {
  /** `PROMETHEUS_HOST`: a name or an IP literal to bind. @default '0.0.0.0' */
  readonly host?: string;
  /** `PROMETHEUS_PORT`; 0 picks a free port (tests). @default 8001 */
  readonly port?: number;
  /** What `/metrics` serves; without it `/metrics` is 404. */
  readonly metrics?: MetricsExposition;
  /** The snapshot `/healthz` and `/readyz` answer from. */
  readonly health: () => HealthSnapshot;
  /** False once the event loop is judged blocked; `/livez` answers 503 then. */
  readonly isLive: () => boolean;
  readonly log: Logger;
  readonly clock: Clock;
  /**
   * `OBS_HTTP_AUTH_TOKEN`: when set, `/metrics` and `/healthz` answer 401 unless the
   * request carries `Authorization: Bearer <token>`. `/livez` and `/readyz` stay open.
   */
  readonly authToken?: string;
  /**
   * `/metrics` is rendered at most once per this many ms (by `clock`); scrapes in
   * between get the last text, and scrapes during a render share it.
   * @default 1000
   */
  readonly metricsMaxAgeMs?: number;
  /**
   * Open connections at most; one more is closed as soon as it is accepted.
   * @default 64
   */
  readonly maxConnections?: number;
  /**
   * Bound on receiving a request's headers (answered 408 when passed), so a client
   * that sends them slowly cannot hold a socket.
   * @default 5000
   */
  readonly headersTimeoutMs?: number;
  /**
   * Bound on receiving a whole request, headers and body; at least `headersTimeoutMs`.
   * @default 10000
   */
  readonly requestTimeoutMs?: number;
  /**
   * How long a kept-alive connection may wait for its next request.
   * @default 5000
   */
  readonly keepAliveTimeoutMs?: number;
  /**
   * A socket with no traffic either way for this long is closed (a client that stops
   * reading its answer, a connection that never sends a byte).
   * @default 10000
   */
  readonly idleTimeoutMs?: number;
  /**
   * Default bound of {@link HttpServer.stop}.
   * @default 5000
   */
  readonly stopTimeoutMs?: number;
}

/** The probe and metrics server. */
export interface HttpServer {
  /** Resolves once listening; rejects with a clear error (`code` kept) when the port cannot be bound. */
  start(): Promise<void>;
  /** Stops accepting, closes idle connections, and cuts the rest after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
  /** Where it listens, once started. */
  address(): { readonly host: string; readonly port: number } | undefined;
}

export const HTTP_SERVER_DEFAULTS = {
  host: '0.0.0.0',
  port: 8001,
  metricsMaxAgeMs: CACHED_EXPOSITION_DEFAULTS.maxAgeMs,
  maxConnections: 64,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 10_000,
  stopTimeoutMs: 5_000,
} as const satisfies Required<
  Pick<
    HttpServerOptions,
    | 'host'
    | 'port'
    | 'metricsMaxAgeMs'
    | 'maxConnections'
    | 'headersTimeoutMs'
    | 'requestTimeoutMs'
    | 'keepAliveTimeoutMs'
    | 'idleTimeoutMs'
    | 'stopTimeoutMs'
  >
>;

/** The most a request's headers may weigh; a probe or a scrape sends a few hundred bytes. */
const MAX_HEADER_BYTES = 8 * 1024;

/** At most one `http_connection_limit` warning per this long, however many connections are turned away. */
const LIMIT_WARNING_EVERY_MS = 60_000;

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

interface Reply {
  readonly status: number;
  readonly type: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const text = (status: number, body: string): Reply => ({ status, type: TEXT, body: `${body}\n` });

/**
 * A `node:http` server for `/metrics`, `/livez`, `/readyz` and `/healthz`. Every
 * answer is computed from in-memory state, so probes stay cheap while the bot is busy.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const o = { ...HTTP_SERVER_DEFAULTS, ...definedOnly(options) };
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65_535) {
    throw new Error(`port must be an integer from 0 to 65535, got ${o.port}`);
  }
  if (o.host.length === 0) throw new Error('host must not be empty');
  for (const name of [
    'headersTimeoutMs',
    'requestTimeoutMs',
    'keepAliveTimeoutMs',
    'idleTimeoutMs',
    'stopTimeoutMs',
  ] as const) {
    positiveNumber(name, o[name]);
  }
  if (o.headersTimeoutMs > o.requestTimeoutMs) {
    throw new Error(
      `headersTimeoutMs (${o.headersTimeoutMs}) must not exceed requestTimeoutMs (${o.requestTimeoutMs})`,
    );
  }
  positiveInteger('maxConnections', o.maxConnections);
  if (options.authToken !== undefined && options.authToken.length === 0) {
    throw new Error('authToken must not be empty (leave it out to serve without a token)');
  }
  const log = options.log.child({ name: 'metrics.http', subsys: 'metrics' });
  const { host, port } = o;
  const { clock } = options;
  const { stopTimeoutMs } = o;
  const authorize = options.authToken === undefined ? undefined : createBearerCheck(options.authToken);
  const metrics =
    options.metrics === undefined
      ? undefined
      : createCachedExposition({ source: options.metrics, clock, maxAgeMs: o.metricsMaxAgeMs });

  let server: Server | undefined;
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  let turnedAway = 0;
  let lastLimitWarning = Number.NEGATIVE_INFINITY;

  const route = async (req: IncomingMessage): Promise<Reply> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return { ...text(405, 'method not allowed'), headers: { Allow: 'GET, HEAD' } };
    }
    const path = (req.url ?? '/').split('?', 1)[0] ?? '';
    if (authorize !== undefined && PROTECTED.has(path)) {
      const verdict = authorize(req.headers.authorization);
      if (verdict !== 'ok') {
        log.debug('http_unauthorized', 'A request without a valid token was refused', {
          path,
          reason: verdict,
        });
        return { ...text(401, 'unauthorized'), headers: { 'WWW-Authenticate': 'Bearer' } };
      }
    }
    switch (path) {
      case '/metrics':
        if (metrics === undefined) return text(404, 'not found');
        return { status: 200, type: metrics.contentType, body: await metrics.metricsText() };
      case '/livez':
        return options.isLive() ? text(200, 'ok') : text(503, 'not live');
      case '/readyz': {
        const status = options.health().status;
        return text(status === 'not_ready' ? 503 : 200, status);
      }
      case '/healthz': {
        const snapshot = options.health();
        return {
          status: snapshot.status === 'not_ready' ? 503 : 200,
          type: JSON_TYPE,
          body: JSON.stringify(publicHealth(snapshot)),
        };
      }
      default:
        return text(404, 'not found');
    }
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    route(req)
      .catch((error: unknown): Reply => {
        log.error('http_error', 'A probe request failed', { path: knownPath(req.url), error });
        return text(isProbe(req.url) ? 503 : 500, 'unavailable');
      })
      .then((reply) => {
        if (res.writableEnded || res.destroyed) return;
        res.writeHead(reply.status, {
          'Content-Type': reply.type,
          'Content-Length': Buffer.byteLength(reply.body),
          'Cache-Control': 'no-store',
          'X-Content-Type-Options': 'nosniff',
          ...reply.headers,
        });
        res.end(req.method === 'HEAD' ? undefined : reply.body);
      })
      .catch((error: unknown) => {
        log.error('http_error', 'A probe response could not be written', { error });
      });
  };

  const listen = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const s = createServer(
        {
          headersTimeout: o.headersTimeoutMs,
          requestTimeout: o.requestTimeoutMs,
          // Node checks the two bounds above on this interval (30 s unless told).
          connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(o.headersTimeoutMs / 4))),
          maxHeaderSize: MAX_HEADER_BYTES,
        },
        handle,
      );
      s.keepAliveTimeout = o.keepAliveTimeoutMs;
      s.maxConnections = o.maxConnections;
      s.setTimeout(o.idleTimeoutMs);
      s.on('drop', () => {
        turnedAway += 1;
        const now = clock.now();
        if (now - lastLimitWarning < LIMIT_WARNING_EVERY_MS) return;
        lastLimitWarning = now;
        log.warning(
          'http_connection_limit',
          `Connections over the limit of ${o.maxConnections} were closed`,
          {
            max_connections: o.maxConnections,
            closed: turnedAway,
          },
        );
        turnedAway = 0;
      });
      const onListenError = (error: NodeJS.ErrnoException): void => {
        const clear = describeListenError(error, host, port);
        log.error('http_error', clear.message, { host, port, code: error.code ?? null, error });
        reject(clear);
      };
      s.once('error', onListenError);
      s.listen(port, host, () => {
        s.off('error', onListenError);
        s.on('error', (error) => log.error('http_error', 'The HTTP server failed', { host, port, error }));
        s.on('clientError', (error, socket) => {
          // Malformed or timed-out requests are the client's problem; answer, close, move on.
          const code = (error as NodeJS.ErrnoException).code ?? null;
          log.debug('http_client_error', 'A client sent a bad or slow request', { code });
          if (!socket.writable) {
            socket.destroy();
            return;
          }
          socket.end(`HTTP/1.1 ${clientErrorStatus(code)}\r\nConnection: close\r\n\r\n`, () =>
            socket.destroy(),
          );
        });
        server = s;
        const bound = s.address() as AddressInfo;
        const guarded = authorize === undefined ? '' : ' (/metrics and /healthz need the token)';
        log.info('http_listening', `Metrics and probes listening on ${host}:${bound.port}${guarded}`, {
          host,
          port: bound.port,
          token_required: authorize !== undefined,
        });
        resolve();
      });
    });

  return {
    start() {
      if (stopping !== undefined) return Promise.reject(new Error('the HTTP server was stopped'));
      // A failed start may be retried; a running or pending one is shared.
      starting ??= listen().catch((error: unknown) => {
        starting = undefined;
        throw error;
      });
      return starting;
    },
    stop(timeoutMs = stopTimeoutMs) {
      stopping ??= (async () => {
        await starting?.catch(() => {});
        const s = server;
        if (s === undefined) return;
        await new Promise<void>((resolve) => {
          const bound = clock.setTimeout(() => s.closeAllConnections(), timeoutMs, { unref: true });
          s.close(() => {
            bound.cancel();
            resolve();
          });
          s.closeIdleConnections();
        });
        server = undefined;
        log.info('http_stopped', 'Metrics and probes server stopped', { host, port });
      })();
      return stopping;
    },
    address() {
      const a = server?.address();
      if (a === null || a === undefined || typeof a === 'string') return undefined;
      return { host: a.address, port: a.port };
    },
  };
}

const PROBES = new Set(['/livez', '/readyz', '/healthz']);

/** What a token guards when one is set; `/livez` and `/readyz` stay open for orchestrators. */
const PROTECTED = new Set(['/metrics', '/healthz']);

function clientErrorStatus(code: string | null): string {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  return '400 Bad Request';
}

function isProbe(url: string | undefined): boolean {
  return PROBES.has((url ?? '/').split('?', 1)[0] ?? '');
}

/** The path for the log, only when it is one of ours, so request text never reaches the logs. */
function knownPath(url: string | undefined): string {
  const path = (url ?? '/').split('?', 1)[0] ?? '';
  return PROBES.has(path) || path === '/metrics' ? path : 'other';
}

function describeListenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const message =
    error.code === 'EADDRINUSE'
      ? `port ${port} on ${host} is in use`
      : error.code === 'EACCES'
        ? `permission denied to listen on port ${port} on ${host}`
        : error.code === 'EADDRNOTAVAIL'
          ? `address ${host} is not available on this machine (port ${port})`
          : `cannot listen on ${host}:${port}: ${error.message}`;
  return Object.assign(new Error(message, { cause: error }), { code: error.code });
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../clock.ts';
import type { HealthSnapshot } from '../health/types.ts';
import type { Logger } from '../logging/logger.ts';
import type { MetricsExposition } from '../metrics/metrics-exposition.ts';

/** Options of {@link createHttpServer}. */
export interface HttpServerOptions {
  /** `PROMETHEUS_HOST`, e.g. `0.0.0.0`. */
  readonly host: string;
  /** `PROMETHEUS_PORT`; 0 picks a free port (tests). */
  readonly port: number;
  /** What `/metrics` serves; without it `/metrics` is 404. */
  readonly metrics?: MetricsExposition;
  /** The snapshot `/healthz` and `/readyz` answer from. */
  readonly health: () => HealthSnapshot;
  /** False once the event loop is judged blocked; `/livez` answers 503 then. */
  readonly isLive: () => boolean;
  readonly log: Logger;
  readonly clock: Clock;
  /**
   * Bound on receiving a request's headers and body, so slow clients cannot hold sockets.
   * @default 10000
   */
  readonly requestTimeoutMs?: number;
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

const DEFAULTS = { requestTimeoutMs: 10_000, stopTimeoutMs: 5_000 } as const satisfies Required<
  Pick<HttpServerOptions, 'requestTimeoutMs' | 'stopTimeoutMs'>
>;

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
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
  const stopTimeoutMs = options.stopTimeoutMs ?? DEFAULTS.stopTimeoutMs;
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) {
    throw new Error(`port must be an integer from 0 to 65535, got ${options.port}`);
  }
  if (options.host.length === 0) throw new Error('host must not be empty');
  for (const [name, value] of [
    ['requestTimeoutMs', requestTimeoutMs],
    ['stopTimeoutMs', stopTimeoutMs],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0)
      throw new Error(`${name} must be a positive number, got ${value}`);
  }
  const log = options.log.child({ name: 'bot.metrics.http', subsys: 'metrics' });
  const { host, port, clock } = options;

  let server: Server | undefined;
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;

  const route = async (req: IncomingMessage): Promise<Reply> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return { ...text(405, 'method not allowed'), headers: { Allow: 'GET, HEAD' } };
    }
    const path = (req.url ?? '/').split('?', 1)[0];
    switch (path) {
      case '/metrics':
        if (options.metrics === undefined) return text(404, 'not found');
        return { status: 200, type: options.metrics.contentType, body: await options.metrics.metricsText() };
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
          body: JSON.stringify(snapshot),
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
      const s = createServer({ requestTimeout: requestTimeoutMs, headersTimeout: requestTimeoutMs }, handle);
      s.keepAliveTimeout = 5_000;
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
          // Malformed or timed-out requests are the client's problem; answer and move on.
          log.debug('http_client_error', 'A client sent a bad or slow request', {
            code: (error as NodeJS.ErrnoException).code ?? null,
          });
          if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
          else socket.destroy();
        });
        server = s;
        const bound = s.address() as AddressInfo;
        log.info('http_listening', `Metrics and probes listening on ${host}:${bound.port}`, {
          host,
          port: bound.port,
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

import { Client, Events, GatewayIntentBits, type RateLimitData } from 'discord.js';
import { positiveNumber } from '../core/check-option.ts';
import { type Clock, systemClock, type Timer } from '../core/clock.ts';
import { errorText } from '../core/error-text.ts';
import type { GatewayObserver } from '../core/health/types.ts';
import type { Logger } from '../core/logging/logger.ts';
import { createRedactor } from '../core/logging/redactor.ts';

export interface DiscordClientOptions {
  /** The bot token; used for login only, never logged nor put in an error. */
  readonly token: string;
  /** `DISCORD_API_URL`. @default 'https://discord.com/api' */
  readonly apiUrl?: string;
  /** @default 'https://cdn.discordapp.com', or `${apiUrl}/cdn` when apiUrl is given */
  readonly cdnUrl?: string;
  readonly observer: GatewayObserver;
  readonly log: Logger;
  /** @default systemClock */
  readonly clock?: Clock;
  /** How often the heartbeat round trip is read into the observer. @default 5000 */
  readonly pingIntervalMs?: number;
  /** How long the client waits for the guilds of READY before it is ready anyway. @default 15000 */
  readonly waitGuildTimeoutMs?: number;
  /** `start()` gives up when the client is not ready this long after login. @default 60000 */
  readonly readyTimeoutMs?: number;
}

export const DISCORD_CLIENT_DEFAULTS = {
  apiUrl: 'https://discord.com/api',
  cdnUrl: 'https://cdn.discordapp.com',
  pingIntervalMs: 5_000,
  waitGuildTimeoutMs: 15_000,
  readyTimeoutMs: 60_000,
} as const satisfies Partial<DiscordClientOptions>;

/** How often the REST client drops its idle rate-limit handlers (discord.js: hourly). */
const REST_HANDLER_SWEEP_MS = 600_000;

export interface DiscordClient {
  /** The discord.js client, for the router and the ops-channel sink. */
  readonly client: Client;
  /**
   * Logs in and resolves on `clientReady`; rejects with a clear error on a bad token,
   * without retrying, and when not ready within `readyTimeoutMs` or when `signal` aborts.
   * Another call while a login is still connecting waits for that same login: there is
   * never a second gateway connection.
   */
  start(signal?: AbortSignal): Promise<void>;
  /** Destroys the client; safe to call twice or before start. */
  stop(): Promise<void>;
}

/**
 * The discord.js client with the Guilds intent only, pointed at `apiUrl`, with its
 * gateway events fed to a {@link GatewayObserver} and REST rate limits logged.
 */
export function createDiscordClient(options: DiscordClientOptions): DiscordClient {
  const token = options.token;
  if (token.trim() === '') throw new Error('createDiscordClient: the token is empty');
  const pingIntervalMs = positiveNumber(
    'pingIntervalMs',
    options.pingIntervalMs ?? DISCORD_CLIENT_DEFAULTS.pingIntervalMs,
  );
  const apiUrl = (options.apiUrl ?? DISCORD_CLIENT_DEFAULTS.apiUrl).replace(/\/+$/, '');
  const cdnUrl =
    options.cdnUrl ?? (options.apiUrl === undefined ? DISCORD_CLIENT_DEFAULTS.cdnUrl : `${apiUrl}/cdn`);
  const clock = options.clock ?? systemClock;
  const observer = options.observer;
  const log = options.log.child({ name: 'discord', subsys: 'discord' });
  // The logger redacts the token too, but this client may be given a logger that does not know it.
  const redactor = createRedactor([token]);
  const scrub = (text: string): string => redactor.redact(text);

  const logRateLimit = (info: RateLimitData): boolean => {
    log.warning('rate_limited', `Discord rate limit on ${info.route}`, {
      route: info.route,
      method: info.method,
      global: info.global,
      retry_after_ms: info.retryAfter,
      scope: info.scope,
    });
    return false;
  };

  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    // The 'rateLimited' event misses 429s on interaction callbacks (their burst handler
    // only consults this hook), so the hook is where every limit is seen; false = wait it out.
    // A deferred reply's edits go to a route keyed by its interaction token, so the REST
    // client makes a rate-limit handler per interaction and sweeps the idle ones hourly by
    // default: at 20 commands a second the retained heap climbed 22 MB an hour and fell back
    // on the hour. Sweeping every 10 minutes keeps a sixth of that.
    rest: {
      api: apiUrl,
      cdn: cdnUrl,
      rejectOnRateLimit: logRateLimit,
      handlerSweepInterval: REST_HANDLER_SWEEP_MS,
    },
    waitGuildTimeout: options.waitGuildTimeoutMs ?? DISCORD_CLIENT_DEFAULTS.waitGuildTimeoutMs,
  });

  let pingTimer: Timer | undefined;
  let stopped = false;
  let everReady = false;

  const guard =
    <A extends unknown[]>(what: string, fn: (...args: A) => void) =>
    (...args: A): void => {
      // A client being destroyed on purpose is not a gateway outage.
      if (stopped) return;
      try {
        fn(...args);
      } catch (error) {
        log.error('gateway_observer_failed', `The gateway observer threw on ${what}`, {
          hook: what,
          error_message: errorText(error, { redact: scrub }),
        });
      }
    };

  client.on(
    Events.ClientReady,
    guard('ready', () => {
      everReady = true;
      const guilds = client.guilds.cache.size;
      observer.ready(guilds);
    }),
  );
  client.on(
    Events.ShardReady,
    guard('shard_ready', () => {
      // The first shardReady precedes clientReady; later ones follow a fresh IDENTIFY.
      if (everReady) observer.ready(client.guilds.cache.size);
    }),
  );
  client.on(
    Events.ShardDisconnect,
    guard('disconnect', (event, shardId) => {
      observer.disconnected(event.code);
      log.debug('gateway_shard_disconnected', `Shard ${shardId} closed (code ${event.code})`, {
        code: event.code,
        shard_id: shardId,
      });
    }),
  );
  client.on(
    Events.ShardReconnecting,
    guard('reconnecting', (shardId) => {
      observer.reconnecting();
      log.debug('gateway_shard_reconnecting', `Shard ${shardId} reconnecting`, { shard_id: shardId });
    }),
  );
  client.on(
    Events.ShardResume,
    guard('resumed', (shardId, replayed) => {
      observer.resumed();
      log.debug('gateway_shard_resumed', `Shard ${shardId} resumed`, {
        shard_id: shardId,
        replayed_events: replayed,
      });
    }),
  );
  client.on(Events.Error, (error) => {
    log.error('discord_client_error', 'The Discord client reported an error', {
      error_message: errorText(error, { redact: scrub }),
    });
  });
  client.on(Events.Warn, (message) => {
    log.warning('discord_client_warning', scrub(message), {});
  });

  const readPing = guard('ping', () => {
    const ping = client.ws.ping;
    if (ping >= 0) observer.ping(ping);
  });

  // One login per client, shared by every start attempt. discord.js keeps retrying a
  // gateway that does not answer by itself, and a client destroyed in the middle of its
  // IDENTIFY leaves a shard that identifies again seconds later: so a retry joins the
  // login in flight instead of destroying it and logging in anew, and two gateway
  // sessions of one bot never overlap.
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  let login: Promise<void> | undefined;
  const loginOnce = (): Promise<void> => {
    login ??= (async () => {
      observer.connecting();
      try {
        await client.login(token);
      } catch (error) {
        // Nothing is connected after a refused login (a bad token, an unreachable API):
        // the next attempt may log in afresh.
        login = undefined;
        observer.disconnected(null);
        throw loginError(error, scrub);
      }
    })();
    return login;
  };

  return {
    client,
    async start(signal) {
      if (stopped) throw new Error('the Discord client was stopped; create a new one');
      if (signal?.aborted) throw signal.reason;
      if (login !== undefined) {
        log.info(
          'gateway_login_joined',
          'A login is already in progress: waiting for it instead of starting another',
          {},
        );
      }
      const readyTimeoutMs = options.readyTimeoutMs ?? DISCORD_CLIENT_DEFAULTS.readyTimeoutMs;
      let timeout: Timer | undefined;
      let onAbort = (): void => {};
      const givenUp = new Promise<never>((_, reject) => {
        timeout = clock.setTimeout(
          () => reject(new Error(`the Discord gateway did not become ready within ${readyTimeoutMs} ms`)),
          readyTimeoutMs,
          { unref: true },
        );
        onAbort = (): void => reject(signal?.reason);
      });
      givenUp.catch(() => {});
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await Promise.race([loginOnce().then(() => ready), givenUp]);
      } finally {
        timeout?.cancel();
        signal?.removeEventListener('abort', onAbort);
      }
      pingTimer ??= clock.setInterval(readPing, pingIntervalMs, { unref: true });
    },
    async stop() {
      stopped = true;
      pingTimer?.cancel();
      pingTimer = undefined;
      await client.destroy();
    },
  };
}

function loginError(error: unknown, scrub: (text: string) => string): Error {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'TokenInvalid') {
    // `permanent`: the orchestrator stops retrying; a rejected token stays rejected.
    return Object.assign(
      new Error('Discord rejected the bot token (401 Unauthorized): check DISCORD_TOKEN', {
        cause: 'TokenInvalid',
      }),
      { permanent: true },
    );
  }
  return new Error(`Discord login failed: ${errorText(error, { redact: scrub })}`);
}

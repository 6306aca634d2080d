import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createEmulatorState,
  type EmulatedAttachment,
  type EmulatedMessage,
  type InteractionCallback,
  type InteractionRecord,
  type Json,
  type SeedIds,
} from './emulator-state.ts';
import { FaultInjector, type InjectedFault, type RouteMatcher } from './fault-injector.ts';
import { GatewayServer, type ShardGatewayStats } from './gateway-server.ts';
import {
  buildComponentInteraction,
  buildInteraction,
  type InvokeAutocompleteInput,
  type InvokeCommandInput,
  type InvokeComponentInput,
} from './interaction-payloads.ts';
import { handleRest, type RequestLogEntry } from './rest-routes.ts';

export interface EmulatorOptions {
  /** HELLO's heartbeat interval; shorten it to see pings quickly. @default 41250 */
  readonly heartbeatIntervalMs?: number;
  /** An interaction first acknowledged later than this gets 10062, as on Discord. @default 3000 */
  readonly ackDeadlineMs?: number;
  /**
   * The shard count `GET /gateway/bot` recommends. Above 1 the seeded guilds are laid
   * out for it: the foreign guild on shard 0, the home guild on `homeGuildShard`.
   * @default 1
   */
  readonly shards?: number;
  /** The home guild's shard when `shards` is above 1. @default 1 */
  readonly homeGuildShard?: number;
  /** `session_start_limit.max_concurrency` of `GET /gateway/bot`: shards that may identify together. @default 1 */
  readonly maxConcurrency?: number;
  /** An IDENTIFY with fewer shards than this is closed with 4011 (sharding required). @default 1 */
  readonly minShards?: number;
  /**
   * Guilds the bot is in besides the seeded two, each with two roles and three text
   * channels, sent in READY and GUILD_CREATE like the others: a bot's size. @default 0
   */
  readonly extraGuilds?: number;
}

const DEFAULTS = {
  heartbeatIntervalMs: 41_250,
  ackDeadlineMs: 3_000,
  shards: 1,
  homeGuildShard: 1,
  maxConcurrency: 1,
  minShards: 1,
  extraGuilds: 0,
} as const satisfies Required<EmulatorOptions>;

/** What an interaction received so far. */
export interface InteractionResult {
  readonly id: string;
  readonly callbacks: readonly InteractionCallback[];
  /** Milliseconds from dispatch to the first accepted callback (with a fraction); null before it. */
  readonly ackMs: number | null;
  /** Callback type 5 (deferred) came first. */
  readonly deferred: boolean;
  /** The reply carries the ephemeral flag (64). */
  readonly ephemeral: boolean;
  /** What the user finally sees: the last edit, else the callback's data. */
  readonly embeds: readonly Json[];
  readonly content: string;
  /** The files on what the user sees (the last edit, else the first reply), bytes included. */
  readonly attachments: readonly EmulatedAttachment[];
  readonly allowedMentions: Json | null;
  readonly edits: readonly EmulatedMessage[];
  readonly followUps: readonly EmulatedMessage[];
  /** Error codes answered to late or repeated acknowledgements (10062, 40060). */
  readonly rejections: readonly number[];
  /** Autocomplete choices (callback type 8). */
  readonly choices: readonly Json[] | null;
  /** The action rows the user sees under the answer (buttons, select menus). */
  readonly components: readonly Json[];
  /**
   * The message the answer is (a reply, or for a component's update the message the
   * component is on), to press its buttons with {@link Emulator.invokeComponent}; null before one.
   */
  readonly messageId: string | null;
}

export interface InteractionHandle {
  readonly id: string;
  /** Resolves at the first callback (type 4, 5, 6, 7 or 8). */
  response(timeoutMs?: number): Promise<InteractionResult>;
  /** Resolves once the user sees an answer: a reply or an update, or a deferral followed by an edit. */
  settled(timeoutMs?: number): Promise<InteractionResult>;
  /** The current state, without waiting. */
  snapshot(): InteractionResult;
}

/** A local Discord: REST under /api/v10 and a gateway, driven by typed control methods. */
export interface Emulator {
  /** For `DISCORD_API_URL` / `rest.api`, e.g. `http://127.0.0.1:PORT/api`. */
  readonly apiUrl: string;
  readonly gatewayUrl: string;
  readonly ids: SeedIds;
  invokeCommand(input: InvokeCommandInput): InteractionHandle;
  invokeAutocomplete(input: InvokeAutocompleteInput): InteractionHandle;
  /** Presses a button or picks from a select menu on a message the bot made, as `input.user`. */
  invokeComponent(input: InvokeComponentInput): InteractionHandle;
  /** Posts to a channel (not interaction replies), oldest first, each as it is now (after its edits). */
  messages(channelId: string): readonly EmulatedMessage[];
  /** Any message the bot made, as it is now (after its edits). */
  message(id: string): EmulatedMessage | undefined;
  /** Every version of a message: as posted, then after each edit. */
  messageVersions(id: string): readonly EmulatedMessage[];
  /** Deletes a channel message, as a moderator would: later edits of it get 10008 Unknown Message. */
  deleteMessage(id: string): void;
  waitForMessages(channelId: string, n: number, timeoutMs?: number): Promise<readonly EmulatedMessage[]>;
  /** Commands from the last PUT, for a guild id or `'global'`. @default the seeded guild */
  registeredCommands(scope?: string): readonly Json[];
  /** The next `times` requests matching answer with the fault instead. */
  failNext(matcher: RouteMatcher, fault: InjectedFault, times?: number): void;
  clearFaults(): void;
  requestLog(): readonly RequestLogEntry[];
  /** Closes every gateway socket (or those of one shard id) with the code; the client then resumes. @default 4000 */
  dropGateway(closeCode?: number, shardId?: number): void;
  /** The next IDENTIFY of `shardId` is closed with `code` instead of answered (4010, 4011, 4004…). */
  closeNextIdentify(shardId: number, code: number): void;
  /** Live sessions get op 9 and must identify again. */
  invalidateSession(): void;
  /** The next RESUME gets op 9 instead of RESUMED. */
  invalidateNextResume(): void;
  stopHeartbeatAcks(): void;
  resumeHeartbeatAcks(): void;
  /** Changes the acknowledgement deadline for interactions dispatched from now on. */
  setAckDeadlineMs(ms: number): void;
  /** `GET /gateway/bot` answers 401, as for a bad token. */
  rejectToken(reject?: boolean): void;
  /** IDENTIFY and RESUME counts, and sockets that completed one. */
  gatewayStats(): {
    readonly identifies: number;
    readonly resumes: number;
    readonly connected: number;
    /** Gateway sockets open now, identified or not. */
    readonly open: number;
  };
  /** Per shard id: its IDENTIFYs, RESUMEs and live sessions. */
  shardStats(): ReadonlyMap<number, ShardGatewayStats>;
  /** The next IDENTIFY gets its READY `ms` late: a slow login. */
  delayNextIdentify(ms: number): void;
  /** Resolves when a gateway session is up (after IDENTIFY or RESUME). */
  waitForGateway(timeoutMs?: number): Promise<void>;
  /** Resolves when at least `n` gateway sessions are up at once (one per shard). */
  waitForSessions(n: number, timeoutMs?: number): Promise<void>;
  /**
   * Forgets answered interactions and the request log, so a run of hours keeps its memory
   * flat; handles already settled keep their results.
   */
  forgetHistory(): void;
  close(): Promise<void>;
}

interface Waiter {
  readonly check: () => boolean;
  readonly resolve: () => void;
}

/** Starts the emulator on 127.0.0.1 with an ephemeral port. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const resolved = { ...DEFAULTS, ...options };
  if (!(resolved.ackDeadlineMs > 0)) throw new RangeError('ackDeadlineMs must be positive');
  // Epoch milliseconds with a fraction, so an acknowledgement is timed below the millisecond;
  // ids, dates and messages take whole milliseconds.
  const origin = Date.now() - performance.now();
  const now = (): number => origin + performance.now();
  if (!(Number.isInteger(resolved.shards) && resolved.shards >= 1))
    throw new RangeError('shards must be >= 1');
  const state = createEmulatorState(
    () => Math.floor(now()),
    resolved.shards > 1
      ? { shards: resolved.shards, homeShard: resolved.homeGuildShard % resolved.shards, foreignShard: 0 }
      : undefined,
    resolved.extraGuilds,
  );
  const faults = new FaultInjector();
  const log: RequestLogEntry[] = [];
  const waiters = new Set<Waiter>();
  let tokenRejected = false;
  let ackDeadlineMs: number = resolved.ackDeadlineMs;
  let gatewayUrl = '';

  const changed = (): void => {
    for (const waiter of waiters) {
      if (waiter.check()) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
  };
  const waitFor = (check: () => boolean, timeoutMs: number, what: string): Promise<void> => {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`emulator: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter: Waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      waiters.add(waiter);
    });
  };

  const restContext = {
    state,
    faults,
    log,
    now,
    gatewayUrl: () => gatewayUrl,
    tokenRejected: () => tokenRejected,
    shards: resolved.shards,
    maxConcurrency: resolved.maxConcurrency,
    changed,
  };
  const server = createServer((req, res) => {
    handleRest(req, res, restContext).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'emulator error', code: 0 }));
    });
  });
  const gateway = new GatewayServer(server, state, {
    heartbeatIntervalMs: resolved.heartbeatIntervalMs,
    minShards: resolved.minShards,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  gatewayUrl = `ws://127.0.0.1:${port}/gateway`;
  gateway.url = gatewayUrl;
  // Gateway traffic changes what waitForGateway sees; poll cheaply rather than wire every frame.
  const poll = setInterval(changed, 20);
  poll.unref();

  const snapshot = (record: InteractionRecord): InteractionResult => {
    const first = record.callbacks[0];
    const lastEdit = record.edits.at(-1);
    const data = first?.data ?? null;
    return {
      id: record.id,
      callbacks: [...record.callbacks],
      ackMs: first?.atMs ?? null,
      deferred: first?.type === 5,
      ephemeral: ((Number(data?.flags ?? 0) | 0) & 64) === 64,
      embeds: lastEdit ? lastEdit.embeds : ((data?.embeds as Json[] | undefined) ?? []),
      content: lastEdit ? lastEdit.content : String(data?.content ?? ''),
      attachments: lastEdit ? lastEdit.attachments : (record.original?.attachments ?? []),
      allowedMentions: lastEdit
        ? lastEdit.allowed_mentions
        : ((data?.allowed_mentions as Json | undefined) ?? null),
      edits: [...record.edits],
      followUps: [...record.followUps],
      rejections: [...record.rejections],
      choices: first?.type === 8 ? ((data?.choices as Json[] | undefined) ?? []) : null,
      components: lastEdit
        ? lastEdit.components
        : first?.type === 7 || first?.type === 4
          ? ((data?.components as Json[] | undefined) ?? [])
          : [],
      messageId: record.originalMessageId,
    };
  };

  const dispatch = (
    built: { payload: Json; channelId: string },
    ids: { id: string; token: string },
    what: string,
    componentMessageId?: string,
  ): InteractionHandle => {
    const { id, token } = ids;
    const { payload, channelId } = built;
    const record: InteractionRecord = {
      id,
      token,
      channelId,
      dispatchedAt: now(),
      ackDeadlineMs,
      callbacks: [],
      edits: [],
      followUps: [],
      rejections: [],
      originalMessageId: null,
      original: null,
      ...(componentMessageId === undefined ? {} : { componentMessageId }),
    };
    state.interactions.set(id, record);
    // Delivered to the shard that owns the guild (DMs: shard 0), as Discord does.
    const guildId = typeof payload.guild_id === 'string' ? payload.guild_id : null;
    if (gateway.dispatch('INTERACTION_CREATE', payload, guildId) === 0) {
      throw new Error(
        'emulator: no gateway session of the shard owning it is connected to receive the interaction',
      );
    }
    const settledNow = (): boolean => {
      const first = record.callbacks[0];
      return first !== undefined && ((first.type !== 5 && first.type !== 6) || record.edits.length > 0);
    };
    return {
      id,
      snapshot: () => snapshot(record),
      response: (timeoutMs = 5_000) =>
        waitFor(() => record.callbacks.length > 0, timeoutMs, `a callback to ${what}`).then(() =>
          snapshot(record),
        ),
      settled: (timeoutMs = 5_000) =>
        waitFor(settledNow, timeoutMs, `an answer to ${what}`).then(() => snapshot(record)),
    };
  };

  const newIds = () => ({
    id: state.snowflake(),
    token: `emulated-interaction-${randomBytes(16).toString('hex')}`,
  });

  const invoke = (input: InvokeCommandInput, kind: 'command' | 'autocomplete'): InteractionHandle => {
    const ids = newIds();
    const built = buildInteraction(state, input, kind, { ...ids, commandId: state.snowflake() });
    return dispatch(built, ids, `/${input.name}`);
  };

  const invokeComponent = (input: InvokeComponentInput): InteractionHandle => {
    const message = state.latest(input.messageId);
    if (message === undefined)
      throw new Error(`emulator: no message ${input.messageId} to press a component on`);
    const ids = newIds();
    const built = buildComponentInteraction(state, input, message.raw, ids);
    return dispatch(built, ids, `the component ${input.customId}`, input.messageId);
  };

  return {
    apiUrl: `http://127.0.0.1:${port}/api`,
    gatewayUrl,
    ids: state.ids,
    invokeCommand: (input) => invoke(input, 'command'),
    invokeAutocomplete: (input) => invoke(input, 'autocomplete'),
    invokeComponent,
    messages: (channelId) => [...(state.messages.get(channelId) ?? [])],
    message: (id) => state.latest(id),
    messageVersions: (id) => [...(state.versions.get(id) ?? [])],
    deleteMessage(id) {
      const message = state.latest(id);
      if (message === undefined) return;
      const list = state.messages.get(message.channel_id);
      if (list !== undefined)
        state.messages.set(
          message.channel_id,
          list.filter((m) => m.id !== id),
        );
      state.versions.delete(id);
    },
    async waitForMessages(channelId, n, timeoutMs = 5_000) {
      await waitFor(() => (state.messages.get(channelId)?.length ?? 0) >= n, timeoutMs, `${n} message(s)`);
      return [...(state.messages.get(channelId) ?? [])];
    },
    registeredCommands: (scope = state.ids.guildId) => [...(state.commands.get(scope) ?? [])],
    failNext: (matcher, fault, times = 1) => faults.arm(matcher, fault, times),
    clearFaults: () => faults.clear(),
    requestLog: () => [...log],
    dropGateway: (closeCode = 4000, shardId) => gateway.drop(closeCode, shardId),
    closeNextIdentify: (shardId, code) => gateway.closeNextIdentify(shardId, code),
    invalidateSession: () => gateway.invalidateSession(),
    invalidateNextResume: () => gateway.invalidateNextResume(),
    stopHeartbeatAcks: () => gateway.setHeartbeatAcks(false),
    resumeHeartbeatAcks: () => gateway.setHeartbeatAcks(true),
    setAckDeadlineMs(ms) {
      if (!(ms > 0)) throw new RangeError('ackDeadlineMs must be positive');
      ackDeadlineMs = ms;
    },
    rejectToken: (reject = true) => {
      tokenRejected = reject;
    },
    gatewayStats: () => ({
      identifies: gateway.identifies,
      resumes: gateway.resumes,
      connected: gateway.connected,
      open: gateway.open,
    }),
    shardStats: () => gateway.shardStats(),
    delayNextIdentify: (ms) => gateway.delayNextIdentify(ms),
    waitForGateway: (timeoutMs = 5_000) =>
      waitFor(() => gateway.connected > 0, timeoutMs, 'a gateway session'),
    waitForSessions: (n, timeoutMs = 5_000) =>
      waitFor(() => gateway.connected >= n, timeoutMs, `${n} gateway session(s)`),
    forgetHistory() {
      for (const [id, record] of state.interactions) {
        const first = record.callbacks[0];
        if (first !== undefined && (first.type !== 5 || record.edits.length > 0))
          state.interactions.delete(id);
      }
      log.length = 0;
    },
    async close() {
      clearInterval(poll);
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

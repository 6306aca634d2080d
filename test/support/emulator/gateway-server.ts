import type { Server } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import type { EmulatorState, Json } from './emulator-state.ts';
import { shardOfGuild } from './snowflake.ts';

export interface GatewayOptions {
  /** Sent in HELLO. Shorter values let tests see heartbeats and pings. @default 41250 */
  readonly heartbeatIntervalMs?: number;
  /** An IDENTIFY with fewer shards than this is closed with 4011 (sharding required). @default 1 */
  readonly minShards?: number;
}

/** `[shard_id, num_shards]`, as IDENTIFY sends it and READY echoes it. */
export type ShardPair = readonly [number, number];

interface Session {
  readonly id: string;
  seq: number;
  socket: WebSocket | null;
  readonly shard: ShardPair;
}

/** IDENTIFY and RESUME counts of one shard id, and its sessions connected now. */
export interface ShardGatewayStats {
  readonly identifies: number;
  readonly resumes: number;
  readonly connected: number;
}

/** `shard` of an IDENTIFY: absent means `[0, 1]`; null when it is not a valid pair. */
function parseShard(value: unknown): ShardPair | null {
  if (value === undefined || value === null) return [0, 1];
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [id, total] = value as unknown[];
  if (!Number.isInteger(id) || !Number.isInteger(total)) return null;
  if ((total as number) < 1 || (id as number) < 0 || (id as number) >= (total as number)) return null;
  return [id as number, total as number];
}

/** The WebSocket side: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats, RESUME, dispatches. */
export class GatewayServer {
  readonly #wss: WebSocketServer;
  readonly #state: EmulatorState;
  readonly #heartbeatIntervalMs: number;
  readonly #minShards: number;
  readonly #sessions = new Map<string, Session>();
  readonly #sockets = new Set<WebSocket>();
  /** The shard id each socket identified or resumed as. */
  readonly #socketShard = new WeakMap<WebSocket, number>();
  readonly #byShard = new Map<number, { identifies: number; resumes: number }>();
  /** Shard id → the close code its next IDENTIFY gets instead of READY. */
  readonly #closeNextIdentify = new Map<number, number>();
  #acksStopped = false;
  #invalidateNextResume = false;
  #identifyDelayMs = 0;
  #url = '';
  identifies = 0;
  resumes = 0;

  constructor(server: Server, state: EmulatorState, options: GatewayOptions = {}) {
    this.#state = state;
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41_250;
    this.#minShards = options.minShards ?? 1;
    this.#wss = new WebSocketServer({ server, path: '/gateway' });
    this.#wss.on('connection', (socket) => this.#accept(socket));
  }

  set url(value: string) {
    this.#url = value;
  }

  /** Sockets that finished IDENTIFY or RESUME. */
  get connected(): number {
    let n = 0;
    for (const s of this.#sessions.values())
      if (s.socket !== null && s.socket.readyState === s.socket.OPEN) n += 1;
    return n;
  }

  /** Sockets open now, whether or not they identified: two at once means two connections. */
  get open(): number {
    return this.#sockets.size;
  }

  /** The next IDENTIFY is answered `ms` later, as when Discord is slow to answer a login. */
  delayNextIdentify(ms: number): void {
    this.#identifyDelayMs = ms;
  }

  /** Per shard id: IDENTIFYs, RESUMEs and live sessions. */
  shardStats(): ReadonlyMap<number, ShardGatewayStats> {
    const stats = new Map<number, ShardGatewayStats>();
    for (const [id, counts] of this.#byShard) stats.set(id, { ...counts, connected: 0 });
    for (const s of this.#sessions.values()) {
      if (s.socket === null || s.socket.readyState !== s.socket.OPEN) continue;
      const [id] = s.shard;
      const known = stats.get(id) ?? { identifies: 0, resumes: 0, connected: 0 };
      stats.set(id, { ...known, connected: known.connected + 1 });
    }
    return stats;
  }

  /** The next IDENTIFY of `shardId` is closed with `code` (4010 invalid shard, 4011 sharding required…). */
  closeNextIdentify(shardId: number, code: number): void {
    this.#closeNextIdentify.set(shardId, code);
  }

  /**
   * Sends a dispatch to every live session, or with `guildId` only to the sessions of
   * the shard that owns that guild (null: a DM, shard 0); returns how many received it.
   */
  dispatch(t: string, d: unknown, guildId?: string | null): number {
    let sent = 0;
    for (const session of this.#sessions.values()) {
      if (session.socket === null || session.socket.readyState !== session.socket.OPEN) continue;
      if (guildId !== undefined) {
        const [id, total] = session.shard;
        if (id !== (guildId === null ? 0 : shardOfGuild(guildId, total))) continue;
      }
      session.seq += 1;
      session.socket.send(JSON.stringify({ op: 0, t, s: session.seq, d }));
      sent += 1;
    }
    return sent;
  }

  /** Closes every gateway socket, or only those of `shardId`, with `closeCode`. */
  drop(closeCode: number, shardId?: number): void {
    for (const socket of this.#sockets) {
      if (shardId === undefined || this.#socketShard.get(socket) === shardId)
        socket.close(closeCode, 'emulator drop');
    }
  }

  /** Tells live sessions to start over (op 9); any later RESUME of them is refused too. */
  invalidateSession(): void {
    for (const session of this.#sessions.values()) session.socket?.send(JSON.stringify({ op: 9, d: false }));
    this.#sessions.clear();
  }

  /** The next RESUME is answered with op 9 instead of RESUMED. */
  invalidateNextResume(): void {
    this.#invalidateNextResume = true;
  }

  setHeartbeatAcks(enabled: boolean): void {
    this.#acksStopped = !enabled;
  }

  close(): Promise<void> {
    for (const socket of this.#sockets) socket.terminate();
    return new Promise((resolve) => this.#wss.close(() => resolve()));
  }

  #accept(socket: WebSocket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.terminate());
    socket.send(
      JSON.stringify({ op: 10, s: null, t: null, d: { heartbeat_interval: this.#heartbeatIntervalMs } }),
    );
    socket.on('message', (data) => {
      let payload: { op?: number; d?: Json | number | null };
      try {
        payload = JSON.parse(String(data)) as typeof payload;
      } catch {
        socket.close(4002, 'Decode error');
        return;
      }
      this.#onPayload(socket, payload.op, payload.d);
    });
  }

  #onPayload(socket: WebSocket, op: number | undefined, d: unknown): void {
    switch (op) {
      case 1:
        if (!this.#acksStopped) socket.send(JSON.stringify({ op: 11 }));
        return;
      case 2:
        this.#identify(socket, (d ?? {}) as Json);
        return;
      case 6:
        this.#resume(socket, (d ?? {}) as Json);
        return;
      default:
        // Presence updates, member chunk requests and the like need no answer here.
        return;
    }
  }

  #count(shardId: number, what: 'identifies' | 'resumes'): void {
    const counts = this.#byShard.get(shardId) ?? { identifies: 0, resumes: 0 };
    counts[what] += 1;
    this.#byShard.set(shardId, counts);
  }

  #identify(socket: WebSocket, d: Json): void {
    this.identifies += 1;
    const shard = parseShard(d.shard);
    if (shard === null) {
      socket.close(4010, 'Invalid shard');
      return;
    }
    const [shardId, total] = shard;
    this.#count(shardId, 'identifies');
    this.#socketShard.set(socket, shardId);
    if (total < this.#minShards) {
      socket.close(4011, 'Sharding required');
      return;
    }
    const fault = this.#closeNextIdentify.get(shardId);
    if (fault !== undefined) {
      this.#closeNextIdentify.delete(shardId);
      socket.close(fault, 'emulator fault');
      return;
    }
    const delay = this.#identifyDelayMs;
    if (delay > 0) {
      this.#identifyDelayMs = 0;
      setTimeout(() => {
        if (socket.readyState === socket.OPEN) this.#ready(socket, shard);
      }, delay).unref();
      return;
    }
    this.#ready(socket, shard);
  }

  #ready(socket: WebSocket, shard: ShardPair): void {
    const session: Session = { id: this.#state.snowflake(), seq: 0, socket, shard };
    const [shardId, total] = shard;
    const guildIds = this.#state.guildIds.filter((id) => shardOfGuild(id, total) === shardId);
    this.#sessions.set(session.id, session);
    const { ids } = this.#state;
    const send = (t: string, d: unknown): void => {
      session.seq += 1;
      socket.send(JSON.stringify({ op: 0, t, s: session.seq, d }));
    };
    send('READY', {
      v: 10,
      user: { ...this.#state.userObject(ids.botUserId), verified: true, mfa_enabled: false, flags: 0 },
      guilds: guildIds.map((id) => ({ id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.#url,
      shard: [shardId, total],
      application: { id: ids.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      user_settings: {},
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      auth: {},
    });
    for (const guildId of guildIds) {
      const members = this.#state.guildMembers(guildId);
      send('GUILD_CREATE', {
        ...this.#state.guild(guildId),
        unavailable: false,
        large: false,
        member_count: members.length,
        joined_at: new Date().toISOString(),
        channels: this.#state.guildChannels(guildId),
        members: members.map((id) => this.#state.memberObject(id)),
        threads: [],
        presences: [],
        voice_states: [],
        emojis: [],
        stickers: [],
        stage_instances: [],
        guild_scheduled_events: [],
        soundboard_sounds: [],
      });
    }
  }

  #resume(socket: WebSocket, d: Json): void {
    this.resumes += 1;
    const session = this.#sessions.get(String(d.session_id ?? ''));
    if (this.#invalidateNextResume || session === undefined) {
      this.#invalidateNextResume = false;
      socket.send(JSON.stringify({ op: 9, d: false }));
      return;
    }
    session.socket = socket;
    this.#socketShard.set(socket, session.shard[0]);
    this.#count(session.shard[0], 'resumes');
    session.seq += 1;
    socket.send(JSON.stringify({ op: 0, t: 'RESUMED', s: session.seq, d: {} }));
  }
}

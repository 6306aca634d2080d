import type { Server } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import type { EmulatorState, Json } from './emulator-state.ts';

export interface GatewayOptions {
  /** Sent in HELLO. Shorter values let tests see heartbeats and pings. @default 41250 */
  readonly heartbeatIntervalMs?: number;
}

interface Session {
  readonly id: string;
  seq: number;
  socket: WebSocket | null;
}

/** The WebSocket side: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats, RESUME, dispatches. */
export class GatewayServer {
  readonly #wss: WebSocketServer;
  readonly #state: EmulatorState;
  readonly #heartbeatIntervalMs: number;
  readonly #sessions = new Map<string, Session>();
  readonly #sockets = new Set<WebSocket>();
  #acksStopped = false;
  #invalidateNextResume = false;
  #identifyDelayMs = 0;
  #url = '';
  identifies = 0;
  resumes = 0;

  constructor(server: Server, state: EmulatorState, options: GatewayOptions = {}) {
    this.#state = state;
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41_250;
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

  /** Sends a dispatch to every live session; returns how many received it. */
  dispatch(t: string, d: unknown): number {
    let sent = 0;
    for (const session of this.#sessions.values()) {
      if (session.socket === null || session.socket.readyState !== session.socket.OPEN) continue;
      session.seq += 1;
      session.socket.send(JSON.stringify({ op: 0, t, s: session.seq, d }));
      sent += 1;
    }
    return sent;
  }

  drop(closeCode: number): void {
    for (const socket of this.#sockets) socket.close(closeCode, 'emulator drop');
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
        this.#identify(socket);
        return;
      case 6:
        this.#resume(socket, (d ?? {}) as Json);
        return;
      default:
        // Presence updates, member chunk requests and the like need no answer here.
        return;
    }
  }

  #identify(socket: WebSocket): void {
    this.identifies += 1;
    const delay = this.#identifyDelayMs;
    if (delay > 0) {
      this.#identifyDelayMs = 0;
      setTimeout(() => {
        if (socket.readyState === socket.OPEN) this.#ready(socket);
      }, delay).unref();
      return;
    }
    this.#ready(socket);
  }

  #ready(socket: WebSocket): void {
    const session: Session = { id: this.#state.snowflake(), seq: 0, socket };
    this.#sessions.set(session.id, session);
    const { ids } = this.#state;
    const send = (t: string, d: unknown): void => {
      session.seq += 1;
      socket.send(JSON.stringify({ op: 0, t, s: session.seq, d }));
    };
    send('READY', {
      v: 10,
      user: { ...this.#state.userObject(ids.botUserId), verified: true, mfa_enabled: false, flags: 0 },
      guilds: this.#state.guildIds.map((id) => ({ id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.#url,
      shard: [0, 1],
      application: { id: ids.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      user_settings: {},
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      auth: {},
    });
    for (const guildId of this.#state.guildIds) {
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
    session.seq += 1;
    socket.send(JSON.stringify({ op: 0, t: 'RESUMED', s: session.seq, d: {} }));
  }
}

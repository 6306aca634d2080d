import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatedMessage, EmulatorState, InteractionRecord, Json } from './emulator-state.ts';
import type { FaultInjector } from './fault-injector.ts';

/** One REST request as the emulator saw it. The Authorization header is noted, never stored. */
export interface RequestLogEntry {
  readonly method: string;
  /** Decoded, relative to /api/v10, without the query string. */
  readonly path: string;
  readonly status: number;
  /** Epoch milliseconds when the request arrived. */
  readonly at: number;
  readonly authorized: boolean;
}

export interface RestContext {
  readonly state: EmulatorState;
  readonly faults: FaultInjector;
  readonly log: RequestLogEntry[];
  readonly now: () => number;
  gatewayUrl(): string;
  tokenRejected(): boolean;
  /** What `GET /gateway/bot` recommends. */
  readonly shards: number;
  readonly maxConcurrency: number;
  /** Called after anything observable changed, so waiters can re-check. */
  changed(): void;
}

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

type Handler = (match: RegExpMatchArray, body: Json, ctx: RestContext, query: URLSearchParams) => Reply;

const API_PREFIX = '/api/v10';

const error = (status: number, code: number, message: string): Reply => ({ status, body: { message, code } });
const notFound = (): Reply => error(404, 0, '404: Not Found');

/** Serves one HTTP request of the REST API; anything outside /api/v10 is a 404. */
export async function handleRest(req: IncomingMessage, res: ServerResponse, ctx: RestContext): Promise<void> {
  const at = ctx.now();
  const url = new URL(req.url ?? '/', 'http://emulator');
  const method = (req.method ?? 'GET').toUpperCase();
  const path = decodeURIComponent(
    url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) : url.pathname,
  );
  const authorized = typeof req.headers.authorization === 'string' && req.headers.authorization.length > 0;
  const raw = await readBody(req);
  let reply: Reply;
  if (!url.pathname.startsWith(`${API_PREFIX}/`)) reply = notFound();
  else {
    const fault = ctx.faults.take({ method, path });
    if (fault) reply = fault;
    else {
      let body: Json = {};
      try {
        body = raw.length > 0 ? (JSON.parse(raw) as Json) : {};
      } catch {
        reply = error(400, 50109, 'The request body contains invalid JSON.');
      }
      reply ??= route(method, path, body, ctx, url.searchParams);
    }
  }
  ctx.log.push({ method, path, status: reply.status, at, authorized });
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
  } else {
    headers['content-type'] = 'application/json';
    res.writeHead(reply.status, headers).end(JSON.stringify(reply.body));
  }
  ctx.changed();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const ROUTES: ReadonlyArray<readonly [string, RegExp, Handler]> = [
  ['GET', /^\/gateway\/bot$/, (_m, _b, ctx) => gatewayBot(ctx)],
  ['GET', /^\/gateway$/, (_m, _b, ctx) => ({ status: 200, body: { url: ctx.gatewayUrl() } })],
  [
    'GET',
    /^\/users\/@me$/,
    (_m, _b, ctx) => ({ status: 200, body: ctx.state.userObject(ctx.state.ids.botUserId) }),
  ],
  [
    'GET',
    /^\/(?:oauth2\/)?applications\/@me$/,
    (_m, _b, ctx) => ({ status: 200, body: ctx.state.application() }),
  ],
  ['POST', /^\/interactions\/(\d+)\/([^/]+)\/callback$/, (m, b, ctx, q) => interactionCallback(m, b, ctx, q)],
  ['GET', /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/, (m, _b, ctx) => getOriginal(m, ctx)],
  [
    'PATCH',
    /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/,
    (m, b, ctx) => editWebhookMessage(m, b, ctx),
  ],
  ['DELETE', /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/, () => ({ status: 204 })],
  ['POST', /^\/webhooks\/(\d+)\/([^/]+)$/, (m, b, ctx) => followUp(m, b, ctx)],
  ['GET', /^\/channels\/(\d+)$/, (m, _b, ctx) => getChannel(m, ctx)],
  ['POST', /^\/channels\/(\d+)\/messages$/, (m, b, ctx) => postMessage(m, b, ctx)],
  ['GET', /^\/channels\/(\d+)\/messages$/, (m, _b, ctx) => listMessages(m, ctx)],
  ['GET', /^\/guilds\/(\d+)$/, (m, _b, ctx) => guildOnly(m, ctx, (id) => ctx.state.guild(id))],
  ['GET', /^\/guilds\/(\d+)\/roles$/, (m, _b, ctx) => guildOnly(m, ctx, (id) => ctx.state.roles(id))],
  [
    'GET',
    /^\/guilds\/(\d+)\/channels$/,
    (m, _b, ctx) => guildOnly(m, ctx, (id) => ctx.state.guildChannels(id)),
  ],
  ['GET', /^\/guilds\/(\d+)\/members\/(\d+)$/, (m, _b, ctx) => getMember(m, ctx)],
  ['PUT', /^\/applications\/(\d+)\/commands$/, (m, b, ctx) => putCommands(m, b, ctx, 'global')],
  [
    'GET',
    /^\/applications\/(\d+)\/commands$/,
    (_m, _b, ctx) => ({ status: 200, body: ctx.state.commands.get('global') ?? [] }),
  ],
  ['DELETE', /^\/applications\/(\d+)\/commands\/(\d+)$/, (m, _b, ctx) => deleteCommand(m, ctx, 'global')],
  [
    'PUT',
    /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/,
    (m, b, ctx) => putCommands(m, b, ctx, m[2] ?? ''),
  ],
  [
    'GET',
    /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/,
    (m, _b, ctx) => ({ status: 200, body: ctx.state.commands.get(m[2] ?? '') ?? [] }),
  ],
];

function route(method: string, path: string, body: Json, ctx: RestContext, query: URLSearchParams): Reply {
  for (const [routeMethod, pattern, handler] of ROUTES) {
    if (routeMethod !== method) continue;
    const match = path.match(pattern);
    if (match) return handler(match, body, ctx, query);
  }
  return notFound();
}

function gatewayBot(ctx: RestContext): Reply {
  if (ctx.tokenRejected()) return error(401, 0, '401: Unauthorized');
  return {
    status: 200,
    body: {
      url: ctx.gatewayUrl(),
      shards: ctx.shards,
      session_start_limit: {
        total: 1000,
        remaining: 999,
        reset_after: 0,
        max_concurrency: ctx.maxConcurrency,
      },
    },
  };
}

function interactionCallback(
  m: RegExpMatchArray,
  body: Json,
  ctx: RestContext,
  query: URLSearchParams,
): Reply {
  const record = ctx.state.interactions.get(m[1] ?? '');
  if (record === undefined || record.token !== m[2]) return error(404, 10062, 'Unknown interaction');
  const elapsed = ctx.now() - record.dispatchedAt;
  if (record.callbacks.length > 0) {
    record.rejections.push(40060);
    return error(400, 40060, 'Interaction has already been acknowledged.');
  }
  if (elapsed > record.ackDeadlineMs) {
    record.rejections.push(10062);
    return error(404, 10062, 'Unknown interaction');
  }
  const type = typeof body.type === 'number' ? body.type : 0;
  const data = (body.data as Json | undefined) ?? null;
  record.callbacks.push({ type, data, atMs: elapsed });
  let message: EmulatedMessage | undefined;
  if (type === 4 || type === 5) {
    message = ctx.state.message(record.channelId, {
      ...(data ?? {}),
      flags: type === 5 ? 64 | 128 : data?.flags,
    });
    record.originalMessageId = message.id;
  }
  if (query.get('with_response') !== 'true') return { status: 204 };
  return {
    status: 200,
    body: {
      interaction: {
        id: record.id,
        type: 2,
        activity_instance_id: null,
        response_message_id: message?.id ?? null,
      },
      resource: { type, ...(message ? { message: message.raw } : {}) },
    },
  };
}

function findByToken(
  ctx: RestContext,
  appId: string | undefined,
  token: string | undefined,
): InteractionRecord | undefined {
  if (appId !== ctx.state.ids.applicationId) return undefined;
  for (const record of ctx.state.interactions.values()) if (record.token === token) return record;
  return undefined;
}

function getOriginal(m: RegExpMatchArray, ctx: RestContext): Reply {
  const record = findByToken(ctx, m[1], m[2]);
  if (record === undefined || record.originalMessageId === null) return error(404, 10008, 'Unknown Message');
  const last = record.edits.at(-1);
  return { status: 200, body: last?.raw ?? ctx.state.message(record.channelId, {}).raw };
}

function editWebhookMessage(m: RegExpMatchArray, body: Json, ctx: RestContext): Reply {
  const record = findByToken(ctx, m[1], m[2]);
  if (record === undefined) return error(404, 10015, 'Unknown Webhook');
  if (m[3] === '@original' && record.originalMessageId === null) return error(404, 10008, 'Unknown Message');
  const message = ctx.state.message(record.channelId, body);
  record.edits.push(message);
  return { status: 200, body: message.raw };
}

function followUp(m: RegExpMatchArray, body: Json, ctx: RestContext): Reply {
  const record = findByToken(ctx, m[1], m[2]);
  if (record === undefined) return error(404, 10015, 'Unknown Webhook');
  if (record.callbacks.length === 0) return error(404, 10015, 'Unknown Webhook');
  const message = ctx.state.message(record.channelId, body);
  record.followUps.push(message);
  return { status: 200, body: message.raw };
}

function getChannel(m: RegExpMatchArray, ctx: RestContext): Reply {
  const channel = ctx.state.channels.get(m[1] ?? '');
  return channel ? { status: 200, body: channel } : error(404, 10003, 'Unknown Channel');
}

function postMessage(m: RegExpMatchArray, body: Json, ctx: RestContext): Reply {
  const channelId = m[1] ?? '';
  if (!ctx.state.channels.has(channelId)) return error(404, 10003, 'Unknown Channel');
  const message = ctx.state.message(channelId, body);
  const list = ctx.state.messages.get(channelId) ?? [];
  list.push(message);
  ctx.state.messages.set(channelId, list);
  return { status: 200, body: message.raw };
}

function listMessages(m: RegExpMatchArray, ctx: RestContext): Reply {
  const channelId = m[1] ?? '';
  if (!ctx.state.channels.has(channelId)) return error(404, 10003, 'Unknown Channel');
  return { status: 200, body: (ctx.state.messages.get(channelId) ?? []).map((x) => x.raw).reverse() };
}

function guildOnly(m: RegExpMatchArray, ctx: RestContext, body: (guildId: string) => unknown): Reply {
  const guildId = m[1] ?? '';
  return ctx.state.guildIds.includes(guildId)
    ? { status: 200, body: body(guildId) }
    : error(404, 10004, 'Unknown Guild');
}

function getMember(m: RegExpMatchArray, ctx: RestContext): Reply {
  const guildId = m[1] ?? '';
  if (!ctx.state.guildIds.includes(guildId)) return error(404, 10004, 'Unknown Guild');
  if (!ctx.state.guildMembers(guildId).includes(m[2] ?? '')) return error(404, 10007, 'Unknown Member');
  return { status: 200, body: ctx.state.memberObject(m[2] ?? '') };
}

function deleteCommand(m: RegExpMatchArray, ctx: RestContext, scope: string): Reply {
  if (m[1] !== ctx.state.ids.applicationId) return error(403, 50001, 'Missing Access');
  const list = ctx.state.commands.get(scope) ?? [];
  const kept = list.filter((command) => command.id !== m[2]);
  if (kept.length === list.length) return error(404, 10063, 'Unknown application command');
  ctx.state.commands.set(scope, kept);
  return { status: 204 };
}

function putCommands(m: RegExpMatchArray, body: unknown, ctx: RestContext, scope: string): Reply {
  if (m[1] !== ctx.state.ids.applicationId) return error(403, 50001, 'Missing Access');
  if (scope !== 'global' && !ctx.state.guildIds.includes(scope)) return error(403, 50001, 'Missing Access');
  if (!Array.isArray(body)) return error(400, 50035, 'Invalid Form Body');
  const created = (body as Json[]).map((command) => ({
    ...command,
    id: ctx.state.snowflake(),
    application_id: ctx.state.ids.applicationId,
    version: ctx.state.snowflake(),
    type: command.type ?? 1,
    ...(scope === 'global' ? {} : { guild_id: scope }),
  }));
  ctx.state.commands.set(scope, created);
  return { status: 200, body: created };
}

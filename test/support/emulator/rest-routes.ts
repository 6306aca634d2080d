import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  EmulatedAttachment,
  EmulatedMessage,
  EmulatorState,
  InteractionRecord,
  Json,
  Upload,
} from './emulator-state.ts';
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

type Handler = (
  match: RegExpMatchArray,
  body: Json,
  ctx: RestContext,
  query: URLSearchParams,
  uploads: readonly Upload[],
) => Reply;

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
  // Discord's form: `Bot <token>`, once (a token pasted with its own prefix would read `Bot Bot …`).
  const authorized = /^Bot (?!Bot )\S+$/.test(req.headers.authorization ?? '');
  const raw = await readBody(req);
  let reply: Reply;
  if (!url.pathname.startsWith(`${API_PREFIX}/`)) reply = notFound();
  else {
    const fault = ctx.faults.take({ method, path });
    if (fault) reply = fault;
    else {
      const parsed = await parseBody(raw, req.headers['content-type']);
      reply =
        'problem' in parsed
          ? parsed.problem
          : route(method, path, parsed.body, ctx, url.searchParams, parsed.uploads);
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

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

type ParsedBody = { readonly body: Json; readonly uploads: readonly Upload[] } | { readonly problem: Reply };

/**
 * A JSON body, or a multipart/form-data one as Discord takes messages with files:
 * the JSON in a `payload_json` part and each file in a `files[n]` part, described
 * by the payload's `attachments` entry whose `id` is n.
 */
async function parseBody(raw: Buffer, contentType: string | undefined): Promise<ParsedBody> {
  const invalidJson = { problem: error(400, 50109, 'The request body contains invalid JSON.') };
  if (!(contentType ?? '').toLowerCase().startsWith('multipart/form-data')) {
    try {
      return { body: raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Json) : {}, uploads: [] };
    } catch {
      return invalidJson;
    }
  }
  let form: FormData;
  try {
    form = await new Response(raw, { headers: { 'content-type': contentType ?? '' } }).formData();
  } catch {
    return { problem: error(400, 50035, 'Invalid Form Body: not multipart/form-data') };
  }
  let body: Json = {};
  const payload = form.get('payload_json');
  if (typeof payload === 'string') {
    try {
      body = JSON.parse(payload) as Json;
    } catch {
      return invalidJson;
    }
  }
  const described = new Map<string, Json>();
  const declared = attachmentsOf(body);
  for (const a of declared) described.set(String(a.id), a);
  const uploads: Upload[] = [];
  for (const [name, value] of form.entries()) {
    const index = /^files\[(\d+)\]$/.exec(name)?.[1];
    if (index === undefined || typeof value === 'string') continue;
    const meta = described.get(index);
    const description = typeof meta?.description === 'string' ? meta.description : undefined;
    uploads.push({
      filename: typeof meta?.filename === 'string' ? meta.filename : value.name,
      contentType: value.type || 'application/octet-stream',
      data: Buffer.from(await value.arrayBuffer()),
      ...(description === undefined ? {} : { description }),
    });
  }
  return { body, uploads };
}

/** The payload's `attachments` array (file descriptions, or ids of attachments to keep). */
function attachmentsOf(body: Json): Json[] {
  const body_ = (body.data as Json | undefined) ?? body;
  const list = Array.isArray(body.attachments) ? body.attachments : body_.attachments;
  return Array.isArray(list) ? (list as Json[]) : [];
}

/**
 * What an edit leaves on the message: the new uploads, plus those earlier
 * attachments its `attachments` list names by id (all of them when it has no list).
 */
function keptAttachments(
  previous: readonly EmulatedAttachment[],
  body: Json,
  uploaded: readonly EmulatedAttachment[],
): EmulatedAttachment[] {
  if (!Array.isArray(body.attachments)) return [...previous, ...uploaded];
  const ids = new Set(attachmentsOf(body).map((a) => String(a.id)));
  return [...previous.filter((a) => ids.has(a.id)), ...uploaded];
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
  [
    'POST',
    /^\/interactions\/(\d+)\/([^/]+)\/callback$/,
    (m, b, ctx, q, u) => interactionCallback(m, b, ctx, q, u),
  ],
  ['GET', /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/, (m, _b, ctx) => getOriginal(m, ctx)],
  [
    'PATCH',
    /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/,
    (m, b, ctx, _q, u) => editWebhookMessage(m, b, ctx, u),
  ],
  ['DELETE', /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/, () => ({ status: 204 })],
  ['POST', /^\/webhooks\/(\d+)\/([^/]+)$/, (m, b, ctx, _q, u) => followUp(m, b, ctx, u)],
  ['GET', /^\/channels\/(\d+)$/, (m, _b, ctx) => getChannel(m, ctx)],
  ['POST', /^\/channels\/(\d+)\/messages$/, (m, b, ctx, _q, u) => postMessage(m, b, ctx, u)],
  ['GET', /^\/channels\/(\d+)\/messages\/(\d+)$/, (m, _b, ctx) => getMessage(m, ctx)],
  ['PATCH', /^\/channels\/(\d+)\/messages\/(\d+)$/, (m, b, ctx, _q, u) => editMessage(m, b, ctx, u)],
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
  ['POST', /^\/applications\/(\d+)\/commands$/, (m, b, ctx) => postCommand(m, b, ctx)],
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

function route(
  method: string,
  path: string,
  body: Json,
  ctx: RestContext,
  query: URLSearchParams,
  uploads: readonly Upload[],
): Reply {
  for (const [routeMethod, pattern, handler] of ROUTES) {
    if (routeMethod !== method) continue;
    const match = path.match(pattern);
    if (match) return handler(match, body, ctx, query, uploads);
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
  uploads: readonly Upload[],
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
    message = ctx.state.message(
      record.channelId,
      { ...(data ?? {}), flags: type === 5 ? 64 | 128 : data?.flags },
      undefined,
      ctx.state.attachments(uploads),
    );
    record.originalMessageId = message.id;
    record.original = message;
  } else if ((type === 6 || type === 7) && record.componentMessageId !== undefined) {
    // A component's interaction answers by updating the message the component is on.
    record.originalMessageId = record.componentMessageId;
    if (type === 7) message = ctx.state.edit(record.componentMessageId, data ?? {});
  } else if (type === 6 || type === 7) {
    record.rejections.push(40060);
    return error(400, 50035, 'Invalid Form Body: only a component interaction can update a message');
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
  const latest = ctx.state.latest(record.originalMessageId);
  return latest === undefined ? error(404, 10008, 'Unknown Message') : { status: 200, body: latest.raw };
}

function editWebhookMessage(
  m: RegExpMatchArray,
  body: Json,
  ctx: RestContext,
  uploads: readonly Upload[],
): Reply {
  const record = findByToken(ctx, m[1], m[2]);
  if (record === undefined) return error(404, 10015, 'Unknown Webhook');
  if (m[3] === '@original' && record.originalMessageId === null) return error(404, 10008, 'Unknown Message');
  const id = m[3] === '@original' ? (record.originalMessageId as string) : (m[3] ?? '');
  const previous = ctx.state.latest(id);
  if (previous === undefined) return error(404, 10008, 'Unknown Message');
  const attachments = keptAttachments(previous.attachments, body, ctx.state.attachments(uploads));
  const message = ctx.state.edit(id, body, attachments);
  if (message === undefined) return error(404, 10008, 'Unknown Message');
  record.edits.push(message);
  return { status: 200, body: message.raw };
}

function followUp(m: RegExpMatchArray, body: Json, ctx: RestContext, uploads: readonly Upload[]): Reply {
  const record = findByToken(ctx, m[1], m[2]);
  if (record === undefined) return error(404, 10015, 'Unknown Webhook');
  if (record.callbacks.length === 0) return error(404, 10015, 'Unknown Webhook');
  const message = ctx.state.message(record.channelId, body, undefined, ctx.state.attachments(uploads));
  record.followUps.push(message);
  return { status: 200, body: message.raw };
}

function getChannel(m: RegExpMatchArray, ctx: RestContext): Reply {
  const channel = ctx.state.channels.get(m[1] ?? '');
  return channel ? { status: 200, body: channel } : error(404, 10003, 'Unknown Channel');
}

function postMessage(m: RegExpMatchArray, body: Json, ctx: RestContext, uploads: readonly Upload[]): Reply {
  const channelId = m[1] ?? '';
  if (!ctx.state.channels.has(channelId)) return error(404, 10003, 'Unknown Channel');
  const message = ctx.state.message(channelId, body, undefined, ctx.state.attachments(uploads));
  const list = ctx.state.messages.get(channelId) ?? [];
  list.push(message);
  ctx.state.messages.set(channelId, list);
  return { status: 200, body: message.raw };
}

function channelMessage(m: RegExpMatchArray, ctx: RestContext): EmulatedMessage | Reply {
  const channelId = m[1] ?? '';
  if (!ctx.state.channels.has(channelId)) return error(404, 10003, 'Unknown Channel');
  const found = (ctx.state.messages.get(channelId) ?? []).find((x) => x.id === m[2]);
  return found ?? error(404, 10008, 'Unknown Message');
}

function getMessage(m: RegExpMatchArray, ctx: RestContext): Reply {
  const found = channelMessage(m, ctx);
  return 'status' in found ? found : { status: 200, body: found.raw };
}

function editMessage(m: RegExpMatchArray, body: Json, ctx: RestContext, uploads: readonly Upload[]): Reply {
  const found = channelMessage(m, ctx);
  if ('status' in found) return found;
  const kept = keptAttachments(found.attachments, body, ctx.state.attachments(uploads));
  const edited = ctx.state.edit(found.id, body, kept);
  return edited === undefined ? error(404, 10008, 'Unknown Message') : { status: 200, body: edited.raw };
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

/** Creates a global command, or overwrites the one of the same name (keeping its id), like Discord. */
function postCommand(m: RegExpMatchArray, body: unknown, ctx: RestContext): Reply {
  if (m[1] !== ctx.state.ids.applicationId) return error(403, 50001, 'Missing Access');
  const input = body as Json | null;
  if (input === null || typeof input !== 'object' || Array.isArray(input) || typeof input.name !== 'string') {
    return error(400, 50035, 'Invalid Form Body');
  }
  const list = ctx.state.commands.get('global') ?? [];
  const existing = list.find((command) => command.name === input.name);
  const command: Json = {
    ...input,
    id: existing?.id ?? ctx.state.snowflake(),
    application_id: ctx.state.ids.applicationId,
    version: ctx.state.snowflake(),
    type: input.type ?? 1,
  };
  ctx.state.commands.set(
    'global',
    existing === undefined ? [...list, command] : list.map((c) => (c === existing ? command : c)),
  );
  return { status: existing === undefined ? 201 : 200, body: command };
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

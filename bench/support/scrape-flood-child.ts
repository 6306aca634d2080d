// A scrape flood in its own process, so its work never delays the emulator that times
// the bot's answers: every second, FLOOD_PER_SECOND GET requests to FLOOD_URL sent at
// once (each on a fresh connection, with FLOOD_TOKEN as a bearer token when set), for
// FLOOD_SECONDS seconds. Prints `{"type":"started"}` as the first burst goes out and one
// JSON line with the counts once every request has settled, then exits.
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface FloodReport {
  readonly type: 'done';
  readonly sent: number;
  readonly ok: number;
  readonly unauthorized: number;
  readonly other_status: number;
  /** Connections the server closed or reset before answering (its connection cap). */
  readonly refused: number;
  readonly timed_out: number;
  /** Wall time of each answered (200) scrape, ms. */
  readonly ok_ms: readonly number[];
  readonly duration_ms: number;
}

const url = new URL(process.env.FLOOD_URL ?? '');
const perSecond = Number(process.env.FLOOD_PER_SECOND ?? '200');
const seconds = Number(process.env.FLOOD_SECONDS ?? '10');
const token = process.env.FLOOD_TOKEN;
const REQUEST_TIMEOUT_MS = 5_000;

type Outcome =
  | { kind: 'ok'; ms: number }
  | { kind: 'unauthorized' | 'other_status' | 'refused' | 'timed_out' };

function scrape(): Promise<Outcome> {
  const began = performance.now();
  return new Promise((resolve) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        agent: false,
        timeout: REQUEST_TIMEOUT_MS,
        headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) resolve({ kind: 'ok', ms: performance.now() - began });
          else resolve({ kind: res.statusCode === 401 ? 'unauthorized' : 'other_status' });
        });
        res.on('error', () => resolve({ kind: 'refused' }));
      },
    );
    req.on('timeout', () => {
      req.destroy();
      resolve({ kind: 'timed_out' });
    });
    req.on('error', () => resolve({ kind: 'refused' }));
    req.end();
  });
}

const began = performance.now();
const pending: Promise<Outcome>[] = [];
process.stdout.write(`${JSON.stringify({ type: 'started' })}\n`);
for (let second = 0; second < seconds; second += 1) {
  // Each burst at its own second from the start, whatever the previous one still waits for.
  const due = began + second * 1_000;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  for (let i = 0; i < perSecond; i += 1) pending.push(scrape());
}
const outcomes = await Promise.all(pending);
const count = (kind: Outcome['kind']): number => outcomes.filter((o) => o.kind === kind).length;
const report: FloodReport = {
  type: 'done',
  sent: outcomes.length,
  ok: count('ok'),
  unauthorized: count('unauthorized'),
  other_status: count('other_status'),
  refused: count('refused'),
  timed_out: count('timed_out'),
  ok_ms: outcomes.flatMap((o) => (o.kind === 'ok' ? [Math.round(o.ms * 100) / 100] : [])),
  duration_ms: Math.round(performance.now() - began),
};
process.stdout.write(`${JSON.stringify(report)}\n`);

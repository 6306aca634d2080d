import type { Emulator } from '../../test/support/emulator/index.ts';
import type { InvokeCommandInput } from '../../test/support/emulator/interaction-payloads.ts';

/** The read-only ops commands, as an admin runs them. */
export const OPS_COMMANDS: readonly { readonly label: string; readonly input: InvokeCommandInput }[] = [
  { label: '/health', input: { name: 'health', user: 'admin' } },
  { label: '/startup', input: { name: 'startup', user: 'admin' } },
  { label: '/tasks', input: { name: 'tasks', user: 'admin' } },
  { label: '/resources', input: { name: 'resources', user: 'admin' } },
  {
    label: '/alerts list',
    input: { name: 'alerts', user: 'admin', options: [{ name: 'list', type: 1, options: [] }] },
  },
];

/**
 * `/status`, the one command for every member: its reply reads the status summary only, the
 * same with the watching on or off, so a stream of it prices the watching apart from the
 * content of the ops replies.
 */
export const STATUS_COMMAND: { readonly label: string; readonly input: InvokeCommandInput } = {
  label: '/status',
  input: { name: 'status', user: 'member' },
};

export interface LoadResult {
  readonly sent: number;
  readonly answered: number;
  readonly failed: number;
  readonly ack_ms: readonly number[];
}

/**
 * Sends `commands` (the ops commands unless told) round-robin at `perSecond` for
 * `durationMs` (each dispatched on schedule, not after the previous answer), then
 * waits for every answer.
 */
export async function steadyCommands(
  emulator: Emulator,
  perSecond: number,
  durationMs: number,
  commands: readonly { readonly input: InvokeCommandInput }[] = OPS_COMMANDS,
): Promise<LoadResult> {
  const began = Date.now();
  const waits: Promise<number | null>[] = [];
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(
        Math.floor(((Date.now() - began) / 1000) * perSecond),
        Math.floor((durationMs / 1000) * perSecond),
      );
      while (sent < due) {
        const command = commands[sent % commands.length];
        sent += 1;
        if (command === undefined) continue;
        waits.push(
          emulator
            .invokeCommand(command.input)
            .settled(10_000)
            .then(
              (r) => (r.rejections.length === 0 ? r.ackMs : null),
              () => null,
            ),
        );
      }
      if (Date.now() - began >= durationMs) resolve();
      else setTimeout(tick, 10);
    };
    tick();
  });
  const acks = await Promise.all(waits);
  const ok = acks.filter((a): a is number => a !== null);
  return { sent, answered: ok.length, failed: sent - ok.length, ack_ms: ok };
}

/** What a scraper has seen so far: good and failed scrapes, and the bytes the good ones carried. */
export interface ScrapeCounts {
  readonly ok: number;
  readonly failed: number;
  readonly bytes: number;
}

/** GETs `url` every `everyMs` until stopped, like a Prometheus server would; counts good scrapes. */
export function startScraper(
  url: string,
  everyMs: number,
): { counts(): ScrapeCounts; stop(): Promise<ScrapeCounts> } {
  let ok = 0;
  let failed = 0;
  let bytes = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    inFlight = fetch(url)
      .then(async (res) => {
        const body = await res.arrayBuffer();
        if (res.ok) {
          ok += 1;
          bytes += body.byteLength;
        } else failed += 1;
      })
      .catch(() => {
        failed += 1;
      });
  }, everyMs);
  return {
    counts: () => ({ ok, failed, bytes }),
    async stop() {
      clearInterval(timer);
      await inFlight;
      return { ok, failed, bytes };
    },
  };
}

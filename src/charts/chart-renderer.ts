import { type ChildProcess, fork } from 'node:child_process';
import { type Clock, systemClock, type Timer } from '../core/clock.ts';
import type { Logger } from '../core/logging/logger.ts';
import { siblingModule, typescriptNodeArgs } from '../typescript-runtime.ts';
import type { ChartModuleNames } from './chart-modules.ts';
import {
  type AlertRule,
  type ChartImage,
  type ChartKind,
  type ChartRequest,
  DEFAULT_ALERT_RULE,
} from './chart-requests.ts';
import type { WorkerMessage, WorkerOptions, WorkerRequest } from './chart-worker.ts';

export interface ChartRendererOptions {
  readonly log: Logger;
  /** @default systemClock */
  readonly clock?: Clock;
  /**
   * A render not back after this long is given up (the reply goes without its
   * image) and the worker restarted. @default 2000
   */
  readonly timeoutMs?: number;
  /** How long the worker may take to load the canvas and Chart.js. @default 20000 */
  readonly startTimeoutMs?: number;
  /**
   * A render the worker has not answered after this long is taken as stuck, and the
   * worker is replaced. A render past `timeoutMs` alone only loses its reply's chart: the
   * worker finishes it, and the next render goes to the same worker. @default 30000
   */
  readonly stuckMs?: number;
  /** Renders waiting beyond this are refused at once rather than queued. @default 4 */
  readonly maxQueued?: number;
  /**
   * A worker with nothing to draw for this long is stopped, giving its memory back;
   * the next chart starts a new one (a few hundred ms more, within the budget). @default 120000
   */
  readonly idleMs?: number;
  /**
   * A render process whose resident memory has passed this after a render is replaced
   * once it has nothing in hand: a bound on the canvas's native memory in a process that
   * a steady stream of charts never lets sit idle long enough to stop (at 4 charts a second
   * for two hours it stayed between 153 and 180 MB, measured). @default 268435456 (256 MiB)
   */
  readonly recycleRssBytes?: number;
  /** Which packages the worker loads; a test points one at a missing package. */
  readonly modules?: ChartModuleNames;
  /** How alerts fire here, so charts shade the same periods. @default DEFAULT_ALERT_RULE */
  readonly alertRule?: AlertRule;
}

export const CHART_RENDERER_DEFAULTS = {
  timeoutMs: 2_000,
  startTimeoutMs: 20_000,
  stuckMs: 30_000,
  maxQueued: 4,
  idleMs: 120_000,
  recycleRssBytes: 256 * 1024 ** 2,
} as const satisfies Required<
  Pick<
    ChartRendererOptions,
    'timeoutMs' | 'startTimeoutMs' | 'stuckMs' | 'maxQueued' | 'idleMs' | 'recycleRssBytes'
  >
>;

/** The render process's JavaScript heap: charts need little, and a small heap is collected sooner. */
const WORKER_NODE_OPTIONS = ['--max-old-space-size=64', '--max-semi-space-size=2'] as const;

/**
 * What the render process inherits of the bot's environment: everything but its secrets
 * (it draws from the data it is sent and needs none of them). NODE_OPTIONS stays, for a
 * bot whose TypeScript loader came through it.
 */
function workerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/TOKEN|SECRET|PASSWORD/i.test(name)));
}

/** `unavailable`: the canvas or Chart.js could not load here; every render answers undefined. */
export type ChartRendererState = 'idle' | 'starting' | 'ready' | 'unavailable' | 'closed';

/** What commands and the alert sink use: a chart, or undefined when there is none to be had in time. */
export interface ChartService {
  /** True once the worker has loaded; false before, when unavailable and after close. */
  readonly available: boolean;
  /** How alerts fire, for requests that shade firing periods. */
  readonly alertRule: AlertRule;
  /**
   * Never rejects: a failure, an overrun or a full queue is logged and answers
   * undefined. While the worker is still loading, the render waits for it within its budget.
   */
  render(request: ChartRequest): Promise<ChartImage | undefined>;
}

export interface ChartRenderer extends ChartService {
  readonly state: ChartRendererState;
  /** Starts the worker; true once it is ready, false when charts are unavailable (logged once). */
  start(): Promise<boolean>;
  /** Stops the worker; renders still waiting answer undefined. */
  close(): Promise<void>;
}

const WORKER_ENTRY = siblingModule('./chart-worker', import.meta.url);

interface Pending {
  readonly kind: ChartKind;
  readonly startedAt: number;
  readonly resolve: (image: ChartImage | undefined) => void;
  readonly timer: Timer;
}

/**
 * A render process keeps the bot running only while it has work: loading, or a render
 * answered by no one yet. Idle, it never holds up an exit.
 */
function holdOpen(child: ChildProcess, busy: boolean): void {
  if (busy) {
    child.ref();
    child.channel?.ref();
  } else {
    child.unref();
    child.channel?.unref();
  }
}

/** Stops a render process and resolves once it has exited. */
function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    // Held open until it has gone, so a close() awaited at the end of a run returns.
    holdOpen(child, true);
    child.kill('SIGKILL');
  });
}

/**
 * Renders charts in a child process, so drawing and PNG encoding (tens of
 * milliseconds) never hold up the event loop that answers Discord, and the canvas's
 * native memory (its library, font and glyph caches, malloc arenas: 25–30 MB that a
 * worker thread leaves in the bot after it stops, measured) goes away with the process
 * when it is stopped for being idle. Each render has
 * a time budget; one that fails or overruns answers undefined and is logged, so a
 * reply goes out without its image rather than late. If the canvas cannot load on
 * this platform the renderer says so once and stays unavailable.
 */
export function createChartRenderer(options: ChartRendererOptions): ChartRenderer {
  const clock = options.clock ?? systemClock;
  const log = options.log.child({ name: 'bot.charts', subsys: 'charts' });
  const timeoutMs = options.timeoutMs ?? CHART_RENDERER_DEFAULTS.timeoutMs;
  const startTimeoutMs = options.startTimeoutMs ?? CHART_RENDERER_DEFAULTS.startTimeoutMs;
  const maxQueued = options.maxQueued ?? CHART_RENDERER_DEFAULTS.maxQueued;
  const idleMs = options.idleMs ?? CHART_RENDERER_DEFAULTS.idleMs;
  const stuckMs = options.stuckMs ?? CHART_RENDERER_DEFAULTS.stuckMs;
  const recycleRssBytes = options.recycleRssBytes ?? CHART_RENDERER_DEFAULTS.recycleRssBytes;
  if (!(recycleRssBytes > 0))
    throw new RangeError(`recycleRssBytes must be positive, got ${recycleRssBytes}`);
  if (!(stuckMs > 0)) throw new RangeError(`stuckMs must be positive, got ${stuckMs}`);
  if (!(idleMs > 0)) throw new RangeError(`idleMs must be positive, got ${idleMs}`);
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${timeoutMs}`);
  if (!(startTimeoutMs > 0)) throw new RangeError(`startTimeoutMs must be positive, got ${startTimeoutMs}`);
  if (!(Number.isInteger(maxQueued) && maxQueued >= 1)) {
    throw new RangeError(`maxQueued must be a positive integer, got ${maxQueued}`);
  }
  const workerOptions: WorkerOptions = options.modules === undefined ? {} : { modules: options.modules };

  let state: ChartRendererState = 'idle';
  let worker: ChildProcess | undefined;
  /** Resolves true when the current worker is ready, false when it cannot be. */
  let workerReady: Promise<boolean> | undefined;
  let starting: Promise<boolean> | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  /** Renders the current worker was sent and has not answered, whether or not their caller still waits. */
  const outstanding = new Set<number>();
  let idleTimer: Timer | undefined;
  /** Workers let go and not yet exited: close() waits for them too, so no render process outlives the bot. */
  const exiting = new Set<Promise<void>>();
  const retire = (child: ChildProcess): void => {
    const gone = stopWorker(child).finally(() => exiting.delete(gone));
    exiting.add(gone);
  };

  /** Stops a worker with nothing to draw, giving its memory back; the next chart starts another. */
  const stopIdle = (message: string): void => {
    idleTimer?.cancel();
    idleTimer = undefined;
    if (pending.size > 0 || outstanding.size > 0 || worker === undefined) return;
    log.debug('chart_worker_idle', message, { idle_ms: idleMs });
    const old = worker;
    worker = undefined;
    workerReady = undefined;
    retire(old);
  };

  /** Stops the worker once nothing has been drawn for `idleMs`. */
  const armIdle = (): void => {
    idleTimer?.cancel();
    idleTimer = clock.setTimeout(
      () => stopIdle(`No chart for ${idleMs} ms: the render worker stops until the next one`),
      idleMs,
      { unref: true },
    );
  };

  const settle = (id: number, image: ChartImage | undefined): Pending | undefined => {
    const p = pending.get(id);
    if (p === undefined) return undefined;
    pending.delete(id);
    p.timer.cancel();
    p.resolve(image);
    if (pending.size === 0 && outstanding.size === 0 && state === 'ready') armIdle();
    return p;
  };

  /**
   * Worker `from` answered render `id`, and holds `rssBytes`; a render already given up on
   * only frees the worker. A worker past `recycleRssBytes` with nothing else in hand is let
   * go: the next render starts a fresh one.
   */
  const answered = (
    from: ChildProcess,
    id: number,
    image: ChartImage | undefined,
    rssBytes: number,
  ): Pending | undefined => {
    if (worker === from) outstanding.delete(id);
    if (worker !== from || outstanding.size === 0) holdOpen(from, false);
    if (worker === from && outstanding.size === 0 && rssBytes > recycleRssBytes) {
      log.debug('chart_worker_recycled', 'The render worker has grown: a fresh one takes the next chart', {
        rss_bytes: rssBytes,
        limit_bytes: recycleRssBytes,
      });
      worker = undefined;
      workerReady = undefined;
      retire(from);
    }
    const p = settle(id, image);
    if (p === undefined && pending.size === 0 && outstanding.size === 0 && state === 'ready') armIdle();
    return p;
  };

  const failAll = (reason: string): void => {
    for (const [id, p] of [...pending]) {
      settle(id, undefined);
      log.warning('chart_render_failed', `The ${p.kind} chart was not drawn: ${reason}`, {
        kind: p.kind,
        reason,
        duration_ms: clock.now() - p.startedAt,
      });
    }
  };

  /** Lets the worker go; a new one starts with the next render. */
  const dropWorker = (reason: string): void => {
    const old = worker;
    worker = undefined;
    workerReady = undefined;
    outstanding.clear();
    failAll(reason);
    if (old !== undefined) retire(old);
  };

  const spawn = (): Promise<boolean> => {
    let w: ChildProcess;
    try {
      w = fork(WORKER_ENTRY, [JSON.stringify(workerOptions)], {
        execArgv: [...WORKER_NODE_OPTIONS, ...typescriptNodeArgs],
        env: workerEnv(process.env),
        // The PNG's bytes cross as bytes, not as JSON.
        serialization: 'advanced',
        // Its stderr is the bot's: a crash of the process is seen where the bot runs.
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
    } catch (error) {
      unavailable(
        `the render worker could not start: ${error instanceof Error ? error.message : String(error)}`,
      );
      return Promise.resolve(false);
    }
    // Loading, the worker keeps the bot running; idle, it never does: shutdown closes it,
    // and the bot's exit closes the channel, which stops the worker.
    holdOpen(w, true);
    worker = w;
    const ready = new Promise<boolean>((resolve) => {
      const startTimer = clock.setTimeout(
        () => {
          resolve(false);
          if (worker === w) dropWorker(`the render worker did not load within ${startTimeoutMs} ms`);
          unavailable(`the render worker did not load within ${startTimeoutMs} ms`);
        },
        startTimeoutMs,
        { unref: true },
      );
      w.on('message', (m: WorkerMessage) => {
        switch (m.type) {
          case 'ready':
            startTimer.cancel();
            holdOpen(w, outstanding.size > 0);
            if (state === 'starting' || state === 'idle') {
              state = 'ready';
              armIdle();
              log.info('charts_ready', 'Charts are on: rendering in a child process', {
                font: m.font,
                load_ms: m.loadMs,
                ...m.versions,
              });
            } else {
              log.debug('chart_worker_ready', 'The render worker is ready again', { load_ms: m.loadMs });
            }
            resolve(true);
            return;
          case 'unavailable':
            startTimer.cancel();
            resolve(false);
            unavailable(m.error);
            if (worker === w) dropWorker('charts are unavailable');
            return;
          case 'image': {
            const p = answered(w, m.id, m.image, m.rssBytes);
            if (p !== undefined) {
              log.debug('chart_rendered', `Rendered the ${p.kind} chart`, {
                kind: p.kind,
                render_ms: m.image.renderMs,
                duration_ms: clock.now() - p.startedAt,
                bytes: m.image.png.byteLength,
                width: m.image.width,
                height: m.image.height,
              });
            }
            return;
          }
          case 'failed': {
            const p = answered(w, m.id, undefined, m.rssBytes);
            if (p !== undefined) {
              log.warning('chart_render_failed', `The ${p.kind} chart was not drawn: ${m.error}`, {
                kind: p.kind,
                reason: m.error,
                duration_ms: clock.now() - p.startedAt,
              });
            }
            return;
          }
        }
      });
      w.on('error', (error) => {
        startTimer.cancel();
        resolve(false);
        if (state === 'starting') unavailable(error.message);
        if (worker === w) dropWorker(`the render worker crashed: ${error.message}`);
      });
      w.on('exit', (code, signal) => {
        startTimer.cancel();
        resolve(false);
        const how = signal === null ? `with code ${code}` : `on ${signal}`;
        if (state === 'starting') unavailable(`the render worker exited ${how} while loading`);
        if (worker === w) dropWorker(`the render worker exited ${how}`);
      });
    });
    workerReady = ready;
    return ready;
  };

  const unavailable = (reason: string): void => {
    if (state === 'unavailable' || state === 'closed') return;
    state = 'unavailable';
    log.warning(
      'charts_unavailable',
      `Charts are off: ${reason}. Commands and alerts answer with text only`,
      {
        reason,
      },
    );
  };

  const ensureWorker = (): Promise<boolean> => {
    if (worker !== undefined && workerReady !== undefined) return workerReady;
    return spawn();
  };

  return {
    alertRule: options.alertRule ?? DEFAULT_ALERT_RULE,
    get state() {
      return state;
    },
    get available() {
      return state === 'ready';
    },
    start() {
      if (state === 'closed') return Promise.resolve(false);
      if (state === 'ready' || state === 'unavailable') return Promise.resolve(state === 'ready');
      state = 'starting';
      // The start only finds out whether charts can be drawn here (and says so once when they
      // cannot); unless a chart is already waiting, the worker then stops, so a bot nobody asks
      // for a chart does not keep its 100 MB or so running. The first chart starts it again.
      starting ??= ensureWorker().then((ready) => {
        if (ready) stopIdle('Charts can be drawn: the render worker stops until the first one');
        return ready;
      });
      return starting;
    },
    async render(request) {
      if (state !== 'ready' && state !== 'starting') return undefined;
      // Renders given up on but still being drawn count: they hold the worker as much.
      const queued = Math.max(pending.size, outstanding.size);
      if (queued >= maxQueued) {
        log.warning(
          'chart_render_skipped',
          `The ${request.kind} chart was skipped: ${queued} renders are waiting`,
          {
            kind: request.kind,
            queued,
          },
        );
        return undefined;
      }
      const id = nextId++;
      const startedAt = clock.now();
      idleTimer?.cancel();
      idleTimer = undefined;
      const result = new Promise<ChartImage | undefined>((resolve) => {
        const timer = clock.setTimeout(
          () => {
            if (!pending.has(id)) return;
            // The reply goes without its chart; the worker finishes drawing it (stopping it
            // mid-draw strands native memory), unless it is still at it after stuckMs.
            log.warning(
              'chart_render_timeout',
              `The ${request.kind} chart took over ${timeoutMs} ms; sent without it`,
              {
                kind: request.kind,
                budget_ms: timeoutMs,
              },
            );
            settle(id, undefined);
            const drawing = worker;
            clock.setTimeout(
              () => {
                if (worker !== drawing || !outstanding.has(id)) return;
                log.warning(
                  'chart_worker_stuck',
                  `A ${request.kind} chart has not come back in ${stuckMs} ms: the render worker is replaced`,
                  { kind: request.kind, stuck_ms: stuckMs },
                );
                dropWorker(`the render worker was stuck for ${stuckMs} ms`);
              },
              Math.max(0, stuckMs - timeoutMs),
              { unref: true },
            );
          },
          timeoutMs,
          { unref: true },
        );
        pending.set(id, { kind: request.kind, startedAt, resolve, timer });
      });
      void ensureWorker().then((ready) => {
        if (!pending.has(id)) return;
        if (!ready || worker === undefined) {
          settle(id, undefined);
          return;
        }
        try {
          worker.send({ id, request } satisfies WorkerRequest);
          outstanding.add(id);
          holdOpen(worker, true);
        } catch (error) {
          settle(id, undefined);
          log.warning('chart_render_failed', `The ${request.kind} chart was not drawn: ${String(error)}`, {
            kind: request.kind,
            reason: error instanceof Error ? error.message : String(error),
            duration_ms: clock.now() - startedAt,
          });
        }
      });
      return result;
    },
    async close() {
      if (state === 'closed') return;
      state = 'closed';
      idleTimer?.cancel();
      const w = worker;
      worker = undefined;
      workerReady = undefined;
      for (const id of [...pending.keys()]) settle(id, undefined);
      if (w !== undefined) retire(w);
      await Promise.all(exiting);
    },
  };
}

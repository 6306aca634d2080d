import {
  type ChartModuleNames,
  type ChartModules,
  DEFAULT_CHART_MODULES,
  loadChartModules,
} from './chart-modules.ts';
import type { ChartImage, ChartRequest } from './chart-requests.ts';
import { renderChart } from './render-chart.ts';

/** What the render process is told: one request at a time, each with an id. */
export interface WorkerRequest {
  readonly id: number;
  readonly request: ChartRequest;
}

/** What the render process says: first `ready` or `unavailable`, then one answer per request. */
export type WorkerMessage =
  | {
      readonly type: 'ready';
      readonly font: string;
      readonly versions: Readonly<Record<string, string>>;
      readonly loadMs: number;
    }
  | { readonly type: 'unavailable'; readonly error: string }
  | { readonly type: 'image'; readonly id: number; readonly image: ChartImage; readonly rssBytes: number }
  | { readonly type: 'failed'; readonly id: number; readonly error: string; readonly rssBytes: number };

/** Passed as the process's one argument, in JSON. */
export interface WorkerOptions {
  readonly modules?: ChartModuleNames;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const send = process.send?.bind(process);
if (send === undefined) throw new Error('chart-worker.ts runs as a child process with an IPC channel only');
const say = (m: WorkerMessage): void => {
  send(m);
};
// The bot gone (closed, crashed or killed) closes the channel: nothing is left to draw for.
process.on('disconnect', () => process.exit(0));
const options = JSON.parse(process.argv[2] ?? '{}') as WorkerOptions;

const began = performance.now();
let modules: ChartModules | undefined;
try {
  modules = await loadChartModules(options.modules ?? DEFAULT_CHART_MODULES);
} catch (error) {
  say({ type: 'unavailable', error: message(error) });
}

if (modules !== undefined) {
  const loaded = modules;
  process.on('message', (incoming: WorkerRequest) => {
    let answer: WorkerMessage;
    try {
      const image = renderChart(loaded, incoming.request);
      answer = { type: 'image', id: incoming.id, image, rssBytes: process.memoryUsage.rss() };
    } catch (error) {
      answer = {
        type: 'failed',
        id: incoming.id,
        error: message(error),
        rssBytes: process.memoryUsage.rss(),
      };
    }
    say(answer);
  });
  say({
    type: 'ready',
    font: loaded.font,
    versions: loaded.versions,
    loadMs: Math.round(performance.now() - began),
  });
}

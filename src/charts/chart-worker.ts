import { parentPort, workerData } from 'node:worker_threads';
import {
  type ChartModuleNames,
  type ChartModules,
  DEFAULT_CHART_MODULES,
  loadChartModules,
} from './chart-modules.ts';
import type { ChartImage, ChartRequest } from './chart-requests.ts';
import { renderChart } from './render-chart.ts';

/** What the worker is told: one request at a time, each with an id. */
export interface WorkerRequest {
  readonly id: number;
  readonly request: ChartRequest;
}

/** What the worker says: first `ready` or `unavailable`, then one answer per request. */
export type WorkerMessage =
  | {
      readonly type: 'ready';
      readonly font: string;
      readonly versions: Readonly<Record<string, string>>;
      readonly loadMs: number;
    }
  | { readonly type: 'unavailable'; readonly error: string }
  | { readonly type: 'image'; readonly id: number; readonly image: ChartImage }
  | { readonly type: 'failed'; readonly id: number; readonly error: string };

export interface WorkerOptions {
  readonly modules?: ChartModuleNames;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const port = parentPort;
if (port === null) throw new Error('chart-worker.ts runs as a worker thread only');
const options = (workerData ?? {}) as WorkerOptions;

const began = performance.now();
let modules: ChartModules | undefined;
try {
  modules = await loadChartModules(options.modules ?? DEFAULT_CHART_MODULES);
} catch (error) {
  port.postMessage({ type: 'unavailable', error: message(error) } satisfies WorkerMessage);
}

if (modules !== undefined) {
  const loaded = modules;
  port.on('message', (incoming: WorkerRequest) => {
    let answer: WorkerMessage;
    try {
      answer = { type: 'image', id: incoming.id, image: renderChart(loaded, incoming.request) };
    } catch (error) {
      answer = { type: 'failed', id: incoming.id, error: message(error) };
    }
    // The PNG's bytes move to the main thread instead of being copied.
    const transfer = answer.type === 'image' ? [answer.image.png.buffer as ArrayBuffer] : [];
    port.postMessage(answer, transfer);
  });
  port.postMessage({
    type: 'ready',
    font: loaded.font,
    versions: loaded.versions,
    loadMs: Math.round(performance.now() - began),
  } satisfies WorkerMessage);
}

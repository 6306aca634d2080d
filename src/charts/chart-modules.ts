import { fileURLToPath } from 'node:url';
import type * as NapiCanvas from '@napi-rs/canvas';
import type * as ChartJs from 'chart.js';

/** Which packages the charts load; tests point one at a missing package to see the bot without charts. */
export interface ChartModuleNames {
  readonly canvas: string;
  readonly chart: string;
  readonly annotation: string;
}

export const DEFAULT_CHART_MODULES = {
  canvas: '@napi-rs/canvas',
  chart: 'chart.js',
  annotation: 'chartjs-plugin-annotation',
} as const satisfies ChartModuleNames;

/** The canvas and the charting library, loaded and set up. */
export interface ChartModules {
  readonly createCanvas: (width: number, height: number) => NapiCanvas.Canvas;
  readonly Chart: typeof ChartJs.Chart;
  /** The font family that was registered (Inter), or the system fallback. */
  readonly font: string;
  readonly versions: Readonly<Record<string, string>>;
}

/** The bundled font's files: regular, semi-bold and bold, Latin. */
const FONT_FILES = [
  '@fontsource/inter/files/inter-latin-400-normal.woff2',
  '@fontsource/inter/files/inter-latin-600-normal.woff2',
  '@fontsource/inter/files/inter-latin-700-normal.woff2',
] as const;

/**
 * Loads the canvas (a native module: it is the part that may be missing on a
 * platform) and Chart.js with its annotation plugin, and registers the bundled font.
 * @throws whatever loading a module throws, e.g. "Cannot find module '@napi-rs/canvas-linux-x64-gnu'".
 */
export async function loadChartModules(
  names: ChartModuleNames = DEFAULT_CHART_MODULES,
): Promise<ChartModules> {
  const canvas = (await import(names.canvas)) as typeof NapiCanvas;
  const chartJs = (await import(names.chart)) as typeof ChartJs;
  const annotation = (await import(names.annotation)) as { default: ChartJs.Plugin };
  if (typeof canvas.createCanvas !== 'function') throw new Error(`${names.canvas} has no createCanvas()`);
  chartJs.Chart.register(...chartJs.registerables, annotation.default);
  let font = 'sans-serif';
  try {
    for (const file of FONT_FILES)
      canvas.GlobalFonts.registerFromPath(fileURLToPath(import.meta.resolve(file)), 'Inter');
    if (canvas.GlobalFonts.has('Inter')) font = 'Inter';
  } catch {
    // Without the bundled font the system's sans-serif draws the text.
  }
  return {
    createCanvas: (width, height) => canvas.createCanvas(width, height),
    Chart: chartJs.Chart,
    font,
    versions: { 'chart.js': chartJs.Chart.version },
  };
}

// `node --import ./src/ts-loader.mjs scripts/example-chart.ts`: redraws docs/resources-chart.png, the README's
// example of the /resources chart, from sample data shaped like a bad quarter hour
// (memory and CPU burst past their thresholds, then an event-loop lag spike).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadChartModules, renderChart, resourcesChartRequest } from '../src/discord/index.ts';
import { resourcesView } from '../test/support/chart-data.ts';

const now = Date.UTC(2024, 0, 15, 14, 30, 0);
const request = resourcesChartRequest(resourcesView(now), '1h', now);
if (request === undefined) throw new Error('the sample data made no chart');
const image = renderChart(await loadChartModules(), request);
const out = new URL('../docs/resources-chart.png', import.meta.url);
mkdirSync(new URL('.', out), { recursive: true });
writeFileSync(out, image.png);
process.stdout.write(
  `${fileURLToPath(out)}: ${image.width} × ${image.height}, ${Math.round(image.png.byteLength / 1024)} KB\n`,
);

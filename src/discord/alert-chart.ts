import type { ChartService } from '../charts/chart-renderer.ts';
import { type ResourceMetric, resourceAlertChartRequest } from '../charts/chart-requests.ts';
import type { AlertNotification } from '../core/alerts/types.ts';
import { RESOURCE_ALERT_KEYS } from '../core/resources/resource-monitor.ts';
import type { ResourcesView } from '../core/resources/types.ts';
import type { ReplyFile } from './command.ts';

const METRIC_OF: Readonly<Record<string, ResourceMetric>> = {
  [RESOURCE_ALERT_KEYS.memory]: 'memory',
  [RESOURCE_ALERT_KEYS.cpu]: 'cpu',
  [RESOURCE_ALERT_KEYS.eventLoopLag]: 'event_loop_lag',
};

const WORDS: Readonly<Record<ResourceMetric, string>> = {
  memory: 'memory',
  cpu: 'CPU',
  event_loop_lag: 'event-loop lag',
};

/**
 * The chart a resource alert's message carries: its metric over the quarter hour
 * before it fired, with the thresholds and the moment marked. Only for alerts that
 * fire or escalate; undefined for everything else, or when no chart can be had
 * (the renderer answers at once when charts are unavailable).
 */
export function resourceAlertChart(
  n: AlertNotification,
  view: ResourcesView,
  charts: ChartService,
): Promise<ReplyFile | undefined> | undefined {
  const metric = METRIC_OF[n.key];
  if (metric === undefined || (n.kind !== 'fired' && n.kind !== 'escalated')) {
    return undefined;
  }
  // A replayed alert (`fired` again for a sink added later) marks when it really began.
  const firedAt = Date.parse(n.kind === 'fired' ? n.since : n.at);
  const request = resourceAlertChartRequest(view, metric, firedAt, n.severity);
  if (request === undefined) return undefined;
  return charts.render(request).then((image) =>
    image === undefined
      ? undefined
      : {
          name: `alert-${metric}.png`,
          data: image.png,
          description: `Chart of ${WORDS[metric]} in the minutes before this ${n.severity} alert, with its thresholds`,
        },
  );
}

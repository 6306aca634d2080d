import type { AlertNotification, AlertSink, AlertTransition } from '../core/alerts/types.ts';
import type { Clock, Timer } from '../core/clock.ts';
import { SHARD_DOWN_KEY } from './shard-alerts.ts';

export interface ShardAlertGroupingOptions {
  readonly inner: AlertSink;
  readonly clock: Clock;
  /** How long the first shard going down (or up) waits for others to join it. @default 2000 */
  readonly windowMs?: number;
}

type Grouped = AlertTransition & { readonly kind: 'fired' | 'resolved' };

const isGrouped = (n: AlertNotification): n is Grouped =>
  (n.kind === 'fired' || n.kind === 'resolved') && !n.silenced && SHARD_DOWN_KEY.test(n.key);

const shardOf = (n: AlertTransition): string => SHARD_DOWN_KEY.exec(n.key)?.[1] ?? '?';

/** Several shards' notifications of one kind as one: "3 shards down: 1, 2, 5". */
export function mergeShardNotifications(items: readonly Grouped[]): AlertTransition {
  const first = items[0];
  if (first === undefined) throw new RangeError('nothing to merge');
  if (items.length === 1) return first;
  const ids = items
    .map(shardOf)
    .sort((a, b) => Number(a) - Number(b))
    .join(', ');
  const reasons = [...new Set(items.map((n) => n.value ?? ''))].filter((r) => r !== '');
  const fired = first.kind === 'fired';
  return {
    kind: first.kind,
    key: 'shard.*',
    title: fired ? `${items.length} shards down: ${ids}` : `${items.length} shards recovered: ${ids}`,
    severity: items.some((n) => n.severity === 'critical') ? 'critical' : 'warning',
    // A recovery says when, not why: the reasons went out with the going down.
    value:
      !fired || reasons.length === 0
        ? null
        : reasons.length === 1
          ? (reasons[0] ?? null)
          : `${reasons[0]} (and ${reasons.length - 1} other reason${reasons.length > 2 ? 's' : ''})`,
    threshold: null,
    since: items.map((n) => n.since).sort()[0] ?? first.since,
    at:
      items
        .map((n) => n.at)
        .sort()
        .at(-1) ?? first.at,
    duration_ms: fired ? null : Math.max(...items.map((n) => n.duration_ms ?? 0)),
    silenced: false,
    // A message of its own for the group: no single shard's episode (and so no buttons).
    episode: `shard.*:${items.map((n) => n.episode).join('+')}`,
    acknowledged: null,
    message_id: null,
    inhibited_by: null,
    held_back: [],
  };
}

/**
 * Wraps the ops-channel sink so that shards going down (or recovering) within
 * `windowMs` of each other make one message, as Alertmanager groups by alert name.
 * The log still has one `alert_fired` per shard; anything else passes straight through.
 */
export function createShardAlertGrouping(options: ShardAlertGroupingOptions): AlertSink {
  const { inner, clock } = options;
  const windowMs = options.windowMs ?? 2_000;
  const pending = { fired: [] as Grouped[], resolved: [] as Grouped[] };
  const timers: { fired?: Timer | undefined; resolved?: Timer | undefined } = {};

  const flush = (kind: 'fired' | 'resolved'): void => {
    timers[kind]?.cancel();
    timers[kind] = undefined;
    const items = pending[kind].splice(0);
    if (items.length > 0) inner.notify(mergeShardNotifications(items));
  };

  return {
    name: inner.name,
    notify(n) {
      if (!isGrouped(n)) {
        inner.notify(n);
        return;
      }
      // A shard that recovers before its going down was sent goes out with it, in order.
      if (n.kind === 'resolved' && pending.fired.some((f) => f.key === n.key)) flush('fired');
      pending[n.kind].push(n);
      timers[n.kind] ??= clock.setTimeout(() => flush(n.kind), windowMs, { unref: true });
    },
    async close(timeoutMs) {
      flush('fired');
      flush('resolved');
      await inner.close?.(timeoutMs);
    },
  };
}

import type { AlertSeverity, AlertTransition } from './types.ts';

/** ⚠️ for warning, ❌ for critical. */
export function severityIcon(severity: AlertSeverity): string {
  return severity === 'critical' ? '❌' : '⚠️';
}

/** A short human duration: "750ms", "42s", "4m 12s", "3h 5m", "2d 4h". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0s';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m}m` : `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d ${h % 24}h`;
}

/**
 * The one-line sentence the log shows for an alert's transition:
 * "⚠️ Memory usage high: 1.2GB (threshold: 1.0GB)".
 */
export function formatAlertMessage(n: AlertTransition): string {
  const measured =
    n.value === null ? '' : `: ${n.value}${n.threshold === null ? '' : ` (threshold: ${n.threshold})`}`;
  switch (n.kind) {
    case 'resolved':
      return `✅ Resolved after ${formatDuration(n.duration_ms ?? 0)}: ${n.title}`;
    case 'reminder': {
      const firingFor = Date.parse(n.at) - Date.parse(n.since);
      return `🔁 Still firing for ${formatDuration(firingFor)}: ${severityIcon(n.severity)} ${n.title}${measured}`;
    }
    default:
      return `${severityIcon(n.severity)} ${n.title}${measured}`;
  }
}

import type { AlertsView } from './alerts/types.ts';
import type { HealthSnapshot } from './health/types.ts';
import type { ResourcesView } from './resources/types.ts';
import type { StartupReport } from './startup/types.ts';
import type { TaskSnapshot } from './tasks/types.ts';

/**
 * The read side of the observability core that a bot's commands see, plus the few
 * actions an admin may take. Free of discord.js so any bot can render it its own way.
 */
export interface OpsView {
  health(): HealthSnapshot;
  startup(): StartupReport | undefined;
  tasks(): readonly TaskSnapshot[];
  resources(): ResourcesView;
  alerts(): AlertsView;
  /** Silences an alert key (or a `prefix.*` pattern) for `durationMs`; returns the silence's end, ISO 8601 UTC. */
  silence(key: string, durationMs: number, by: string): string;
  /** Lifts a silence; false when there was none. */
  unsilence(key: string): boolean;
}

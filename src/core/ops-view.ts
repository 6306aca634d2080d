import type { AlertActionResult, AlertsView, SilenceResult } from './alerts/types.ts';
import type { HealthSnapshot, StatusSummary } from './health/types.ts';
import type { ResourcesView } from './resources/types.ts';
import type { StartupReport } from './startup/types.ts';
import type { TaskSnapshot } from './tasks/types.ts';

/**
 * The read side of the observability core that a bot's commands see, plus the few
 * actions an admin may take. Free of discord.js so any bot can render it its own way.
 */
export interface OpsView {
  health(): HealthSnapshot;
  /** The overall status and since when, nothing else: what a public command may show. */
  status(): StatusSummary;
  startup(): StartupReport | undefined;
  tasks(): readonly TaskSnapshot[];
  resources(): ResourcesView;
  alerts(): AlertsView;
  /**
   * Silences an alert key (or a `prefix.*` pattern) for `durationMs`, a catch-all one for
   * at most a day; `by` is who asked. Says when it ends and whether it was shortened.
   */
  silence(key: string, durationMs: number, by: string): SilenceResult;
  /** Lifts a silence on behalf of `by`; false when there was none. */
  unsilence(key: string, by: string): boolean;
  /**
   * Acknowledges, on behalf of `by`, the firing alerts shown in the ops-channel message
   * `messageId`: their reminders stop and the message says who and when.
   */
  acknowledgeAlerts(messageId: string, by: string): AlertActionResult;
  /** Silences each firing alert shown in message `messageId` for `durationMs`, as {@link silence} does. */
  silenceAlerts(messageId: string, durationMs: number, by: string): AlertActionResult;
}

import type { Clock } from '../core/clock.ts';
import type { FleetView, ManagerMessage, ShardMessage } from './ipc-protocol.ts';

/** What a shard's commands use to show the whole fleet. */
export interface FleetAccess {
  /** This process's shard. */
  readonly shardId: number;
  readonly totalShards: number;
  /** The deadline of {@link FleetAccess.view}, for the note shown when it passes. */
  readonly deadlineMs: number;
  /** The fleet as the manager sees it, or undefined when it did not answer within the deadline. */
  view(): Promise<FleetView | undefined>;
}

export interface FleetClientOptions {
  readonly shardId: number;
  readonly totalShards: number;
  readonly clock: Clock;
  /** Sends one message to the manager; returns false when it could not. */
  readonly send: (message: ShardMessage) => boolean;
  /** Well inside Discord's 3 s acknowledgement window. @default 1000 */
  readonly deadlineMs?: number;
}

export interface FleetClient extends FleetAccess {
  /** Feeds a message from the manager (a response to a request). */
  handle(message: ManagerMessage): void;
}

/** Fleet-view requests to the manager over IPC, each with a deadline: nothing waits on the manager forever. */
export function createFleetClient(options: FleetClientOptions): FleetClient {
  const deadlineMs = options.deadlineMs ?? 1_000;
  const pending = new Map<number, (view: FleetView | undefined) => void>();
  let nextId = 1;
  return {
    shardId: options.shardId,
    totalShards: options.totalShards,
    deadlineMs,
    view() {
      const id = nextId++;
      return new Promise((resolve) => {
        const timer = options.clock.setTimeout(
          () => {
            pending.delete(id);
            resolve(undefined);
          },
          deadlineMs,
          { unref: true },
        );
        pending.set(id, (view) => {
          timer.cancel();
          pending.delete(id);
          resolve(view);
        });
        if (!options.send({ t: 'opsbot:fleet_request', id })) pending.get(id)?.(undefined);
      });
    },
    handle(message) {
      pending.get(message.id)?.(message.view);
    },
  };
}

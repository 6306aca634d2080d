import { type Emulator, startEmulator } from '../test/support/emulator/index.ts';
import type { InvokeCommandInput } from '../test/support/emulator/interaction-payloads.ts';
import { type BotProcess, startBotProcess } from './support/bot-process.ts';
import { OPS_COMMANDS } from './support/command-load.ts';
import { type Percentiles, percentiles } from './support/stats.ts';

export interface LatencyBenchOptions {
  /** Invocations of each command one at a time. */
  readonly sequential: number;
  /** Bursts of 50 simultaneous invocations of each command. */
  readonly bursts: number;
  /** @default 50 */
  readonly burstSize?: number;
}

export interface CommandLatency {
  readonly command: string;
  /** Dispatch of INTERACTION_CREATE to the first callback, ms (the emulator's clock, below the millisecond). */
  readonly sequential_ms: Percentiles;
  readonly concurrent_ms: Percentiles;
  readonly failed: number;
}

export interface LatencyBenchResult {
  readonly burst_size: number;
  readonly commands: readonly CommandLatency[];
  /** Every command's samples together. */
  readonly all_sequential_ms: Percentiles;
  readonly all_concurrent_ms: Percentiles;
  /**
   * The same bursts, each right after the bot's, answered by a bare discord.js client (same
   * intents and caches, no observability core) replying with a fixed embed.
   */
  readonly bare_concurrent_ms?: Percentiles;
  /** The bare client one at a time, each call right after the bot's. */
  readonly bare_sequential_ms?: Percentiles;
  readonly bare_failed?: number;
}

/**
 * The real bot in a child process, the emulator here: each ops command one at a
 * time (the next sent once the previous is answered), then in bursts sent at once.
 * The bot runs with its default monitoring (health checks, resources, both sinks at info).
 */
export async function benchLatency(options: LatencyBenchOptions): Promise<LatencyBenchResult> {
  const burstSize = options.burstSize ?? 50;
  const emulator = await startEmulator();
  const bareEmulator = await startEmulator();
  let bot: BotProcess | undefined;
  let bare: BotProcess | undefined;
  try {
    bot = await startBotProcess(emulator, { env: { LOG_LEVEL: 'info' }, console: true, prometheus: true });
    bare = await startBotProcess(bareEmulator, {
      env: {},
      console: false,
      prometheus: false,
      client: 'bare',
    });
    // Warm-up, one at a time and in a burst: the first answers load and compile the code a running bot has warm.
    for (const target of [emulator, bareEmulator]) {
      for (const command of OPS_COMMANDS) await target.invokeCommand(command.input).settled(10_000);
      await burst(target, OPS_COMMANDS, burstSize);
    }
    let bursts = 0;
    const bareConc: number[] = [];
    const bareSeq: number[] = [];
    let bareFailed = 0;
    const results: CommandLatency[] = [];
    const allSeq: number[] = [];
    const allConc: number[] = [];
    for (const command of OPS_COMMANDS) {
      let failed = 0;
      const seq: number[] = [];
      for (let i = 0; i < options.sequential; i += 1) {
        const r = await emulator.invokeCommand(command.input).settled(10_000);
        if (r.ackMs === null || r.rejections.length > 0) failed += 1;
        else seq.push(r.ackMs);
        // The bare client gets the same call right after: as warm as the bot, and a baseline one at a time.
        const b = await bareEmulator
          .invokeCommand(command.input)
          .settled(10_000)
          .catch(() => null);
        if (b === null || b.ackMs === null || b.rejections.length > 0) bareFailed += 1;
        else bareSeq.push(b.ackMs);
      }
      const conc: number[] = [];
      for (let b = 0; b < options.bursts; b += 1) {
        // The bare client's burst of the same command beside the bot's, each going first in
        // turn, so both see the same machine and neither always follows the other's burst.
        const botFirst = bursts++ % 2 === 0;
        const baseline = botFirst ? undefined : await burst(bareEmulator, [command], burstSize);
        const answers = await burst(emulator, [command], burstSize);
        conc.push(...answers.acks);
        failed += answers.failed;
        const after = baseline ?? (await burst(bareEmulator, [command], burstSize));
        bareConc.push(...after.acks);
        bareFailed += after.failed;
      }
      allSeq.push(...seq);
      allConc.push(...conc);
      results.push({
        command: command.label,
        sequential_ms: percentiles(seq),
        concurrent_ms: percentiles(conc),
        failed,
      });
    }
    return {
      burst_size: burstSize,
      commands: results,
      all_sequential_ms: percentiles(allSeq),
      all_concurrent_ms: percentiles(allConc),
      bare_sequential_ms: percentiles(bareSeq),
      bare_concurrent_ms: percentiles(bareConc),
      bare_failed: bareFailed,
    };
  } finally {
    await bot?.close();
    await bare?.close();
    await emulator.close();
    await bareEmulator.close();
  }
}

/** `size` invocations sent at once, the commands in turn; their acknowledgement times. */
async function burst(
  emulator: Emulator,
  commands: readonly { readonly input: InvokeCommandInput }[],
  size: number,
): Promise<{ acks: number[]; failed: number }> {
  const handles = Array.from({ length: size }, (_, i) =>
    emulator.invokeCommand((commands[i % commands.length] as { input: InvokeCommandInput }).input),
  );
  const answers = await Promise.all(handles.map((h) => h.settled(15_000).catch(() => null)));
  const acks: number[] = [];
  let failed = 0;
  for (const r of answers) {
    if (r === null || r.ackMs === null || r.rejections.length > 0) failed += 1;
    else acks.push(r.ackMs);
  }
  return { acks, failed };
}

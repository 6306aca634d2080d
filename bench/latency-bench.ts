import { startEmulator } from '../test/support/emulator/index.ts';
import { startBotProcess } from './support/bot-process.ts';
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
  /** Dispatch of INTERACTION_CREATE to the first callback, ms (the emulator's clock: 1 ms resolution). */
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
}

/**
 * The real bot in a child process, the emulator here: each ops command one at a
 * time (the next sent once the previous is answered), then in bursts sent at once.
 * The bot runs with its default monitoring (health checks, resources, both sinks at info).
 */
export async function benchLatency(options: LatencyBenchOptions): Promise<LatencyBenchResult> {
  const burstSize = options.burstSize ?? 50;
  const emulator = await startEmulator();
  const bot = await startBotProcess(emulator, {
    env: { LOG_LEVEL: 'info' },
    console: true,
    prometheus: true,
  });
  try {
    // Warm-up, one at a time and in a burst: the first answers load and compile the code a running bot has warm.
    for (const command of OPS_COMMANDS) await emulator.invokeCommand(command.input).settled(10_000);
    const mixed = OPS_COMMANDS.flatMap((c) =>
      Array.from({ length: Math.ceil(burstSize / OPS_COMMANDS.length) }, () => c.input),
    );
    await Promise.all(
      mixed.map((input) =>
        emulator
          .invokeCommand(input)
          .settled(15_000)
          .catch(() => null),
      ),
    );
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
      }
      const conc: number[] = [];
      for (let b = 0; b < options.bursts; b += 1) {
        const handles = Array.from({ length: burstSize }, () => emulator.invokeCommand(command.input));
        const answers = await Promise.all(handles.map((h) => h.settled(15_000).catch(() => null)));
        for (const r of answers) {
          if (r === null || r.ackMs === null || r.rejections.length > 0) failed += 1;
          else conc.push(r.ackMs);
        }
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
    };
  } finally {
    await bot.close();
    await emulator.close();
  }
}

import { cpus, loadavg, totalmem } from 'node:os';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memory_gb: number;
  readonly node: string;
  readonly platform: string;
  /** 1, 5 and 15 minute load averages when the run began. */
  readonly load_average_at_start: readonly number[];
  readonly started_at: string;
}

/** What the figures were measured on; the load average says how busy the machine already was. */
export function describeMachine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memory_gb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    load_average_at_start: loadavg().map((l) => Math.round(l * 100) / 100),
    started_at: new Date().toISOString(),
  };
}

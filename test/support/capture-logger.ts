import type { LogDetail, Logger, LogLevel } from '../../src/core/logging/logger.ts';

export interface CapturedRecord {
  readonly level: LogLevel;
  readonly name: string;
  readonly subsys: string;
  readonly event: string;
  readonly msg: string;
  readonly detail: LogDetail;
}

/** An in-memory logger for unit tests of modules that log; the real sinks have their own tests. */
export class CaptureLogger implements Logger {
  readonly records: CapturedRecord[];
  readonly #name: string;
  readonly #subsys: string;

  constructor(name = 'bot', subsys = 'core', records: CapturedRecord[] = []) {
    this.#name = name;
    this.#subsys = subsys;
    this.records = records;
  }

  child(bindings: { readonly name?: string; readonly subsys?: string }): Logger {
    return new CaptureLogger(bindings.name ?? this.#name, bindings.subsys ?? this.#subsys, this.records);
  }

  events(event?: string): CapturedRecord[] {
    return event === undefined ? this.records : this.records.filter((r) => r.event === event);
  }

  debug(event: string, msg: string, detail: LogDetail = {}): void {
    this.#push('debug', event, msg, detail);
  }
  info(event: string, msg: string, detail: LogDetail = {}): void {
    this.#push('info', event, msg, detail);
  }
  warning(event: string, msg: string, detail: LogDetail = {}): void {
    this.#push('warning', event, msg, detail);
  }
  error(event: string, msg: string, detail: LogDetail = {}): void {
    this.#push('error', event, msg, detail);
  }
  critical(event: string, msg: string, detail: LogDetail = {}): void {
    this.#push('critical', event, msg, detail);
  }

  #push(level: LogLevel, event: string, msg: string, detail: LogDetail): void {
    this.records.push({ level, name: this.#name, subsys: this.#subsys, event, msg, detail });
  }
}

import type { LogLevel } from './logger.ts';

/** A JSON log line, parsed. */
export interface JsonLogRecord {
  readonly ts: string;
  readonly level: string;
  readonly name: string;
  readonly subsys: string;
  readonly event: string;
  readonly detail: Readonly<Record<string, unknown>>;
  readonly msg: string;
}

/** How each level looks on the console. */
export const CONSOLE_STYLES = {
  debug: { icon: '·', color: '\u001b[38;5;109m' },
  info: { icon: 'ℹ', color: '\u001b[32m' },
  warning: { icon: '⚠', color: '\u001b[33m' },
  error: { icon: '✖', color: '\u001b[31m' },
  critical: { icon: '✖', color: '\u001b[1;31m' },
} as const satisfies Record<LogLevel, { icon: string; color: string }>;

/** The icon of an INFO record whose event reports that something finished well. */
export const SUCCESS_ICON = '✅';

/**
 * INFO events ending like this read as a success (`startup_complete`,
 * `log_sink_recovered`, `alert_resolved`, …) and get {@link SUCCESS_ICON}.
 */
const SUCCESS_EVENT = /_(complete|completed|ready|recovered|resolved|succeeded|enforced)$/;

const RESET = '\u001b[0m';
const DIM = '\u001b[2m';
const MAX_VALUE = 120;
const MAX_PAIRS = 24;
const NEWLINES = /\r?\n/g;
/** C0/C1 control characters (ESC included), which could move the cursor or recolour a terminal. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;

/** Number-valued keys with a unit suffix print shorter: `duration_seconds: 3.24` → `duration=3.24s`. */
const UNIT_SUFFIXES: readonly (readonly [string, string])[] = [
  ['_seconds', 's'],
  ['_ms', 'ms'],
  ['_mb', 'MB'],
  ['_percent', '%'],
];

export interface ConsoleFormatOptions {
  /** ANSI colours per level. */
  readonly color: boolean;
}

/**
 * One console line for a record, newline-terminated:
 * `✅ [2024-01-15 14:30:45.123] Bot startup completed successfully | subsys=startup | duration=3.24s`.
 *
 * Icons: DEBUG `·` (blue-grey), INFO `ℹ` (green) or `✅` for success events,
 * WARNING `⚠` (yellow), ERROR `✖` (red), CRITICAL `✖` (bold red). Time is local
 * with milliseconds. Detail is flattened one level into `| key=value` pairs,
 * values cut to 120 characters, errors shown by their message (stacks stay in
 * the JSON sink), control characters neutralised so a record stays one line and
 * cannot drive the terminal.
 */
export function formatConsoleLine(record: JsonLogRecord, options: ConsoleFormatOptions): string {
  const level = toLevel(record.level);
  const style = CONSOLE_STYLES[level];
  const icon = level === 'info' && SUCCESS_EVENT.test(record.event) ? SUCCESS_ICON : style.icon;
  const time = `[${localTime(record.ts)}]`;
  const msg = clean(record.msg || record.event, 4096);
  // Built as one string, pair by pair: no array of pairs, no entry tuples per record.
  const tail = ` | subsys=${clean(record.subsys, MAX_VALUE)}${detailTail(record.detail)}`;
  if (!options.color) return `${icon} ${time} ${msg}${tail}\n`;
  return `${style.color}${icon}${RESET} ${DIM}${time}${RESET} ${style.color}${msg}${RESET}${DIM}${tail}${RESET}\n`;
}

/** `INFO` → `info`; also takes the lower-case form. */
const LEVEL_BY_LABEL: ReadonlyMap<string, LogLevel> = new Map(
  (Object.keys(CONSOLE_STYLES) as LogLevel[]).flatMap((level) => [
    [level, level],
    [level.toUpperCase(), level],
  ]),
);

function toLevel(label: string): LogLevel {
  return LEVEL_BY_LABEL.get(label) ?? LEVEL_BY_LABEL.get(String(label).toLowerCase()) ?? 'info';
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** The local `YYYY-MM-DD HH:MM:SS` of the last UTC second formatted, which most records share. */
let cachedSecond = '';
let cachedLocalSecond = '';
/** `2024-01-15T14:30:45.123Z`, the form the logger writes. */
const ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function localTime(ts: string): string {
  // Time zones move by whole seconds, so one second's local prefix serves each of its milliseconds.
  const iso = ISO_UTC_MS.test(ts);
  if (iso && cachedSecond !== '' && ts.startsWith(cachedSecond)) {
    return `${cachedLocalSecond}.${ts.slice(20, 23)}`;
  }
  const date = new Date(ts);
  if (Number.isNaN(date.getTime())) return clean(ts, 40);
  const second =
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  if (iso) {
    cachedSecond = ts.slice(0, 19);
    cachedLocalSecond = second;
  }
  return `${second}.${pad(date.getMilliseconds(), 3)}`;
}

function clean(text: string, max: number): string {
  const raw = String(text);
  CONTROL_CHARS.lastIndex = 0;
  const flat = CONTROL_CHARS.test(raw) ? raw.replace(NEWLINES, '⏎').replace(CONTROL_CHARS, ' ') : raw;
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function isSerializedError(value: object): value is { message: string } {
  const v = value as { message?: unknown; name?: unknown };
  return typeof v.message === 'string' && typeof v.name === 'string';
}

function shortValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return clean(value, MAX_VALUE);
  if (typeof value !== 'object') return String(value);
  if (isSerializedError(value)) return clean(value.message, MAX_VALUE);
  return clean(JSON.stringify(value) ?? '', MAX_VALUE);
}

function withUnit(key: string, value: unknown): string {
  if (typeof value === 'number') {
    for (const [suffix, unit] of UNIT_SUFFIXES) {
      if (key.endsWith(suffix) && key.length > suffix.length)
        return `${key.slice(0, -suffix.length)}=${value}${unit}`;
    }
  }
  return `${key}=${shortValue(value)}`;
}

/** The detail as ` | key=value` pairs, at most {@link MAX_PAIRS} of them. */
function detailTail(detail: Readonly<Record<string, unknown>> | undefined): string {
  let tail = '';
  if (detail === undefined || detail === null || typeof detail !== 'object') return tail;
  let pairs = 0;
  const keys = Object.keys(detail);
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i] as string;
    if (pairs >= MAX_PAIRS) {
      tail += ' | …';
      break;
    }
    const value = detail[key];
    // Empty values say nothing to a person; the JSON sink keeps them for machines.
    if (value === null || value === undefined) continue;
    const name = clean(key, 64);
    if (typeof value === 'object' && !Array.isArray(value) && !isSerializedError(value)) {
      // One level of flattening: `{gateway: {ping_ms: 42}}` → `gateway.ping=42ms`.
      const inner = value as Readonly<Record<string, unknown>>;
      const subs = Object.keys(inner);
      for (let j = 0; j < subs.length && pairs < MAX_PAIRS; j += 1) {
        const sub = subs[j] as string;
        tail += ` | ${withUnit(`${name}.${clean(sub, 64)}`, inner[sub])}`;
        pairs += 1;
      }
      continue;
    }
    tail += ` | ${withUnit(name, value)}`;
    pairs += 1;
  }
  return tail;
}

import type { ComponentStatus, ErrorRecord, HealthSnapshot } from '../health/types.ts';

/** What an absolute file path is replaced with in text served over HTTP. */
export const PATH_PLACEHOLDER = '<path>';

// A stack frame: `at fn (location)` or `at location`, where a location is a file, URL or
// module with a line number (or V8's `native` / `<anonymous>` / `index N`).
const FRAME_WITH_NAME =
  /\bat\s+(?:async\s+)?(?:new\s+)?[^\s()]+(?:\s+\[as\s+[^\]]+\])?\s+\([^()]*?(?::\d+(?::\d+)?|native|<anonymous>|index \d+)\)/g;
const FRAME_BARE = /\bat\s+(?:async\s+)?(?:file:\/\/|node:|~?\/|[A-Za-z]:[\\/]|\\\\)[^\s()]*:\d+(?::\d+)?/g;
// A quoted absolute path may hold spaces: everything up to the closing quote goes.
const QUOTED_PATH = /(['"`])(?:(?:file:\/\/|~)?\/[^'"`/]*\/[^'"`]*|[A-Za-z]:[\\/][^'"`]*|\\\\[^'"`]+)\1/g;
// An unquoted absolute path: POSIX (two segments at least, so `/livez` stays), a home
// path, a file URL, a Windows drive or UNC path; a `:line:col` suffix goes with it. The
// lookbehind leaves a URL's path alone (`https://host/api/x`).
const POSIX_PATH = /(?<![\w.:/~\\-])(?:file:\/\/)?~?\/(?:[\w.@%+=,~-]+\/)+[\w.@%+=,~-]*(?::\d+(?::\d+)?)?/g;
const WINDOWS_PATH =
  /(?<![\w\\])(?:[A-Za-z]:[\\/]|\\\\)(?:[^\\/\s'"`()<>|*?:]+[\\/])*[^\\/\s'"`()<>|*?:]*(?::\d+(?::\d+)?)?/g;

/**
 * `text` without stack frames (`at fn (file:line:col)`) and with every absolute file
 * path (`/home/x/…`, `~/…`, `file:///…`, `C:\…`, `\\server\…`) replaced by
 * {@link PATH_PLACEHOLDER}, on one line: what an error may say to whoever can reach the
 * probe server, without telling them how the host is laid out.
 */
export function scrubErrorText(text: string): string {
  return text
    .replace(FRAME_WITH_NAME, ' ')
    .replace(FRAME_BARE, ' ')
    .replace(QUOTED_PATH, `$1${PATH_PLACEHOLDER}$1`)
    .replace(POSIX_PATH, PATH_PLACEHOLDER)
    .replace(WINDOWS_PATH, PATH_PLACEHOLDER)
    .replace(/\s+/g, ' ')
    .trim();
}

const scrubRecord = (record: ErrorRecord): ErrorRecord => ({
  at: record.at,
  message: scrubErrorText(record.message) || 'error',
});

const scrubComponent = (component: ComponentStatus): ComponentStatus => ({
  ...component,
  last_error: component.last_error === null ? null : scrubRecord(component.last_error),
  errors: component.errors.map(scrubRecord),
  note: component.note === null ? null : scrubErrorText(component.note),
});

/** The snapshot as `GET /healthz` serves it: every component's error texts and note scrubbed. */
export function publicHealth(snapshot: HealthSnapshot): HealthSnapshot {
  return { ...snapshot, components: snapshot.components.map(scrubComponent) };
}

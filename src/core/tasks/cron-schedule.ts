import nodeCron from 'node-cron';

/**
 * A cron expression that can say when it next fires after any instant. The
 * supervisor arms the injected clock with it, so a manual clock drives cron
 * tasks exactly like interval tasks; node-cron parses and matches (its own
 * scheduler reads the wall clock and could not be driven by a test).
 */
export interface CronSchedule {
  readonly expression: string;
  /** The first firing strictly after `afterMs` (ms since the epoch), or null when none within eight years. */
  next(afterMs: number): number | null;
}

const HORIZON_DAYS = 366 * 8;

/** Parses `expression` (5 or 6 fields, node-cron 4 syntax, process-local time); throws on an invalid one. */
export function createCronSchedule(expression: string): CronSchedule {
  const validation = nodeCron.validateDetailed(expression);
  if (!validation.valid) {
    const why = validation.errors.map((e) => e.message).join('; ');
    throw new TypeError(`invalid cron expression '${expression}': ${why || 'unparseable'}`);
  }
  const fields = nodeCron.parse(expression);
  const seconds = sortedNumbers(fields.second);
  const minutes = sortedNumbers(fields.minute);
  const hours = sortedNumbers(fields.hour);
  const matchesDay = dayMatcher(expression, fields);

  // The first (h, m, s) allowed by the time fields at or after the bound, in lexicographic order.
  const firstTimeFrom = (h0: number, m0: number, s0: number): [number, number, number] | null => {
    for (const h of hours) {
      if (h < h0) continue;
      for (const m of minutes) {
        if (h === h0 && m < m0) continue;
        for (const s of seconds) {
          if (h === h0 && m === m0 && s < s0) continue;
          return [h, m, s];
        }
      }
    }
    return null;
  };

  return {
    expression,
    next(afterMs) {
      const from = new Date(Math.floor(afterMs / 1000) * 1000 + 1000);
      // The day fields are checked on the day's first allowed time: time fields do not depend
      // on the day. A local time that a DST change skips is not a firing (as in node-cron).
      for (let day = 0; day < HORIZON_DAYS; day++) {
        const bound: [number, number, number] =
          day === 0 ? [from.getHours(), from.getMinutes(), from.getSeconds()] : [0, 0, 0];
        const time = firstTimeFrom(...bound);
        if (time === null) continue;
        const candidate = new Date(from.getFullYear(), from.getMonth(), from.getDate() + day, ...time);
        if (candidate.getTime() > afterMs && isAt(candidate, time) && matchesDay(candidate)) {
          return candidate.getTime();
        }
      }
      return null;
    },
  };
}

type CronFields = ReturnType<typeof nodeCron.parse>;

/** Whether the local time of `date` is exactly `h:m:s`. */
function isAt(date: Date, [h, m, s]: readonly [number, number, number]): boolean {
  return date.getHours() === h && date.getMinutes() === m && date.getSeconds() === s;
}

/**
 * Whether a date's day is allowed by the month, day-of-month and weekday fields (all three
 * must allow it, as in node-cron). Plain lists are checked here with the Date's local
 * getters. A field with `L`, `W` or `#` goes to node-cron's own matcher instead, built on
 * first use: it reads the date through `Intl.DateTimeFormat`, whose first use pages about
 * 5 MB of ICU data into the process for good, a cost a plain `17 * * * *` has no need of.
 */
function dayMatcher(expression: string, fields: CronFields): (date: Date) => boolean {
  const months = fields.month;
  const days = fields.dayOfMonth;
  const weekdays = fields.dayOfWeek;
  const plain = (values: (number | string)[]): values is number[] =>
    values.every((v) => typeof v === 'number');
  if (plain(months) && plain(days) && plain(weekdays)) {
    const monthSet = new Set(months);
    const daySet = new Set(days);
    // node-cron writes Sunday as 0; 7 is accepted as Sunday too.
    const weekdaySet = new Set(weekdays.map((d) => d % 7));
    return (date) =>
      monthSet.has(date.getMonth() + 1) && daySet.has(date.getDate()) && weekdaySet.has(date.getDay());
  }
  let matcher: ReturnType<typeof nodeCron.createTask> | undefined;
  return (date) => {
    if (matcher === undefined) {
      // Only used for its matcher; destroyed at once so node-cron's global registry keeps nothing.
      matcher = nodeCron.createTask(expression, () => {});
      void matcher.destroy();
    }
    return matcher.match(date);
  };
}

function sortedNumbers(values: readonly (number | string)[]): number[] {
  return values
    .map((v) => Number(v))
    .filter((v) => Number.isInteger(v))
    .sort((a, b) => a - b);
}

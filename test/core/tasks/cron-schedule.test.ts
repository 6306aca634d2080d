import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import nodeCron from 'node-cron';
import { createCronSchedule } from '../../../src/core/tasks/cron-schedule.ts';

const local = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) =>
  new Date(y, mo - 1, d, h, mi, s).getTime();

describe('createCronSchedule', () => {
  it('gives the next firing strictly after an instant', () => {
    const every5 = createCronSchedule('*/5 * * * *');
    assert.equal(every5.next(local(2024, 1, 15, 14, 30)), local(2024, 1, 15, 14, 35));
    assert.equal(every5.next(local(2024, 1, 15, 14, 31, 12)), local(2024, 1, 15, 14, 35));
    assert.equal(every5.next(local(2024, 1, 15, 23, 58)), local(2024, 1, 16, 0, 0));
  });

  it('honours seconds, weekdays, last day of month and nth weekday', () => {
    assert.equal(
      createCronSchedule('*/10 * * * * *').next(local(2024, 1, 15, 14, 30, 5)),
      local(2024, 1, 15, 14, 30, 10),
    );
    // 2024-01-19 is a Friday: the next weekday 09:00 is Monday the 22nd.
    assert.equal(createCronSchedule('0 9 * * mon-fri').next(local(2024, 1, 19, 10)), local(2024, 1, 22, 9));
    assert.equal(createCronSchedule('0 0 L * *').next(local(2024, 2, 1)), local(2024, 2, 29));
    assert.equal(createCronSchedule('0 0 * * 1#2').next(local(2024, 1, 15)), local(2024, 2, 12));
    assert.equal(createCronSchedule('0 0 29 2 *').next(local(2024, 3, 1)), local(2028, 2, 29));
  });

  it('fires on the same minutes as node-cron matches, plain day fields included', () => {
    // Each expression fires within a week of each instant, so a walk minute by minute with
    // node-cron's own matcher finds the reference answer.
    const expressions = [
      '17 * * * *',
      '*/7 */3 * * *',
      '30 9 * * 1-5',
      '0 0 * * 0,6',
      '0 12 * * 7',
      '45 23 1,15,31 * *',
      '0 6 * 1-3,12 *',
      '5 4 * * sun',
    ];
    const instants = [local(2024, 1, 15, 14, 30), local(2024, 2, 28, 23, 59, 30), local(2024, 3, 30, 23, 50)];
    for (const expression of expressions) {
      const schedule = createCronSchedule(expression);
      const reference = nodeCron.createTask(expression, () => {});
      void reference.destroy();
      for (const after of instants) {
        let expected: number | null = null;
        for (let t = Math.floor(after / 60_000) * 60_000 + 60_000; t < after + 8 * 86_400_000; t += 60_000) {
          if (reference.match(new Date(t))) {
            expected = t;
            break;
          }
        }
        assert.notEqual(
          expected,
          null,
          `${expression} fires within a week of ${new Date(after).toISOString()}`,
        );
        assert.equal(schedule.next(after), expected, `${expression} after ${new Date(after).toISOString()}`);
      }
    }
  });

  it('does not format dates through Intl for plain day fields (ICU data stays out of memory)', (t) => {
    const formatToParts = t.mock.method(Intl.DateTimeFormat.prototype, 'formatToParts');
    const hourly = createCronSchedule('17 * * * *');
    for (let i = 0, at = local(2024, 1, 1); i < 200; i++) at = hourly.next(at) ?? 0;
    createCronSchedule('0 9 * 1,7 mon-fri').next(local(2024, 1, 1));
    assert.equal(formatToParts.mock.callCount(), 0);
    // `L` is node-cron's: its matcher (and Intl) is still what answers it.
    assert.equal(createCronSchedule('0 0 L * *').next(local(2024, 4, 2)), local(2024, 4, 30));
    assert.ok(formatToParts.mock.callCount() > 0);
  });

  it('rejects an invalid expression with the field at fault', () => {
    assert.throws(() => createCronSchedule('61 * * * *'), /invalid cron expression '61 \* \* \* \*'.*minute/);
    assert.throws(() => createCronSchedule('not cron'), /invalid cron expression/);
  });
});

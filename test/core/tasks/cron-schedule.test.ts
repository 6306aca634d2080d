import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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

  it('rejects an invalid expression with the field at fault', () => {
    assert.throws(() => createCronSchedule('61 * * * *'), /invalid cron expression '61 \* \* \* \*'.*minute/);
    assert.throws(() => createCronSchedule('not cron'), /invalid cron expression/);
  });
});

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createStateFile, type PersistedState } from '../../../src/core/state/state-file.ts';
import { CaptureLogger } from '../../support/capture-logger.ts';
import { ManualClock } from '../../support/manual-clock.ts';
import { until } from '../../support/until.ts';

const SILENCE = {
  key: 'resource.*',
  until: '2030-01-01T00:00:00.000Z',
  created_at: '2024-01-15T14:30:00.000Z',
  created_by: '123456789012345678',
};

function state(silences: PersistedState['alerts']['silences'] = [SILENCE]): PersistedState {
  return {
    version: 1,
    saved_at: '2024-01-15T14:30:00.000Z',
    alerts: { silences, episodes: [] },
    startups: [],
  };
}

function setup(file = join(mkdtempSync(join(tmpdir(), 'state-')), 'deep', 'state.json')) {
  const clock = new ManualClock();
  const log = new CaptureLogger();
  let current = state();
  let writes = 0;
  const health: string[] = [];
  const store = createStateFile({
    file,
    clock,
    log,
    snapshot: () => {
      writes += 1;
      return current;
    },
    onHealth: (to) => health.push(to),
  });
  return {
    file,
    clock,
    log,
    store,
    health,
    writes: () => writes,
    set: (next: PersistedState) => {
      current = next;
    },
  };
}

describe('the state file', () => {
  it('a missing file is noted and the bot starts empty; its folder is made for the first write', () => {
    const { store, log, file } = setup();
    assert.equal(store.load(), undefined);
    assert.equal(log.events('state_file_absent').length, 1);
    assert.ok(existsSync(join(file, '..')));
  });

  it('changes are written once, after the debounce, atomically; it reads back what it wrote', async () => {
    const { store, clock, file, writes } = setup();
    store.load();
    store.changed();
    store.changed();
    store.changed();
    await clock.advance(999);
    assert.equal(writes(), 0);
    await clock.advance(1);
    await until(() => existsSync(file), 2_000, 'the file');
    assert.equal(writes(), 1, 'three changes, one write');
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')).alerts.silences, [SILENCE]);
    assert.ok(!existsSync(`${file}.${process.pid}.tmp`), 'no temporary file left');
    const again = setup(file);
    assert.deepEqual(again.store.load()?.alerts.silences, [SILENCE]);
  });

  it('flush writes at once what changed; close stops later writes', async () => {
    const { store, file, writes, set } = setup();
    store.changed();
    await store.flush();
    assert.equal(writes(), 1);
    await store.flush();
    assert.equal(writes(), 1, 'nothing changed since');
    set(state([]));
    await store.close();
    store.changed();
    await store.flush();
    assert.equal(writes(), 1);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).alerts.silences.length, 1);
  });

  it('a corrupt file is logged, moved aside and replaced by the next write, never fatal', async () => {
    const { store, log, file } = setup();
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, '{"version": 1, "alerts": {"silences": [');
    assert.equal(store.load(), undefined);
    const [corrupt] = log.events('state_file_corrupt');
    assert.equal(corrupt?.level, 'warning');
    assert.equal(corrupt?.detail.reason, 'not JSON');
    assert.equal(readFileSync(`${file}.corrupt`, 'utf8'), '{"version": 1, "alerts": {"silences": [');
    store.changed();
    await store.flush();
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).version, 1);
  });

  it('a file of another shape is corrupt too; single bad entries are dropped and counted', () => {
    const { store, log, file } = setup();
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, JSON.stringify({ version: 7 }));
    assert.equal(store.load(), undefined);
    assert.match(String(log.events('state_file_corrupt')[0]?.detail.reason), /unknown version 7/);

    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        alerts: { silences: [SILENCE, { key: 42 }, 'nope'], episodes: [{ key: 'x' }] },
        startups: [],
      }),
    );
    const loaded = store.load();
    assert.deepEqual(loaded?.alerts.silences, [SILENCE]);
    assert.equal(log.events('state_file_entries_dropped')[0]?.detail.dropped, 3);
  });

  it('an unreadable path is logged and the bot starts empty', () => {
    const { store, log, file } = setup();
    mkdirSync(file, { recursive: true }); // a folder where the file should be
    assert.equal(store.load(), undefined);
    assert.equal(log.events('state_file_unreadable')[0]?.detail.code, 'EISDIR');
  });

  it('a failing write is logged once, degrades health, and recovers on a later write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'state-blocked-'));
    // A plain file where the state file's folder should be: no write can succeed, even as root.
    const blocker = join(dir, 'data');
    writeFileSync(blocker, '');
    const { store, log, health, file } = setup(join(blocker, 'state.json'));
    store.changed();
    await store.flush();
    store.changed();
    await store.flush();
    assert.equal(log.events('state_file_write_failed').length, 1, 'logged once per streak');
    assert.deepEqual(health, ['degraded']);
    rmSync(blocker);
    store.changed();
    await store.flush();
    assert.ok(existsSync(file));
    assert.deepEqual(health, ['degraded', 'ready']);
    assert.equal(log.events('state_file_recovered').length, 1);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Metrics, noopMetrics } from '../../../src/core/metrics/metrics.ts';
import {
  createStartupOrchestrator,
  type StartupChange,
  type StartupOrchestratorOptions,
} from '../../../src/core/startup/startup-orchestrator.ts';
import type { StartupReport } from '../../../src/core/startup/types.ts';
import { CaptureLogger } from '../../support/capture-logger.ts';
import { ManualClock } from '../../support/manual-clock.ts';
import { createJournal, type FakeOptions, fake, recordingClock } from './fake-components.ts';

function setup(parallel: boolean) {
  const clock = new ManualClock();
  const t0 = clock.now();
  const journal = createJournal();
  const log = new CaptureLogger();
  const finished: StartupReport[] = [];
  const metrics: Metrics = { ...noopMetrics, startupFinished: (r) => finished.push(r) };
  const changes: StartupChange[] = [];
  const make = (name: string, ms: number, options: FakeOptions = {}) =>
    fake(clock, journal, t0, name, ms, options);
  const orchestrate = (
    components: StartupOrchestratorOptions['components'],
    extra: Partial<StartupOrchestratorOptions> = {},
  ) => {
    const orchestrator = createStartupOrchestrator({
      components,
      parallel,
      clock,
      log,
      metrics,
      random: () => 0.5,
      ...extra,
    });
    orchestrator.onChange((change) => changes.push(change));
    return orchestrator;
  };
  return { clock, t0, journal, log, finished, changes, make, orchestrate };
}

const byName = (report: StartupReport, name: string) => {
  const found = report.components.find((c) => c.name === name);
  assert.ok(found, `no component ${name} in the report`);
  return found;
};

describe('startup orchestrator, sequential mode', () => {
  it('starts one component at a time in dependency order', async () => {
    const { clock, journal, make, orchestrate, log, finished } = setup(false);
    const orchestrator = orchestrate([
      make('discord', 30, { dependencies: ['config', 'logging'] }),
      make('logging', 10, { dependencies: ['config'] }),
      make('config', 5),
      make('cache', 20),
    ]);
    assert.equal(orchestrator.report(), undefined);
    const running = orchestrator.run();
    await clock.advance(1_000);
    const { report, error } = await running;

    assert.equal(error, null);
    assert.equal(report.outcome, 'ready');
    assert.equal(report.mode, 'sequential');
    assert.deepEqual(journal.names('start'), ['config', 'logging', 'discord', 'cache']);
    assert.deepEqual(
      ['config', 'logging', 'discord', 'cache'].map((n) => [
        byName(report, n).start_offset_ms,
        byName(report, n).end_offset_ms,
      ]),
      [
        [0, 5],
        [5, 15],
        [15, 45],
        [45, 65],
      ],
    );
    assert.equal(report.duration_ms, 65);
    assert.equal(report.started_at, new Date(Date.UTC(2024, 0, 15, 14, 30)).toISOString());

    const complete = log.events('startup_complete');
    assert.equal(complete.length, 1);
    assert.equal(complete[0]?.msg, 'Bot startup completed successfully');
    assert.equal(complete[0]?.subsys, 'startup');
    assert.equal(complete[0]?.detail.duration_seconds, 0.065);
    assert.equal(complete[0]?.detail.mode, 'sequential');
    const perComponent = log.events('startup_component');
    assert.deepEqual(
      perComponent.map((r) => [r.detail.component, r.detail.duration_ms, r.detail.status, r.detail.attempts]),
      [
        ['config', 5, 'ready', 1],
        ['logging', 10, 'ready', 1],
        ['discord', 30, 'ready', 1],
        ['cache', 20, 'ready', 1],
      ],
    );
    assert.equal(finished.length, 1);
    assert.equal(finished[0]?.outcome, 'ready');
  });

  it('refuses a second run', async () => {
    const { clock, make, orchestrate } = setup(false);
    const orchestrator = orchestrate([make('a', 1)]);
    const first = orchestrator.run();
    await assert.rejects(orchestrator.run(), { code: 'STARTUP_ALREADY_RUN' });
    await clock.advance(10);
    assert.equal((await first).report.outcome, 'ready');
  });
});

describe('startup orchestrator, parallel mode', () => {
  it('runs independent slow components at the same time', async () => {
    const { clock, make, orchestrate } = setup(true);
    const running = orchestrate([make('tts', 100), make('stt', 100), make('config', 10)]).run();
    await clock.advance(1_000);
    const { report } = await running;
    assert.equal(report.mode, 'parallel');
    for (const name of ['tts', 'stt', 'config']) assert.equal(byName(report, name).start_offset_ms, 0);
    assert.equal(report.duration_ms, 100);
  });

  it('starts each component the moment its own dependencies are up, with no level barrier', async () => {
    const { clock, make, orchestrate } = setup(true);
    const running = orchestrate([
      make('model', 300),
      make('rag', 40, { dependencies: ['model'] }),
      make('config', 10),
      make('logging', 10, { dependencies: ['config'] }),
      make('discord', 50, { dependencies: ['logging'] }),
    ]).run();
    await clock.advance(1_000);
    const { report } = await running;
    assert.deepEqual(
      ['config', 'logging', 'discord', 'model', 'rag'].map((n) => [
        byName(report, n).start_offset_ms,
        byName(report, n).end_offset_ms,
      ]),
      [
        [0, 10],
        [10, 20],
        [20, 70],
        [0, 300],
        [300, 340],
      ],
    );
    assert.equal(report.duration_ms, 340);
    assert.deepEqual(report.critical_path, ['model', 'rag']);
    assert.equal(byName(report, 'rag').on_critical_path, true);
    assert.equal(byName(report, 'discord').on_critical_path, false);
  });

  it('reports the dependency chain that ended last as the critical path', async () => {
    const { clock, make, orchestrate } = setup(true);
    const running = orchestrate([
      make('config', 10),
      make('db', 50, { dependencies: ['config'] }),
      make('discord', 30, { dependencies: ['config'] }),
      make('rag', 100, { dependencies: ['db', 'discord'] }),
    ]).run();
    await clock.advance(1_000);
    const { report } = await running;
    assert.deepEqual(report.critical_path, ['config', 'db', 'rag']);
    assert.equal(report.duration_ms, 160);
    assert.deepEqual(
      report.components.filter((c) => c.on_critical_path).map((c) => c.name),
      ['config', 'db', 'rag'],
    );
  });
});

describe('startup orchestrator, timeouts and retries', () => {
  it('times out an attempt that ignores its signal and says so as the console shows it', async () => {
    const { clock, journal, make, orchestrate, log } = setup(false);
    const running = orchestrate([
      make('rag_system', 0, { hang: true, timeoutMs: 45_000, retry: { attempts: 1 } }),
    ]).run();
    await clock.advance(44_999);
    assert.equal(journal.signals.get('rag_system')?.[0]?.aborted, false);
    await clock.advance(1);
    const { report, error } = await running;
    assert.equal(journal.signals.get('rag_system')?.[0]?.aborted, true);
    assert.equal(report.outcome, 'failed');
    assert.equal(byName(report, 'rag_system').error, 'timeout after 45.0s');
    assert.equal(error?.code, 'STARTUP_COMPONENT_FAILED');
    assert.deepEqual(error?.components, ['rag_system']);
    const line = log.events('startup_component')[0];
    assert.equal(line?.msg, "Component 'rag_system' failed: timeout after 45.0s");
    assert.equal(line?.level, 'error');
    assert.equal(
      log.events('startup_complete')[0]?.msg,
      "Bot startup failed: component 'rag_system' failed: timeout after 45.0s",
    );
  });

  it('retries with exponential backoff and jitter, then succeeds', async () => {
    const { clock, journal, make, orchestrate, log } = setup(false);
    const running = orchestrate(
      [make('db', 10, { failures: 2, retry: { attempts: 3, baseDelayMs: 100, factor: 2, jitter: 0.5 } })],
      { random: () => 0.75 },
    ).run();
    await clock.advance(10_000);
    const { report } = await running;
    // Attempt ends at 10, waits 125 (100 × 1.25); ends at 145, waits 250 (200 × 1.25).
    assert.deepEqual(journal.starts.get('db'), [0, 135, 395]);
    const retries = log.events('startup_retry');
    assert.deepEqual(
      retries.map((r) => [r.detail.attempt, r.detail.delay_ms]),
      [
        [1, 125],
        [2, 250],
      ],
    );
    assert.equal(byName(report, 'db').attempts, 3);
    assert.equal(byName(report, 'db').status, 'ready');
    assert.equal(report.outcome, 'ready');
  });

  it('gives up at once on a permanent failure such as a rejected token', async () => {
    const { clock, make, orchestrate, log } = setup(false);
    const gateway = make('gateway', 10, { retry: { attempts: 5 } });
    let attempts = 0;
    const running = orchestrate([
      {
        ...gateway,
        async start() {
          attempts++;
          throw Object.assign(new Error('An invalid token was provided.'), { permanent: true });
        },
      },
    ]).run();
    await clock.advance(60_000);
    const { report, error } = await running;
    assert.equal(attempts, 1);
    assert.equal(log.events('startup_retry').length, 0);
    assert.equal(report.outcome, 'failed');
    assert.match(error?.message ?? '', /gateway.*invalid token/);
  });

  it('caps the backoff delay', async () => {
    const { clock, journal, make, orchestrate } = setup(false);
    const running = orchestrate([
      make('db', 0, {
        failures: 3,
        retry: { attempts: 4, baseDelayMs: 100, factor: 10, maxDelayMs: 300, jitter: 0 },
      }),
    ]).run();
    await clock.advance(10_000);
    await running;
    assert.deepEqual(journal.starts.get('db'), [0, 100, 400, 700]);
  });
});

describe('startup orchestrator, failures', () => {
  it('stops the start on a critical failure and stops what started in reverse order', async () => {
    const { clock, journal, make, orchestrate, finished, log } = setup(true);
    const running = orchestrate([
      make('config', 10),
      make('db', 10, { dependencies: ['config'] }),
      make('discord', 10, {
        dependencies: ['db'],
        failures: Number.POSITIVE_INFINITY,
        retry: { attempts: 1 },
      }),
      make('model', 1_000),
      make('commands', 10, { dependencies: ['discord'] }),
    ]).run();
    await clock.advance(5_000);
    const { report, error } = await running;

    assert.equal(report.outcome, 'failed');
    assert.equal(error?.code, 'STARTUP_COMPONENT_FAILED');
    assert.match(error?.message ?? '', /component 'discord' failed: discord boom 1/);
    assert.deepEqual(journal.names('stop'), ['db', 'config']);
    assert.equal(journal.signals.get('model')?.[0]?.aborted, true, 'the in-flight start is aborted');
    assert.equal(byName(report, 'model').status, 'cancelled');
    assert.equal(byName(report, 'commands').status, 'cancelled');
    assert.equal(byName(report, 'commands').start_offset_ms, null);
    assert.equal(journal.starts.has('commands'), false);
    assert.equal(byName(report, 'discord').status, 'failed');
    assert.equal(report.duration_ms, 30);
    assert.equal(finished[0]?.outcome, 'failed');
    assert.equal(log.events('startup_complete')[0]?.level, 'critical');
    assert.deepEqual(
      log.events('component_stopped').map((r) => r.detail.component),
      ['db', 'config'],
    );
  });

  it('runs the fallback of a non-critical component, skips its dependents and recovers in the background', async () => {
    const { clock, journal, make, orchestrate, changes, log } = setup(true);
    const fallbacks: string[] = [];
    const recording = recordingClock(clock);
    const orchestrator = orchestrate(
      [
        make('config', 10),
        make('tts', 20, {
          dependencies: ['config'],
          critical: false,
          failures: 3,
          retry: { attempts: 2, baseDelayMs: 100, factor: 2, maxDelayMs: 1_000, jitter: 0 },
          fallback: () => {
            fallbacks.push('tts');
          },
        }),
        make('voice', 5, { dependencies: ['tts'], critical: false }),
        make('voice_ui', 5, { dependencies: ['voice'], critical: false }),
        make('discord', 50, { dependencies: ['config'] }),
      ],
      { clock: recording },
    );
    const current = () => {
      const report = orchestrator.report();
      assert.ok(report);
      return report;
    };
    const running = orchestrator.run();
    await clock.advance(150);
    const { report } = await running;

    // config 0–10, tts 10–30, waits 100, 130–150 fails again: degraded at 150.
    assert.equal(report.outcome, 'degraded');
    assert.equal(report.duration_ms, 150);
    assert.deepEqual(fallbacks, ['tts']);
    const tts = byName(report, 'tts');
    assert.equal(tts.status, 'degraded');
    assert.equal(tts.fallback, true);
    assert.equal(tts.error, 'tts boom 2');
    for (const name of ['voice', 'voice_ui']) {
      assert.equal(byName(report, name).status, 'skipped');
      assert.equal(journal.starts.has(name), false, `${name} never starts against a missing dependency`);
    }
    assert.equal(byName(report, 'voice').error, "dependency 'tts' is degraded");
    assert.equal(byName(report, 'discord').status, 'ready');
    assert.equal(log.events('startup_complete')[0]?.msg, 'Bot startup completed degraded');
    assert.deepEqual(log.events('startup_complete')[0]?.detail.degraded_components, ['tts']);
    const degradedLine = log.events('startup_component').find((r) => r.detail.component === 'tts');
    assert.equal(degradedLine?.detail.fallback, true);
    assert.equal(degradedLine?.detail.status, 'degraded');

    // In the background the backoff goes on: attempt 3 after 200 ms fails at 370,
    // attempt 4 after 400 ms more succeeds at 790, then its dependents start.
    const background = () => recording.timers.filter((t) => t.options?.unref === true).map((t) => t.ms);
    assert.deepEqual(background(), [200]);
    await clock.advance(220);
    assert.equal(log.events('startup_background_retry').length, 1);
    assert.equal(byName(current(), 'tts').status, 'degraded');
    assert.equal(journal.starts.has('voice'), false);
    await clock.advance(430);
    const later = current();
    assert.deepEqual(background(), [200, 400]);
    assert.equal(byName(later, 'tts').status, 'ready');
    assert.equal(byName(later, 'tts').attempts, 4);
    assert.equal(byName(later, 'tts').fallback, false);
    assert.equal(byName(later, 'tts').recovered_offset_ms, 790);
    assert.deepEqual(journal.starts.get('voice'), [790]);
    assert.deepEqual(journal.starts.get('voice_ui'), [795]);
    assert.equal(byName(later, 'voice').status, 'ready');
    assert.equal(byName(later, 'voice_ui').status, 'ready');
    assert.equal(later.outcome, 'ready');
    assert.equal(later.duration_ms, 150, 'the start’s own duration does not change');
    assert.equal(log.events('startup_component_recovered').length, 1);
    assert.deepEqual(
      changes.filter((c) => c.component === 'tts').map((c) => c.state),
      ['starting', 'degraded', 'ready'],
    );
    assert.deepEqual(
      changes.filter((c) => c.component === 'voice').map((c) => c.state),
      ['skipped', 'starting', 'ready'],
    );
    await orchestrator.stopAll();
    assert.deepEqual(journal.names('stop'), ['voice_ui', 'voice', 'tts', 'discord', 'config']);
  });

  it('skips the whole chain below a degraded component and never starts it', async () => {
    const { clock, journal, make, orchestrate, log } = setup(false);
    const running = orchestrate([
      make('tts', 1, {
        critical: false,
        failures: Number.POSITIVE_INFINITY,
        retry: { attempts: 1 },
        retryInBackground: false,
      }),
      make('voice', 1, { dependencies: ['tts'], critical: false }),
      make('voice_ui', 1, { dependencies: ['voice'], critical: false }),
      make('other', 1),
    ]).run();
    await clock.advance(100);
    const { report } = await running;
    assert.deepEqual(journal.names('start'), ['tts', 'other']);
    assert.equal(byName(report, 'voice_ui').error, "dependency 'voice' is skipped");
    assert.equal(report.outcome, 'degraded');
    assert.equal(clock.pending, 0, 'no background retry when it is turned off');
    assert.deepEqual(log.events('startup_complete')[0]?.detail.skipped_components, ['voice', 'voice_ui']);
  });
});

describe('startup orchestrator, cancellation and shutdown', () => {
  it('cancels on abort: no new starts, in-flight aborted, started ones stopped in reverse', async () => {
    const { clock, journal, make, orchestrate, log } = setup(true);
    const controller = new AbortController();
    const running = orchestrate([
      make('config', 10),
      make('db', 10, { dependencies: ['config'] }),
      make('model', 500, { dependencies: ['config'] }),
      make('rag', 10, { dependencies: ['model'] }),
    ]).run(controller.signal);
    await clock.advance(50);
    controller.abort(new Error('SIGTERM'));
    await clock.advance(0);
    const { report, error } = await running;
    assert.equal(report.outcome, 'cancelled');
    assert.equal(error?.code, 'STARTUP_CANCELLED');
    assert.equal(journal.signals.get('model')?.[0]?.aborted, true);
    assert.equal(journal.starts.has('rag'), false);
    assert.deepEqual(journal.names('stop'), ['db', 'config']);
    assert.equal(byName(report, 'model').status, 'cancelled');
    assert.equal(byName(report, 'rag').status, 'cancelled');
    assert.equal(log.events('startup_complete')[0]?.detail.outcome, 'cancelled');
    assert.equal(clock.pending, 0);
  });

  it('stopAll stops dependents before their dependencies', async () => {
    const { clock, journal, make, orchestrate } = setup(true);
    const orchestrator = orchestrate([
      make('config', 10),
      make('db', 20, { dependencies: ['config'] }),
      make('cache', 5, { dependencies: ['db'] }),
      make('discord', 40, { dependencies: ['config'] }),
    ]);
    const running = orchestrator.run();
    await clock.advance(1_000);
    await running;
    const result = await orchestrator.stopAll();
    assert.deepEqual(journal.names('stop'), ['discord', 'cache', 'db', 'config']);
    assert.deepEqual(result.stopped, ['discord', 'cache', 'db', 'config']);
    assert.deepEqual((await orchestrator.stopAll()).stopped, [], 'nothing is stopped twice');
  });

  it('bounds each stop and the whole shutdown; a hung stop takes at most half of what is left', async () => {
    const { clock, t0, make, orchestrate, log } = setup(false);
    const orchestrator = orchestrate([
      make('config', 1),
      make('db', 1, { dependencies: ['config'], stopMs: 10_000, stopTimeoutMs: 100 }),
      make('discord', 1, { dependencies: ['db'], stopMs: 10_000, stopTimeoutMs: 1_000 }),
      make('cache', 1, { dependencies: ['discord'] }),
    ]);
    const running = orchestrator.run();
    await clock.advance(100);
    await running;
    const began = clock.now() - t0;
    const stopping = orchestrator.stopAll(500);
    let done = false;
    void stopping.then(() => {
      done = true;
    });
    await clock.advance(349);
    assert.equal(done, false);
    await clock.advance(1);
    const result = await stopping;
    assert.equal(clock.now() - t0 - began, 350, 'discord got half of 500 ms, db its own 100 ms');
    assert.deepEqual(result.stopped, ['cache', 'config']);
    assert.deepEqual(result.timedOut, ['discord', 'db']);
    assert.deepEqual(
      log.events('component_stop_timeout').map((r) => [r.detail.component, r.detail.timeout_ms]),
      [
        ['discord', 250],
        ['db', 100],
      ],
    );
  });

  it('stops given up when the whole shutdown bound is spent are logged with no time left', async () => {
    const { clock, make, orchestrate, log } = setup(false);
    const orchestrator = orchestrate([
      make('config', 1, { stopMs: 10_000, stopTimeoutMs: 10_000 }),
      make('db', 1, { dependencies: ['config'], stopMs: 10_000, stopTimeoutMs: 10_000 }),
    ]);
    const running = orchestrator.run();
    await clock.advance(100);
    await running;
    const stopping = orchestrator.stopAll(1);
    await clock.advance(1);
    const result = await stopping;
    assert.deepEqual(result.timedOut, ['db', 'config']);
    assert.deepEqual(
      log.events('component_stop_timeout').map((r) => [r.detail.component, r.detail.timeout_ms]),
      [
        ['db', 1],
        ['config', 0],
      ],
    );
  });

  it('stopAll during the start cancels it and cancels background retries', async () => {
    const { clock, journal, make, orchestrate } = setup(true);
    const orchestrator = orchestrate([
      make('config', 10),
      make('tts', 1, { critical: false, failures: Number.POSITIVE_INFINITY, retry: { attempts: 1 } }),
      make('model', 1_000, { dependencies: ['config'] }),
    ]);
    const running = orchestrator.run();
    await clock.advance(20);
    const stopping = orchestrator.stopAll(1_000);
    await clock.advance(0);
    const result = await stopping;
    const { report } = await running;
    assert.equal(report.outcome, 'cancelled');
    assert.deepEqual(journal.names('stop'), ['config']);
    assert.deepEqual(result.stopped, ['config']);
    await clock.advance(60_000);
    assert.deepEqual(journal.starts.get('tts'), [0], 'no background retry after shutdown');
    assert.equal(clock.pending, 0);
  });
});

describe('startup orchestrator, edge cases', () => {
  it('treats a start that throws synchronously as a failed attempt', async () => {
    const { clock, orchestrate } = setup(false);
    const running = orchestrate([
      {
        name: 'tts',
        critical: false,
        retry: { attempts: 1 },
        retryInBackground: false,
        start: () => {
          throw new Error('no voice engine');
        },
      },
    ]).run();
    await clock.advance(10);
    const { report } = await running;
    assert.equal(byName(report, 'tts').status, 'degraded');
    assert.equal(byName(report, 'tts').error, 'no voice engine');
  });

  it('a run after stopAll starts nothing and ends cancelled', async () => {
    const { clock, journal, make, orchestrate } = setup(true);
    const orchestrator = orchestrate([make('a', 1)]);
    await orchestrator.stopAll();
    const running = orchestrator.run();
    await clock.advance(10);
    assert.equal((await running).report.outcome, 'cancelled');
    assert.equal(journal.starts.size, 0);
  });

  it('keeps error text to one bounded, redacted line', async () => {
    const { clock, orchestrate, log } = setup(false);
    const running = orchestrate(
      [
        {
          name: 'db',
          retry: { attempts: 1 },
          start: () => Promise.reject(new Error(`password=hunter2\n${'x'.repeat(10_000)}`)),
        },
      ],
      { redact: (text) => text.replaceAll('hunter2', '[REDACTED]') },
    ).run();
    await clock.advance(10);
    const { report } = await running;
    const error = byName(report, 'db').error ?? '';
    assert.ok(error.startsWith('password=[REDACTED] x'));
    assert.ok(error.length <= 500);
    assert.doesNotMatch(JSON.stringify(log.records), /hunter2|\\n/);
  });
});

describe('startup orchestrator, listeners', () => {
  it('survives a throwing listener and logs it', async () => {
    const { clock, make, orchestrate, log } = setup(false);
    const orchestrator = orchestrate([make('a', 1)]);
    orchestrator.onChange(() => {
      throw new Error('listener bug');
    });
    const running = orchestrator.run();
    await clock.advance(10);
    assert.equal((await running).report.outcome, 'ready');
    assert.ok(log.events('startup_listener_failed').length >= 1);
  });
});

// `npm start` run again and again in one test: each run a child process with a handle to
// signal it and its exit to await, and whatever a failed test left running killed after it.
import { type ChildRun, runMain } from './running-bot.ts';

/** One `src/main.ts` child process. */
export interface StartedMain {
  readonly exit: Promise<ChildRun>;
  kill(signal: NodeJS.Signals): void;
}

export interface MainRuns {
  /** Runs `src/main.ts` with `env` in `cwd` (bounded at 60 s). */
  start(env: Readonly<Record<string, string>>, cwd: string): StartedMain;
  /** Ends the runs still going (a test that failed midway), and waits for their exits. */
  killLeftovers(): Promise<void>;
}

export function mainRuns(): MainRuns {
  const running = new Set<StartedMain>();
  return {
    start(env, cwd) {
      let child: { kill(signal: NodeJS.Signals): void } | undefined;
      const exit = runMain(env, {
        cwd,
        timeoutMs: 60_000,
        onSpawn: (c) => {
          child = c;
        },
      });
      const started: StartedMain = {
        exit: exit.finally(() => running.delete(started)),
        kill(signal) {
          if (child === undefined) throw new Error('the bot has not been spawned yet');
          child.kill(signal);
        },
      };
      running.add(started);
      return started;
    },
    async killLeftovers() {
      for (const child of running) {
        try {
          child.kill('SIGKILL');
        } catch {
          // Not started yet: its own timeout ends it.
        }
        await child.exit.catch(() => {});
      }
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { FanoutError } from '../contracts/errors.js';
import type { Fanout } from '../index.js';

/** Options of {@link spawnDetachedRun}. */
export interface DetachOptions {
  runId: string;
  /** The fanout home (absolute); the child gets it as `FANOUT_HOME` so both processes share one store. */
  home: string;
  /** Working directory of the run (passed as `--cwd`). */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The CLI entry script. Default: the one this process was started with. */
  entry?: string;
  execPath?: string;
  execArgv?: readonly string[];
  /** Continue the run (`Fanout.resume`) instead of starting a prepared one. */
  resume?: boolean;
}

/** The detached child: its pid and where its output goes. */
export interface DetachedRun {
  pid: number | undefined;
  logFile: string;
  /** The child process, to notice it exiting before it started the run. */
  child: ChildProcess;
  /** When the child was started (ms epoch): it records a start time from then on. */
  spawnedAt: number;
}

/** How long a detached child gets to record itself as the run's executor. */
export const DETACHED_START_TIMEOUT_MS = 30_000;

/**
 * Resolves once the detached child has recorded itself as the run's
 * executor (its start time, pid and first lease are in the store), so the
 * handles the caller prints belong to a run that is alive or judged by its
 * lease. Throws one line naming the log when the child exits first or does
 * not start within {@link DETACHED_START_TIMEOUT_MS}; the run then stays
 * prepared, and `fanout resume` starts it.
 */
export async function awaitDetachedStart(
  fanout: Pick<Fanout, 'status'>,
  runId: string,
  detached: DetachedRun,
  timeoutMs = DETACHED_START_TIMEOUT_MS,
): Promise<void> {
  const { child, logFile } = detached;
  let exit: string | undefined = child.exitCode === null ? undefined : `code ${child.exitCode}`;
  const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
    exit = signal === null ? `code ${code}` : `signal ${signal}`;
  };
  child.once('exit', onExit);
  // A timeout of this process: on the monotonic clock, which a wall-clock jump does not move.
  const deadline = performance.now() + timeoutMs;
  try {
    for (;;) {
      const { startedAt } = fanout.status(runId).run;
      if (startedAt !== undefined && startedAt >= detached.spawnedAt) return;
      if (exit !== undefined || performance.now() >= deadline) {
        const what = exit === undefined ? `did not start it within ${timeoutMs} ms` : `exited (${exit}) before it started it`;
        throw new FanoutError('INTERNAL', `the background process of run ${runId} ${what}; see ${logFile}, then: fanout resume ${runId}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    child.off('exit', onExit);
  }
}

/**
 * Starts `fanout __execute <runId>` (with `--resume`: continues the run) as a background process that outlives
 * this one: same Node binary and flags (so `--import tsx` carries over),
 * stdio to `$FANOUT_HOME/logs/<runId>.log`, its own process group.
 */
export function spawnDetachedRun(options: DetachOptions): DetachedRun {
  const entry = options.entry ?? process.argv[1];
  if (!entry) {
    throw new FanoutError('INTERNAL', `cannot start run ${options.runId} in the background: this process has no entry script (process.argv[1]) to start again`);
  }
  const logDir = join(options.home, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${options.runId}.log`);
  const fd = openSync(logFile, 'a');
  const spawnedAt = Date.now();
  try {
    const child = spawn(
      options.execPath ?? process.execPath,
      [
        ...(options.execArgv ?? process.execArgv),
        entry,
        '__execute',
        options.runId,
        '--cwd',
        options.cwd,
        ...(options.resume === true ? ['--resume'] : []),
      ],
      {
        // Stay where this process is: `--import tsx` and a relative FANOUT_HOME resolve from here.
        cwd: process.cwd(),
        env: { ...options.env, FANOUT_HOME: options.home },
        detached: true,
        stdio: ['ignore', fd, fd],
      },
    );
    child.unref();
    return { pid: child.pid, logFile, child, spawnedAt };
  } finally {
    closeSync(fd);
  }
}

import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { FanoutError } from '../contracts/errors.js';

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
}

/** The detached child: its pid and where its output goes. */
export interface DetachedRun {
  pid: number | undefined;
  logFile: string;
}

/**
 * Starts `fanout __execute <runId>` as a background process that outlives
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
  try {
    const child = spawn(
      options.execPath ?? process.execPath,
      [...(options.execArgv ?? process.execArgv), entry, '__execute', options.runId, '--cwd', options.cwd],
      {
        // Stay where this process is: `--import tsx` and a relative FANOUT_HOME resolve from here.
        cwd: process.cwd(),
        env: { ...options.env, FANOUT_HOME: options.home },
        detached: true,
        stdio: ['ignore', fd, fd],
      },
    );
    child.unref();
    return { pid: child.pid, logFile };
  } finally {
    closeSync(fd);
  }
}

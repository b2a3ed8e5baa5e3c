import { spawn } from 'node:child_process';
import { FanoutError } from '../../contracts/errors.js';

/** How a whole agent's process is started. */
export interface AgentProcessOptions {
  /** The program (a name looked up on PATH, or a path) and its arguments. */
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Written to its stdin, which is then closed; absent: stdin is closed at once. */
  stdin?: string;
  /** Kills the whole process group; the run then rejects with the signal's reason. */
  signal: AbortSignal;
  /** Each line of stdout as it arrives (without its newline). */
  onLine?: (line: string) => void;
  /** How the agent is named in errors (`claude-code`, `command`). */
  label: string;
  /** Most stdout kept for {@link AgentProcessResult.stdout}, in bytes. @default 16 MiB */
  maxStdoutBytes?: number;
}

/** How the process ended. */
export interface AgentProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What it wrote to stdout (cut at `maxStdoutBytes`). */
  stdout: string;
  /** The end of what it wrote to stderr, for error messages. */
  stderrTail: string;
}

/** Time between SIGTERM and SIGKILL of a stopped agent's process group. */
export const KILL_GRACE_MS = 2_000;
const STDERR_TAIL_BYTES = 4_096;
const DEFAULT_MAX_STDOUT_BYTES = 16 * 1024 * 1024;

/** Process groups of running agents, killed if fanout exits before them. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/**
 * Runs an agent's process in a process group of its own (a detached spawn)
 * and resolves when it exits. Whatever ends it — its own exit, a stop or a
 * time limit through `signal` (SIGTERM to the group, SIGKILL after
 * {@link KILL_GRACE_MS}), fanout exiting — the whole group is killed, so
 * no process it started outlives it. A program that cannot be started
 * rejects with FanoutError `MODEL_CONFIG` naming it; an abort rejects with
 * the signal's reason once the group is dead.
 */
export function runAgentProcess(options: AgentProcessOptions): Promise<AgentProcessResult> {
  const { signal, label } = options;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  installExitHook();
  return new Promise<AgentProcessResult>((resolve, reject) => {
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const pid = child.pid;
    const maxStdout = options.maxStdoutBytes ?? DEFAULT_MAX_STDOUT_BYTES;
    let stdout = '';
    let stdoutBytes = 0;
    let pending = '';
    let stderrTail = '';
    let killTimer: NodeJS.Timeout | undefined;
    let settled = false;

    const killGroup = (how: NodeJS.Signals): void => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, how);
      } catch {
        // ESRCH: the group is gone already.
      }
    };
    const onAbort = (): void => {
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    };
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (killTimer !== undefined) clearTimeout(killTimer);
      killGroup('SIGKILL');
      if (pid !== undefined) liveGroups.delete(pid);
      outcome();
    };

    if (pid !== undefined) liveGroups.add(pid);
    signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdoutBytes < maxStdout) {
        stdout += chunk;
        stdoutBytes += Buffer.byteLength(chunk);
      }
      if (options.onLine === undefined) return;
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        options.onLine(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    });
    // An agent that exits without reading its stdin must not fail the run with EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish(() => {
        const why = error.code === 'ENOENT' ? 'not found' : error.message;
        reject(new FanoutError('MODEL_CONFIG', `${label}: cannot start "${options.command}": ${why}`, { cause: error }));
      });
    });
    // The leader is gone: whatever it started and left behind goes with it, which also closes
    // the pipes a left-behind process would hold open ('close' waits for them).
    child.on('exit', () => killGroup('SIGKILL'));
    child.on('close', (code, exitSignal) => {
      finish(() => {
        if (pending !== '' && options.onLine !== undefined) options.onLine(pending);
        if (signal.aborted) reject(abortReason(signal));
        else resolve({ code, signal: exitSignal, stdout: stdoutBytes > maxStdout ? stdout.slice(0, maxStdout) : stdout, stderrTail });
      });
    });
  });
}

/** The one-line failure of a process that exited badly: its exit code or signal and the last line of its stderr. */
export function exitFailure(label: string, result: AgentProcessResult): FanoutError {
  const how = result.code === null ? `was killed by ${result.signal ?? 'a signal'}` : `exited with code ${result.code}`;
  const last = lastLine(result.stderrTail);
  return new FanoutError('MODEL_ERROR', `${label} ${how}${last === undefined ? '' : `: ${last}`}`);
}

function lastLine(text: string): string | undefined {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const last = lines.at(-1);
  return last === undefined ? undefined : last.length > 300 ? `${last.slice(0, 299)}…` : last;
}

function abortReason(signal: AbortSignal): FanoutError {
  const reason: unknown = signal.reason;
  return reason instanceof FanoutError ? reason : new FanoutError('ABORTED', 'stopped', { cause: reason });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  });
}

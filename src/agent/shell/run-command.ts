import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { FanoutError } from '../../contracts/errors.js';
import { bwrapArgs } from './bwrap-args.js';
import { shellEnvironment } from './shell-env.js';
import { writeRoots, type ShellPolicy } from './shell-policy.js';

/** How a shell command ended. */
export interface CommandResult {
  /** Exit code; undefined when it was killed. */
  exitCode: number | undefined;
  /** stdout and stderr interleaved as they came, cut at the policy's cap. */
  output: string;
  /** Bytes of output dropped past the cap. */
  droppedBytes: number;
  /** Why it was killed, when it was: the time limit or an abort. */
  killed: 'timeout' | 'aborted' | undefined;
  durationMs: number;
}

/** Grace between SIGTERM to the process group and SIGKILL, ms. */
const KILL_GRACE_MS = 200;

/**
 * Runs `command` with `bash -c` under the policy's sandbox. The command and
 * everything it starts share one process group (and, sandboxed, one PID
 * namespace whose init dies with it): on the time limit, an abort or
 * fanout's exit the whole group is killed, so no forked process outlives
 * the command. Never throws for the command's own failure; rejects with
 * `SANDBOX_UNAVAILABLE` when bubblewrap cannot be started.
 */
export function runShellCommand(
  command: string,
  policy: ShellPolicy,
  options: { timeoutMs?: number; signal: AbortSignal },
): Promise<CommandResult> {
  const timeoutMs = Math.min(options.timeoutMs ?? policy.timeoutMs, policy.timeoutMs);
  for (const root of writeRoots(policy.writes)) mkdirSync(path.join(policy.cwd, root), { recursive: true });
  const env = shellEnvironment(process.env);
  const [file, args] =
    policy.sandbox === 'bwrap' ? ['bwrap', [...bwrapArgs(policy), '--', 'bash', '-c', command]] : ['bash', ['-c', command]];
  const started = Date.now();
  return new Promise<CommandResult>((resolve, reject) => {
    if (options.signal.aborted) {
      reject(new FanoutError('ABORTED', 'shell command aborted'));
      return;
    }
    const child = spawn(file, args, { cwd: policy.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const chunks: Buffer[] = [];
    let kept = 0;
    let droppedBytes = 0;
    let killed: CommandResult['killed'];
    let spawnError: Error | undefined;
    const take = (chunk: Buffer): void => {
      const room = policy.maxOutputBytes - kept;
      if (room > 0) chunks.push(chunk.subarray(0, room));
      kept += Math.min(room > 0 ? room : 0, chunk.length);
      droppedBytes += Math.max(0, chunk.length - Math.max(room, 0));
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const killGroup = (why: 'timeout' | 'aborted'): void => {
      killed ??= why;
      signalGroup(child.pid, 'SIGTERM');
      setTimeout(() => signalGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS).unref();
    };
    const timer = setTimeout(() => killGroup('timeout'), timeoutMs);
    const onAbort = (): void => killGroup('aborted');
    options.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      spawnError = error;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      // The group may still hold processes that closed their output: they go with it.
      signalGroup(child.pid, 'SIGKILL');
      if (spawnError !== undefined) {
        reject(
          policy.sandbox === 'bwrap'
            ? new FanoutError('SANDBOX_UNAVAILABLE', `cannot start bubblewrap: ${spawnError.message}`, { cause: spawnError })
            : new FanoutError('TOOL_FAILED', `cannot start bash: ${spawnError.message}`, { cause: spawnError }),
        );
        return;
      }
      const output = Buffer.concat(chunks).toString('utf8');
      resolve({ exitCode: killed === undefined ? (code ?? undefined) : undefined, output, droppedBytes, killed, durationMs: Date.now() - started });
    });
  });
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FanoutError } from '../contracts/errors.js';

/** How one git command runs. */
export interface GitOptions {
  /** Directory git runs in (`-C`). */
  cwd: string;
  /** Stops the command (its process is killed) and rejects with `ABORTED`. */
  signal?: AbortSignal | undefined;
  /** Most time the command may take before it is killed, ms. Default 60 s. */
  timeoutMs?: number | undefined;
  /** Exit codes that are answers rather than failures (e.g. 1 for `merge-tree` conflicts). */
  okCodes?: readonly number[];
  /** Extra environment variables. */
  env?: Readonly<Record<string, string>>;
  /** Written to the command's stdin (`hash-object --stdin`); without it stdin is closed at once. */
  input?: string;
}

/** What a git command printed and how it ended. */
export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** Most output kept from one command; a diff past this is cut rather than held whole. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * Environment every git call gets: no pager, no prompts for credentials or
 * editors, and no translation (output is parsed), on top of the caller's.
 */
const QUIET_ENV: Readonly<Record<string, string>> = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_PAGER: 'cat',
  GIT_EDITOR: 'true',
  GIT_OPTIONAL_LOCKS: '0',
  LC_ALL: 'C',
};

/**
 * Runs `git <args>` with a time limit and an AbortSignal. Rejects with
 * `WORKSPACE_FAILED` naming the command and git's first error line when it
 * exits with a code not in `okCodes` (0 always is), with `ABORTED` when the
 * signal fires and `LIMIT_REACHED` when the time runs out.
 */
export function git(args: readonly string[], options: GitOptions): Promise<GitResult> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(aborted(args));
  return new Promise<GitResult>((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: { ...process.env, ...QUIET_ENV, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // A command that exits before reading all its input would fail the write (EPIPE): its exit code says what happened.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let ended: FanoutError | undefined;
    const stop = (error: FanoutError): void => {
      ended ??= error;
      child.kill('SIGKILL');
    };
    const onAbort = (): void => stop(aborted(args));
    const timer = setTimeout(
      () => stop(new FanoutError('LIMIT_REACHED', `git ${args[0]} took longer than ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)),
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes <= MAX_OUTPUT_BYTES) out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => {
      ended ??= new FanoutError('WORKSPACE_FAILED', `cannot run git: ${error.message}`, { cause: error });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (ended !== undefined) {
        reject(ended);
        return;
      }
      const result = { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code: code ?? -1 };
      if (result.code === 0 || options.okCodes?.includes(result.code)) resolve(result);
      else reject(gitFailed(args, result));
    });
  });
}

/** The first meaningful line of git's complaint, without its `fatal:`/`error:` prefix. */
export function gitMessage(stderr: string): string {
  const line = stderr.split('\n').find((text) => text.trim() !== '') ?? '';
  return line.replace(/^(fatal|error|warning):\s*/, '').trim();
}

function gitFailed(args: readonly string[], result: GitResult): FanoutError {
  const why = gitMessage(result.stderr) || `exit code ${result.code}`;
  return new FanoutError('WORKSPACE_FAILED', `git ${args[0]} failed: ${why}`);
}

function aborted(args: readonly string[]): FanoutError {
  return new FanoutError('ABORTED', `git ${args[0]} aborted`);
}

/**
 * Runs `body` with git options whose commands use an index file of their
 * own (`GIT_INDEX_FILE`, removed afterwards): trees are built from other
 * trees without touching any work tree or real index.
 */
export async function withTemporaryIndex<T>(options: GitOptions, body: (at: GitOptions) => Promise<T>): Promise<T> {
  const index = path.join(tmpdir(), `fanout-index-${randomUUID()}`);
  try {
    return await body({ ...options, env: { ...options.env, GIT_INDEX_FILE: index } });
  } finally {
    rmSync(index, { force: true });
  }
}

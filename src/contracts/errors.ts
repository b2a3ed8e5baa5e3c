/**
 * Stable error codes. Adapters map them to exit codes and one-line messages;
 * callers may switch on them. Never renumber or rename: they are public.
 */
export type FanoutErrorCode =
  /** A plan file or plan object is malformed (syntax, schema, ids, cycles, globs). */
  | 'PLAN_INVALID'
  /** Two tasks conflict and the plan was checked in strict mode. */
  | 'PLAN_CONFLICT'
  /** A command-line flag or library option has a wrong value. */
  | 'OPTION_INVALID'
  /** No run or task with the given id or handle exists in the store. */
  | 'NOT_FOUND'
  /** A model spec (`sim`, `anthropic:<id>`, ...) cannot be resolved or configured. */
  | 'MODEL_CONFIG'
  /** A model call failed; `retryable` says whether trying again may help. */
  | 'MODEL_ERROR'
  /** A model's answer did not have the expected shape (e.g. output failed its JSON Schema). */
  | 'OUTPUT_INVALID'
  /** A subagent tool call was refused (path escapes the workspace, write outside scope, ...). */
  | 'TOOL_DENIED'
  /** A subagent tool call failed for another reason (file not found, edit mismatch, ...). */
  | 'TOOL_FAILED'
  /** A limit was reached: turns, time, tokens, budget. */
  | 'LIMIT_REACHED'
  /** The operation was cancelled through its AbortSignal or `stop()`. */
  | 'ABORTED'
  /** The store could not be opened or written. */
  | 'STORE_ERROR'
  /**
   * Worktrees cannot be used as asked: not a git repository, a detached HEAD,
   * a branch that already exists, uncommitted changes where a merge would land.
   */
  | 'WORKSPACE_INVALID'
  /** A git command under fanout's worktrees failed unexpectedly. */
  | 'WORKSPACE_FAILED'
  /** A task asks for the shell and no OS sandbox is installed (or it cannot start). */
  | 'SANDBOX_UNAVAILABLE'
  /** A bug or an unexpected condition. */
  | 'INTERNAL';

/** Options accepted by {@link FanoutError}. */
export interface FanoutErrorOptions {
  /** The underlying error, kept for `--debug`. */
  cause?: unknown;
  /** Whether retrying the same operation may succeed (429, 5xx, connection reset). */
  retryable?: boolean;
  /** Server-advised wait before a retry, from `retry-after` headers. */
  retryAfterMs?: number;
  /** Where the problem is: a file path, optionally with a field path (`plan.yaml: tasks[2].id`). */
  where?: string;
  /** HTTP status, when the error came from an HTTP call. */
  status?: number;
}

/**
 * The one error type fanout throws. `code` is stable; `message` is a single
 * line a user can act on (what was wrong, where, what was expected).
 */
export class FanoutError extends Error {
  override readonly name = 'FanoutError';
  readonly code: FanoutErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly where: string | undefined;
  readonly status: number | undefined;

  constructor(code: FanoutErrorCode, message: string, options: FanoutErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.where = options.where;
    this.status = options.status;
  }
}

/** True when `error` is a {@link FanoutError}, optionally with the given code. */
export function isFanoutError(error: unknown, code?: FanoutErrorCode): error is FanoutError {
  return error instanceof FanoutError && (code === undefined || error.code === code);
}

/** Wraps any thrown value into a FanoutError, keeping FanoutErrors as they are. */
export function toFanoutError(error: unknown, fallback: FanoutErrorCode = 'INTERNAL'): FanoutError {
  if (error instanceof FanoutError) return error;
  if (error instanceof Error && error.name === 'AbortError') {
    return new FanoutError('ABORTED', 'operation aborted', { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new FanoutError(fallback, message, { cause: error });
}

import { isFanoutError, type FanoutErrorCode } from '../contracts/errors.js';
import type { TaskStatus } from '../contracts/records.js';

/** The CLI's exit codes. Public: scripts depend on them (docs/cli.md). */
export const ExitCode = {
  /** Every task succeeded (or the command did what it was asked). */
  ok: 0,
  /** A task failed, hit a limit, was skipped or stopped, or an unexpected error happened. */
  failed: 1,
  /** Invalid input: plan, flags, unknown command, unknown run or handle, model configuration. */
  invalidInput: 2,
  /** Interrupted by Ctrl-C (SIGINT). */
  interrupted: 130,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

const INPUT_ERROR_CODES: ReadonlySet<FanoutErrorCode> = new Set([
  'PLAN_INVALID',
  'PLAN_CONFLICT',
  'OPTION_INVALID',
  'NOT_FOUND',
  'MODEL_CONFIG',
  'WORKSPACE_INVALID',
  'SANDBOX_UNAVAILABLE',
]);

/** The exit code for an error that ended a command. */
export function exitCodeForError(error: unknown): ExitCodeValue {
  if (isFanoutError(error)) {
    if (INPUT_ERROR_CODES.has(error.code)) return ExitCode.invalidInput;
    if (error.code === 'ABORTED') return ExitCode.interrupted;
  }
  return ExitCode.failed;
}

/**
 * The exit code of a finished run: 0 only when every task succeeded and the
 * run itself (including synthesis) succeeded; when a signal stopped it, that
 * signal's code (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP).
 */
export function exitCodeForRun(
  runStatus: string,
  taskStatuses: readonly TaskStatus[],
  interrupted: boolean,
  interruptCode: number = ExitCode.interrupted,
): number {
  if (interrupted) return interruptCode;
  const allSucceeded = taskStatuses.every((status) => status === 'succeeded');
  return allSucceeded && runStatus === 'succeeded' ? ExitCode.ok : ExitCode.failed;
}

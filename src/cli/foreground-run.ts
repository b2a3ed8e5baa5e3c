import type { CheckedRun, Fanout, RunResult } from '../contracts/fanout.js';
import type { Plan } from '../contracts/plan.js';
import type { FanoutEvent } from '../contracts/events.js';
import { exitCodeForRun } from './exit-codes.js';
import { writeLines, type CliIo } from './io.js';
import { onInterrupt } from './interrupt.js';
import { isPrintedEvent, jsonLine, runEndLine } from './json-lines.js';
import { ProgressView } from './progress-view.js';
import { createProgressState } from './render-progress.js';
import { renderRunSummary, type RunSummaryOptions } from './render-run-summary.js';
import { reportedColumns } from './terminal-size.js';

/** How a foreground run ended. */
export interface ForegroundRun {
  result: RunResult;
  /** True when the user pressed Ctrl-C or the process got SIGTERM or SIGHUP (the run was stopped). */
  interrupted: boolean;
  /** The exit code of that signal (130, 143, 129). */
  interruptCode?: number;
}

/** A recorded run to continue in the foreground (`fanout resume`), with its plan for the progress view. */
export interface ResumedRun {
  resume: string;
  plan: Pick<Plan, 'tasks'>;
}

/** Options of {@link runInForeground}. */
export interface ForegroundRunOptions {
  /** NDJSON events and the run-end line on stdout instead of live progress. */
  json: boolean;
  /** With `json`: objects printed as JSON lines after the events and before the run-end line (a command's own result). */
  resultLines?: (result: RunResult) => unknown[];
  /** `--apply`: move the user's branch to the merged result of the run's worktrees. */
  apply?: boolean;
  /** `--resolve`: a resolver subagent per conflicting file of the merge. */
  resolve?: boolean;
  /** Called with the run id once the run is recorded, before progress is drawn (`--ui` prints its dashboard URL). */
  onSpawned?: (runId: string) => void;
}

/**
 * Runs a checked run in this process and shows it: live progress on
 * stdout, or NDJSON events and the final `run-end` line with `json`. The
 * first Ctrl-C stops every task (the run then ends as stopped); a second
 * exits at once.
 */
export async function runInForeground(
  fanout: Fanout,
  run: CheckedRun | ResumedRun,
  options: ForegroundRunOptions,
  io: CliIo,
): Promise<ForegroundRun> {
  const view = options.json ? undefined : new ProgressView(io.stdout, createProgressState(run.plan.tasks));
  const interrupt = onInterrupt({ stderr: view?.noticeStream(io.stderr) ?? io.stderr });
  const show = (event: FanoutEvent): void => {
    if (options.json) {
      if (isPrintedEvent(event)) io.stdout.write(jsonLine(event));
    } else {
      view?.handle(event);
    }
  };
  try {
    const start = {
      signal: interrupt.signal,
      onEvent: show,
      ...(options.apply === true ? { apply: true } : {}),
      ...(options.resolve === true ? { resolve: true } : {}),
    };
    const spawned = 'resume' in run ? fanout.resume(run.resume, start) : fanout.spawn(run, start);
    options.onSpawned?.(spawned.runId);
    view?.start();
    const result = await fanout.wait(spawned.runId);
    view?.stop();
    if (options.json) {
      for (const line of options.resultLines?.(result) ?? []) io.stdout.write(jsonLine(line));
      io.stdout.write(jsonLine(runEndLine(result.report)));
    }
    return { result, interrupted: interrupt.interrupted, ...(interrupt.exitCode === undefined ? {} : { interruptCode: interrupt.exitCode }) };
  } finally {
    view?.stop();
    interrupt.dispose();
  }
}

/** Options of {@link runAndSummarize}. */
export interface RunAndSummarizeOptions extends ForegroundRunOptions {
  /** Without `json`: how the summary differs from `run`'s (a preset's headings and sections). */
  summary?: (result: RunResult) => Omit<RunSummaryOptions, 'interrupted' | 'width'>;
}

/**
 * A foreground run as `run`, `do` and the presets show it: progress (or
 * NDJSON), then the run summary (outputs, synthesis, timing); returns the
 * exit code of the run.
 */
export async function runAndSummarize(fanout: Fanout, run: CheckedRun | ResumedRun, options: RunAndSummarizeOptions, io: CliIo): Promise<number> {
  const { result, interrupted, interruptCode } = await runInForeground(fanout, run, options, io);
  if (!options.json) {
    writeLines(io.stdout, renderRunSummary(result, { interrupted, width: reportedColumns(io.stdout), ...options.summary?.(result) }));
  }
  return exitCodeForRun(result.status, result.tasks.map((task) => task.status), interrupted, interruptCode);
}

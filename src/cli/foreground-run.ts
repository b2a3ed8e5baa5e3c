import type { Fanout, RunResult, SpawnOptions } from '../engine/api.js';
import type { FanoutEvent } from '../engine/types.js';
import type { Plan } from '../plan/types.js';
import type { CliIo } from './io.js';
import { onInterrupt } from './interrupt.js';
import { isPrintedEvent, jsonLine, runEndLine } from './json-lines.js';
import { ProgressView } from './progress-view.js';
import { createProgressState } from './render-progress.js';

/** How a foreground run ended. */
export interface ForegroundRun {
  result: RunResult;
  /** True when the user pressed Ctrl-C (the run was stopped). */
  interrupted: boolean;
}

/**
 * Runs a plan in this process and shows it: live progress on stdout, or
 * NDJSON events and the final `run-end` line with `json`. The first Ctrl-C
 * stops every task (the run then ends as stopped); a second exits at once.
 */
export async function runInForeground(
  fanout: Fanout,
  plan: Plan,
  options: { json: boolean; spawn?: Omit<SpawnOptions, 'signal'> },
  io: CliIo,
): Promise<ForegroundRun> {
  const interrupt = onInterrupt({ stderr: io.stderr });
  const view = options.json ? undefined : new ProgressView(io.stdout, createProgressState(plan.tasks));
  let runId: string | undefined;
  // spawn() emits its first events before it returns the run id: hold them until then.
  const early: FanoutEvent[] = [];
  const show = (event: FanoutEvent): void => {
    if (options.json) {
      if (isPrintedEvent(event)) io.stdout.write(jsonLine(event));
    } else {
      view?.handle(event);
    }
  };
  const unsubscribe = fanout.on((event) => {
    if (runId === undefined) early.push(event);
    else if (event.runId === runId) show(event);
  });
  try {
    const spawned = fanout.spawn(plan, { ...options.spawn, signal: interrupt.signal });
    runId = spawned.runId;
    for (const event of early) if (event.runId === runId) show(event);
    view?.start();
    const result = await fanout.wait(spawned.runId);
    view?.stop();
    if (options.json) io.stdout.write(jsonLine(runEndLine(result.report)));
    return { result, interrupted: interrupt.interrupted };
  } finally {
    view?.stop();
    unsubscribe();
    interrupt.dispose();
  }
}

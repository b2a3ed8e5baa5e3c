import { FanoutError } from '../../contracts/errors.js';
import { ExitCode } from '../exit-codes.js';
import { writeLines, type CliIo } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { withExistingStore } from '../library.js';
import { renderRunStatus } from '../render-status.js';

/** `fanout status [run]`: the todo list and task states of a run (a run id or a task handle; default the latest run). */
export async function statusCommand(target: string | undefined, flags: { json?: boolean; verbose?: boolean }, io: CliIo): Promise<number> {
  const view = await withExistingStore(io, async (fanout, home) => {
    if (target === undefined && fanout.runs(1).length === 0) {
      throw new FanoutError('NOT_FOUND', `no runs yet in ${home}; start one with: fanout run <plan> or fanout demo`);
    }
    return fanout.status(target);
  });
  if (flags.json) {
    // The plan is left out: it is the input, and `fanout check` shows it.
    io.stdout.write(jsonLine({ ...view, run: { ...view.run, plan: undefined } }));
  } else {
    writeLines(io.stdout, renderRunStatus(view, { verbose: flags.verbose === true }));
  }
  return ExitCode.ok;
}

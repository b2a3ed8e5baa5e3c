import type { StoredEvent } from '../../contracts/events.js';
import { ExitCode } from '../exit-codes.js';
import { interruptedExitCode, interruptible } from '../interrupt.js';
import type { CliIo } from '../io.js';
import { withExistingStore } from '../library.js';
import { logJsonLine, renderLogLine, type LogLayout } from '../../report/log-lines.js';

/** Flags of `fanout logs`. */
export interface LogsFlags {
  follow?: boolean;
  json?: boolean;
}

/**
 * `fanout logs <handle|run>`: the stored events of a task or a run as
 * readable lines (or NDJSON), from any process; `--follow` keeps printing
 * new ones until the task or run has ended.
 */
export async function logsCommand(target: string, flags: LogsFlags, io: CliIo): Promise<number> {
  return interruptible(
    { stderr: io.stderr, notice: 'fanout: interrupted' },
    async (interrupt) => {
      await withExistingStore(io, async (fanout) => {
        const { run, tasks } = fanout.status(target);
        const ids = new Map(tasks.map((task) => [task.handle, task.taskId]));
        const layout: LogLayout = { t0: run.createdAt, ids, idWidth: Math.max(3, ...tasks.map((task) => task.taskId.length)) };
        const print = (stored: StoredEvent): void => {
          const line = flags.json ? logJsonLine(stored) : renderLogLine(stored, layout);
          if (line !== undefined) io.stdout.write(flags.json ? line : `${line}\n`);
        };
        if (!flags.follow) {
          for (const stored of fanout.events(target)) print(stored);
          return;
        }
        for await (const stored of fanout.followEvents(target, { signal: interrupt.signal })) print(stored);
      });
      return ExitCode.ok;
    },
    interruptedExitCode,
  );
}

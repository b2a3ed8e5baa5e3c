import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { withExistingStore } from '../library.js';

/** Flags of `fanout prune`. */
export interface PruneFlags {
  /** Milliseconds, parsed from `30d`, `12h`, `90m`, `3600s`. */
  olderThan: number;
  json?: boolean;
}

/**
 * `fanout prune --older-than 30d`: deletes the runs created before then
 * (tasks, events, outputs, todos) and their background logs; live runs are
 * kept and counted.
 */
export async function pruneCommand(flags: PruneFlags, io: CliIo): Promise<number> {
  const { pruned, live } = await withExistingStore(io, async (fanout, home) => {
    const result = fanout.prune({ olderThanMs: flags.olderThan });
    for (const runId of result.pruned) rmSync(join(home, 'logs', `${runId}.log`), { force: true });
    return result;
  });
  if (flags.json) {
    io.stdout.write(jsonLine({ pruned, live }));
  } else {
    const kept = live.length === 0 ? '' : `; kept ${live.length} still running (${live.join(', ')})`;
    io.stdout.write(`pruned ${pruned.length} run${pruned.length === 1 ? '' : 's'}${kept}\n`);
  }
  return ExitCode.ok;
}

import { ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { withFanout } from '../library.js';

/** `fanout stop <handle|run>`: records a stop request that the executing process acts on. */
export async function stopCommand(target: string, io: CliIo): Promise<number> {
  await withFanout(io, undefined, (fanout) => fanout.stop(target));
  io.stdout.write(`stop requested: ${target}\n`);
  return ExitCode.ok;
}

import type { OutputResult } from '../../contracts/fanout.js';
import { ExitCode } from '../exit-codes.js';
import { interruptedExitCode, interruptible } from '../interrupt.js';
import type { CliIo } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { withExistingStore } from '../library.js';

/** Flags of `fanout output`. */
export interface OutputFlags {
  block?: boolean;
  timeout?: number;
  json?: boolean;
}

/**
 * The exit code of `fanout output`: 0 when the task succeeded or is still
 * on its way (its status then goes to stderr), 1 when it ended any other way
 * or can no longer finish (its run was interrupted: `error` is set).
 */
export function outputExitCode(result: OutputResult): number {
  if (result.status === 'succeeded') return ExitCode.ok;
  if (!result.done && result.error === undefined) return ExitCode.ok;
  return ExitCode.failed;
}

/** The stderr line for a task that did not succeed (yet), or undefined when it did. */
export function outputStatusLine(result: OutputResult, flags: OutputFlags): string | undefined {
  if (result.status === 'succeeded') return undefined;
  const why = result.error === undefined ? '' : `: ${result.error}`;
  if (result.done || result.error !== undefined) return `fanout: task ${result.handle} ${result.status}${why}`;
  if (flags.block) return `fanout: task ${result.handle} is still ${result.status} after ${flags.timeout ?? 0}ms`;
  return `fanout: task ${result.handle} is ${result.status} (add --block to wait for it)`;
}

/** A task's validated JSON output (JSON Schema `outputFormat`), pretty-printed; undefined when it has none. */
function structuredOutput(result: OutputResult): string | undefined {
  return result.output?.json === undefined ? undefined : `${JSON.stringify(result.output.json, null, 2)}\n`;
}

/** The text printed for a finished task: its parsed JSON when it has a JSON Schema output, else its text. */
export function outputText(result: OutputResult): string {
  if (!result.output) return '';
  const structured = structuredOutput(result);
  if (structured !== undefined) return structured;
  const { text } = result.output;
  return text.endsWith('\n') || text === '' ? text : `${text}\n`;
}

/**
 * What `--json` prints: the validated JSON output of a task that has one
 * (pretty-printed, as issue 3 promises), else the whole {@link OutputResult}
 * on one line (status, `done`, text output, error), for scripts that poll.
 */
export function outputJson(result: OutputResult): string {
  return structuredOutput(result) ?? jsonLine(result);
}

/** `fanout output <handle>`: a task's output, from this or any other process. */
export async function outputCommand(handle: string, flags: OutputFlags, io: CliIo): Promise<number> {
  return interruptible(
    { stderr: io.stderr, notice: 'fanout: interrupted' },
    async (interrupt) => {
      const result = await withExistingStore(io, (fanout) =>
        fanout.output(handle, {
          block: flags.block === true,
          ...(flags.timeout !== undefined && { timeoutMs: flags.timeout }),
          signal: interrupt.signal,
        }),
      );
      if (interrupt.interrupted) return interruptedExitCode(interrupt);
      io.stdout.write(flags.json ? outputJson(result) : outputText(result));
      const statusLine = outputStatusLine(result, flags);
      if (statusLine !== undefined) io.stderr.write(`${statusLine}\n`);
      if (result.output?.truncated) io.stderr.write(`fanout: the output of ${handle} was truncated to the store's cap\n`);
      return outputExitCode(result);
    },
    interruptedExitCode,
  );
}

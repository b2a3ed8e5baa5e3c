import type { Fanout } from '../contracts/fanout.js';
import type { ProgressStream } from './progress-view.js';

/** The part of stdin a command that asks a question uses. */
export interface PromptInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
}

/** What a command may touch of its process: injected so commands can be tested without spawning. */
export interface CliIo {
  stdout: ProgressStream;
  stderr: { write(text: string): unknown };
  /** Where answers to questions come from; absent: nothing is ever asked. */
  stdin?: PromptInput;
  env: NodeJS.ProcessEnv;
  /** The directory relative paths on the command line are resolved against. */
  cwd: string;
  /** Print stack traces (global `--debug`). */
  debug: boolean;
  /**
   * Builds the Fanout that commands use, confined to `cwd`. Absent (the
   * real CLI): the default one from src/compose.ts. Tests pass their own to
   * drive a command with a scripted model.
   */
  createFanout?: (cwd: string) => Fanout;
}

/** Writes lines, each followed by a newline. */
export function writeLines(stream: { write(text: string): unknown }, lines: readonly string[]): void {
  if (lines.length > 0) stream.write(`${lines.join('\n')}\n`);
}

/** A checked run's warnings on stderr, `fanout: warning: <line>` each: allowed, but probably not what the user meant. */
export function writeWarnings(io: Pick<CliIo, 'stderr'>, warnings: readonly string[]): void {
  writeLines(io.stderr, warnings.map((warning) => `fanout: warning: ${warning}`));
}

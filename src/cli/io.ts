import type { ProgressStream } from './progress-view.js';

/** What a command may touch of its process: injected so commands can be tested without spawning. */
export interface CliIo {
  stdout: ProgressStream;
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  /** The directory relative paths on the command line are resolved against. */
  cwd: string;
  /** Print stack traces (global `--debug`). */
  debug: boolean;
}

/** Writes lines, each followed by a newline. */
export function writeLines(stream: { write(text: string): unknown }, lines: readonly string[]): void {
  if (lines.length > 0) stream.write(`${lines.join('\n')}\n`);
}

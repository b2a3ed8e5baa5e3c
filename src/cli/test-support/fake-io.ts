import type { CliIo } from '../io.js';

/** A {@link CliIo} that records what is written. */
export interface RecordingIo extends CliIo {
  out(): string;
  err(): string;
}

/** A fake terminal/pipe pair for command and program tests. */
export function recordingIo(options: { tty?: boolean; env?: NodeJS.ProcessEnv; cwd?: string; debug?: boolean; columns?: number; rows?: number } = {}): RecordingIo {
  let out = '';
  let err = '';
  return {
    stdout: {
      write: (text: string) => {
        out += text;
        return true;
      },
      isTTY: options.tty ?? false,
      columns: options.columns ?? 100,
      rows: options.rows ?? 30,
    },
    stderr: {
      write: (text: string) => {
        err += text;
        return true;
      },
    },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    debug: options.debug ?? false,
    out: () => out,
    err: () => err,
  };
}

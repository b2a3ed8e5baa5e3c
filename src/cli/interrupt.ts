import { ExitCode } from './exit-codes.js';

/** What {@link onInterrupt} returns. */
export interface InterruptHandle {
  /** Fires on the first Ctrl-C, SIGTERM or SIGHUP. */
  readonly signal: AbortSignal;
  /** True once one of them came. */
  readonly interrupted: boolean;
  /** The exit code the signal that came asks for (130 SIGINT, 143 SIGTERM, 129 SIGHUP); undefined before. */
  readonly exitCode: number | undefined;
  /** Removes the signal handlers. */
  dispose(): void;
}

/** The signals that stop a long command, what each is called in the run's reason, and its exit code (128 + its number). */
const STOP_SIGNALS: ReadonlyArray<{ name: NodeJS.Signals; reason: string; code: number }> = [
  { name: 'SIGINT', reason: 'interrupted by Ctrl-C', code: 130 },
  { name: 'SIGTERM', reason: 'terminated (SIGTERM)', code: 143 },
  { name: 'SIGHUP', reason: 'hung up (SIGHUP: the terminal closed)', code: 129 },
];

/** Options of {@link onInterrupt}. */
export interface InterruptOptions {
  /** Where the "stopping" notice goes. */
  stderr: { write(text: string): unknown };
  /** What the second signal calls; default `process.exit`. */
  exit?: (code: number) => void;
  /** The emitter of `SIGINT`, `SIGTERM` and `SIGHUP`; default `process`. */
  source?: NodeJS.EventEmitter;
  /** The notice printed on the first Ctrl-C. */
  notice?: string;
}

/**
 * Signal handling for long commands: the first SIGINT (Ctrl-C), SIGTERM
 * (`kill`, a supervisor) or SIGHUP (the terminal closed) aborts the returned
 * signal, so the command stops its tasks, records them as stopped and
 * reports what finished, then exits with the signal's code; a second signal
 * exits at once with its code.
 */
export function onInterrupt(options: InterruptOptions): InterruptHandle {
  const source = options.source ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const controller = new AbortController();
  let exitCode: number | undefined;
  const listeners = STOP_SIGNALS.map(({ name, reason, code }) => {
    const listener = (): void => {
      if (controller.signal.aborted) {
        exit(code);
        return;
      }
      exitCode = code;
      options.stderr.write(`\n${options.notice ?? 'fanout: stopping every task (press Ctrl-C again to exit at once)'}\n`);
      controller.abort(new Error(reason));
    };
    source.on(name, listener);
    return { name, listener };
  });
  return {
    signal: controller.signal,
    get interrupted() {
      return controller.signal.aborted;
    },
    get exitCode() {
      return exitCode;
    },
    dispose: () => {
      for (const { name, listener } of listeners) source.off(name, listener);
    },
  };
}

/**
 * Runs `work` with the signals of {@link onInterrupt} handled, removing the
 * handlers after. An error `work` throws once a signal came is the abort the
 * signal caused, not a failure: it resolves with `interrupted(handle)` instead.
 */
export async function interruptible<T>(
  options: InterruptOptions,
  work: (interrupt: InterruptHandle) => Promise<T>,
  interrupted: (interrupt: InterruptHandle) => T,
): Promise<T> {
  const interrupt = onInterrupt(options);
  try {
    return await work(interrupt);
  } catch (error) {
    if (interrupt.interrupted) return interrupted(interrupt);
    throw error;
  } finally {
    interrupt.dispose();
  }
}

/** The exit code of a command the signal behind `interrupt` stopped. */
export function interruptedExitCode(interrupt: InterruptHandle): number {
  return interrupt.exitCode ?? ExitCode.interrupted;
}

/**
 * Resolves at the first SIGINT or SIGTERM from `source` (default `process`),
 * then stops listening: how a server command (`fanout sim`, `fanout mcp
 * --http`) waits to be stopped.
 */
export function untilStopSignal(source: NodeJS.EventEmitter = process): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      source.off('SIGINT', stop);
      source.off('SIGTERM', stop);
      resolve();
    };
    source.once('SIGINT', stop);
    source.once('SIGTERM', stop);
  });
}

/** What {@link onInterrupt} returns. */
export interface InterruptHandle {
  /** Fires on the first Ctrl-C. */
  readonly signal: AbortSignal;
  /** True once Ctrl-C was pressed. */
  readonly interrupted: boolean;
  /** Removes the SIGINT handler. */
  dispose(): void;
}

/** Options of {@link onInterrupt}. */
export interface InterruptOptions {
  /** Where the "stopping" notice goes. */
  stderr: { write(text: string): unknown };
  /** What the second Ctrl-C calls; default `process.exit`. */
  exit?: (code: number) => void;
  /** The emitter of `SIGINT`; default `process`. */
  source?: NodeJS.EventEmitter;
  /** The notice printed on the first Ctrl-C. */
  notice?: string;
}

/**
 * Ctrl-C handling for long commands: the first SIGINT aborts the returned
 * signal (the command then stops its tasks and reports what finished); a
 * second one exits at once with 130.
 */
export function onInterrupt(options: InterruptOptions): InterruptHandle {
  const source = options.source ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const controller = new AbortController();
  const listener = (): void => {
    if (controller.signal.aborted) {
      exit(130);
      return;
    }
    options.stderr.write(`\n${options.notice ?? 'fanout: stopping every task (press Ctrl-C again to exit at once)'}\n`);
    controller.abort(new Error('interrupted by Ctrl-C'));
  };
  source.on('SIGINT', listener);
  return {
    signal: controller.signal,
    get interrupted() {
      return controller.signal.aborted;
    },
    dispose: () => {
      source.off('SIGINT', listener);
    },
  };
}

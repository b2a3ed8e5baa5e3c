/**
 * The life of a leg process (bench/leg-process.ts, bench/peers/peer-process.ts):
 * run its main, then exit 0, or 1 with the error on stderr. It imports
 * nothing, of fanout's or a peer's, so both kinds of process can load it.
 */

/** Runs `main` as the whole of this process; `label` ("bench leg") names the process in what it writes to stderr. */
export function runAsLegProcess(label: string, main: () => Promise<void>): void {
  // The parent's IPC channel (the clock-start message) must not keep the event loop alive: the guard below relies on it emptying.
  process.channel?.unref();
  // Without this, a leg awaiting something no timer or socket will settle would end with code 0 and no result.
  process.once('beforeExit', () => {
    process.stderr.write(`${label}: the event loop emptied before the leg finished (a promise nothing will settle)\n`);
    process.exit(1);
  });
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}

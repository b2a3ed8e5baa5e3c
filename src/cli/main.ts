#!/usr/bin/env node
// The CLI entry. `--version` is answered before anything else is imported so
// it stays fast; everything else lives in program.ts and the lazily loaded
// command modules.
import { readVersion } from './version.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${readVersion()}\n`);
} else {
  // A reader that went away (`fanout run plan.yaml | head -1`) ends nothing: the command goes
  // on to its end with everything recorded in the store, writing nowhere, and exits with its
  // own code (a run's: 0 only when every task succeeded). Exiting here would abort every task.
  let readerGone = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
      readerGone = true;
      return;
    }
    throw error;
  });
  const { runCli, processIo } = await import('./program.js');
  const code = await runCli(argv, processIo());
  // Exit explicitly so a stray handle (a socket, a timer) cannot keep a finished command alive,
  // but only after stdout has been handed to the OS.
  if (readerGone || process.stdout.destroyed) process.exit(code);
  else process.stdout.write('', () => process.exit(code));
}

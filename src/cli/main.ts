#!/usr/bin/env node
// The CLI entry. `--version` is answered before anything else is imported so
// it stays fast; everything else lives in program.ts and the lazily loaded
// command modules.
import { readVersion } from './version.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${readVersion()}\n`);
} else {
  // A reader that went away (`fanout runs | head -1`) is not an error worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const { runCli, processIo } = await import('./program.js');
  const code = await runCli(argv, processIo());
  // Exit explicitly so a stray handle (a socket, a timer) cannot keep a finished command alive,
  // but only after stdout has been handed to the OS.
  process.stdout.write('', () => process.exit(code));
}

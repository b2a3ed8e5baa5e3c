import { spawn } from 'node:child_process';
import type { CliIo } from './io.js';

/** Opens `url` in the user's browser (`--open`); a missing opener is one line on stderr, never an error. */
export function openBrowser(url: string, io: CliIo): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => io.stderr.write(`fanout: could not open a browser (${command}); open the URL above\n`));
  child.unref();
}

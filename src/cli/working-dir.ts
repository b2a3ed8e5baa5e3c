import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { FanoutError } from '../contracts/errors.js';

/**
 * The working directory a command runs in: `--cwd DIR` resolved against the
 * current directory, or the current directory itself. Throws FanoutError
 * `OPTION_INVALID` (one line) when DIR does not exist or is not a
 * directory, so a bad flag stops the command before anything is printed,
 * recorded or started.
 */
export function workingDirOf(current: string, flag: string | undefined): string {
  const dir = resolve(current, flag ?? '.');
  if (flag === undefined) return dir;
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    throw new FanoutError('OPTION_INVALID', `--cwd ${flag}: no such directory (looked for ${dir})`, { cause: error });
  }
  if (!isDirectory) throw new FanoutError('OPTION_INVALID', `--cwd ${flag}: not a directory (${dir} is a file)`);
  return dir;
}

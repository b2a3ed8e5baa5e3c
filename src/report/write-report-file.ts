import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FanoutError } from '../contracts/errors.js';

/**
 * Writes a report whole or not at all: into a temporary file beside it,
 * then renamed over it. A missing directory is `OPTION_INVALID` naming it
 * (`flag` says which option gave the path), and nothing is written.
 */
export function writeReportFile(path: string, text: string, flag: string): void {
  const directory = dirname(path);
  let isDirectory = false;
  try {
    isDirectory = statSync(directory).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (!isDirectory) throw new FanoutError('OPTION_INVALID', `${flag} ${path}: directory ${directory} does not exist`);
  const temporary = join(directory, `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new FanoutError('OPTION_INVALID', `${flag} ${path}: cannot write it: ${(error as Error).message}`, { cause: error });
  }
}

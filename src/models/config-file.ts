import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { FanoutError } from '../contracts/errors.js';

/**
 * Reads a configuration file of fanout's (prices, commands): JSON or YAML,
 * since YAML is a superset of JSON and one parser reads both. Throws
 * FanoutError `OPTION_INVALID`, one line naming the file:
 * `<file>: cannot read the <what> (ENOENT)` or `<file>: not valid JSON or YAML: …`.
 */
export function readConfigFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FanoutError('OPTION_INVALID', `${file}: cannot read the ${what} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, {
      cause: error,
      where: file,
    });
  }
  try {
    return parseYaml(text, { maxAliasCount: 100 }) as unknown;
  } catch (error) {
    throw new FanoutError('OPTION_INVALID', `${file}: not valid JSON or YAML: ${(error as Error).message.split('\n')[0]}`, { cause: error, where: file });
  }
}

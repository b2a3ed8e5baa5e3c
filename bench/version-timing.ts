/**
 * Times the CLI's fast path, `node bin/fanout.js --version`, the way a user
 * starts it: a fresh process each time, over the compiled `dist/` (which
 * `npm run bench` builds first).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median } from './bench-stats.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** What {@link timeVersion} measured. */
export interface VersionTiming {
  /** Median wall time of one `--version` process, ms. */
  medianMs: number;
  /** Every run, ms, in order. */
  runsMs: number[];
}

/** Times `runs` processes of `node bin/fanout.js --version`. */
export function timeVersion(runs = 10): VersionTiming {
  const expected = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version;
  const runsMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    const child = spawnSync(process.execPath, ['bin/fanout.js', '--version'], { cwd: ROOT, encoding: 'utf8' });
    runsMs.push(Math.round(performance.now() - start));
    if (child.status !== 0 || !child.stdout.includes(expected)) {
      throw new Error(`fanout --version exited ${child.status} printing "${child.stdout.trim()}" (expected ${expected}): ${child.stderr.trim()}`);
    }
  }
  return { medianMs: median(runsMs), runsMs };
}


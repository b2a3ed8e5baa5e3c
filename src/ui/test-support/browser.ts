import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, as ENVIRONMENT.md says it runs here. */
export const CHROMIUM_PATH = process.env['FANOUT_CHROMIUM'] ?? '/usr/bin/chromium';

/**
 * True when the browser tests can run. In CI a missing Chromium is a
 * failure, not a skip: `.ci/run` installs it, and the tests must run.
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env['CI']) throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: .ci/run installs it (apt-get install chromium)`);
  return false;
}

/** Launches headless Chromium with the flags that work on this machine. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Builds the dashboard bundle from the sources (as `npm run build` does) into a temp directory; returns its path. */
export async function buildDashboardBundle(): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'fanout-ui-bundle-')), 'app.js');
  await build({ entryPoints: ['src/ui/web/app.tsx'], outfile, bundle: true, jsx: 'automatic', jsxImportSource: 'preact', platform: 'browser', format: 'iife', logLevel: 'warning' });
  return outfile;
}

/** Where screenshots of the browser tests are kept (gitignored). */
export const ARTIFACTS_DIR = join(process.cwd(), 'test-artifacts');

import { readFileSync } from 'node:fs';

/**
 * The package root: two levels above this module, both in `src/cli/` (tsx)
 * and in `dist/cli/` (compiled), so it does not depend on the current directory.
 */
export const PACKAGE_ROOT = new URL('../../', import.meta.url);

/** The version in package.json, read with fs only (this runs before anything heavy is loaded). */
export function readVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
}

import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './test-support/cli-process.js';

// What a user gets from `npm pack` (or the registry): the tarball installs into an empty
// directory and `npx fanout demo` runs from there. Installing resolves the dependencies
// through npm (its cache first, then the registry). Install scripts are skipped and
// better-sqlite3 gets the addon this checkout already built: compiling it again (there is
// no prebuilt download offline) would take minutes and tests nothing of fanout's.

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const dirs: string[] = [];
// Removing an installed node_modules took over the default 30 s hook limit on a loaded machine.
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}, 120_000);

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** The environment of a user without API keys or a fanout home of their own. */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'FANOUT_HOME', 'FANOUT_SIM_URL', 'VITEST', 'NODE_OPTIONS']) delete env[key];
  return env;
}

describe('the packed tarball', () => {
  it('installs into an empty directory, and npx fanout demo runs from it', async () => {
    // The package as `npm pack` makes it: the files package.json lists, with dist/ compiled from these sources.
    const stage = tempDir('fanout-pack-');
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { files: string[]; version: string };
    for (const entry of [...manifest.files.filter((file) => file !== 'dist'), 'package.json', 'README.md']) {
      cpSync(join(REPO_ROOT, entry), join(stage, entry), { recursive: true });
    }
    const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
    await run(process.execPath, [tsc, '-p', join(REPO_ROOT, 'tsconfig.build.json'), '--noCheck', '--outDir', join(stage, 'dist')], { cwd: REPO_ROOT });
    await run(npm, ['pack', '--ignore-scripts', '--silent', '--pack-destination', stage], { cwd: stage, env: userEnv() });
    const tarball = join(stage, `fanout-${manifest.version}.tgz`);
    expect(existsSync(tarball)).toBe(true);

    const user = tempDir('fanout-user-');
    writeFileSync(join(user, 'package.json'), '{ "private": true }\n');
    await run(npm, ['install', tarball, '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--silent'], {
      cwd: user,
      env: userEnv(),
    });
    const installed = join(user, 'node_modules/better-sqlite3');
    const version = (dir: string): string => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    const ours = join(REPO_ROOT, 'node_modules/better-sqlite3');
    if (version(installed) === version(ours)) cpSync(join(ours, 'build'), join(installed, 'build'), { recursive: true });
    else await run(npm, ['rebuild', 'better-sqlite3'], { cwd: user, env: userEnv() });

    const demo = await run('npx', ['--no-install', 'fanout', 'demo'], { cwd: user, env: userEnv() });
    expect(demo.stdout).toContain('SIMULATED model');
    expect(demo.stdout).toMatch(/Speedup\s+\d+\.\d\d×/);
    expect(demo.stdout).toMatch(/Run run-\S+ succeeded/);

    // The library from the installed package: PLAN_JSON_SCHEMA is read from the package's schema/ when it loads.
    const script = "const api = await import('fanout'); console.log(api.PLAN_JSON_SCHEMA.title, typeof api.createDefaultFanout)";
    const library = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: user, env: userEnv() });
    expect(library.stdout.trim()).toBe('fanout plan function');
  }, 300_000);

  it('links quietly as README.md and docs/cli.md say (npm link warns of install scripts without --ignore-scripts)', async () => {
    const commands = ['README.md', 'docs/cli.md'].map((file) => /run `(npm link[^`]*)` once/.exec(readFileSync(join(REPO_ROOT, file), 'utf8'))?.[1]);
    expect(commands).toEqual(['npm link --ignore-scripts', 'npm link --ignore-scripts']);
    // A prefix of its own: the link goes there, not into this machine's global packages.
    const prefix = tempDir('fanout-prefix-');
    const linked = await run(npm, [...(commands[0] ?? '').split(' ').slice(1), '--offline', '--no-audit', '--no-fund'], {
      cwd: REPO_ROOT,
      env: { ...userEnv(), npm_config_prefix: prefix },
    });
    expect(linked.stderr).toBe('');
    const version = await run(join(prefix, 'bin/fanout'), ['--version'], { env: userEnv() });
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version);
  }, 120_000);
});

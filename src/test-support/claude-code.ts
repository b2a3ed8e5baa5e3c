import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The Claude Code CLI version the tests run against (pinned: its wire behaviour is what they check). */
export const CLAUDE_CODE_VERSION = '2.1.328';

/**
 * Where the pinned Claude Code is installed: `$FANOUT_TEST_CACHE`, else
 * `~/.cache/fanout-test`. Outside the project, so `npm ci` neither
 * downloads its ~250 MB nor removes it; `.ci/run` fills it before the tests.
 */
export function claudeCodeDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.FANOUT_TEST_CACHE || join(homedir(), '.cache', 'fanout-test'), `claude-code-${CLAUDE_CODE_VERSION}`);
}

/**
 * The path of the pinned `claude` binary, installing it from the npm
 * registry first when it is not there yet (about 25 s). The install goes to
 * a temporary directory renamed into place, so concurrent callers never see
 * half an install.
 */
export async function ensureClaudeCode(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const dir = claudeCodeDir(env);
  const binary = join(dir, 'node_modules', '.bin', 'claude');
  if (existsSync(binary)) return binary;
  const parent = join(dir, '..');
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(join(parent, 'installing-'));
  try {
    await promisify(execFile)(
      'npm',
      ['install', '--prefix', staging, '--no-audit', '--no-fund', '--no-save', `@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}`],
      { timeout: 300_000 },
    );
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another process finished first: its install is as good as this one.
      if (!existsSync(binary)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}

/**
 * The environment that runs Claude Code offline against a local Anthropic
 * endpoint (the simulated model): a dummy key, no traffic besides the model
 * calls, no retries, and its own HOME and config directory.
 */
export function claudeCodeEnv(baseUrl: string, home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('ANTHROPIC_') || name.startsWith('CLAUDE_')) delete env[name];
  return {
    ...env,
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: 'dummy',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
    HOME: home,
    CLAUDE_CONFIG_DIR: join(home, '.claude'),
  };
}

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './test-support/cli-process.js';
import { useBuiltCli } from './test-support/e2e-setup.js';

// Every command in the `sh` code blocks of README.md and docs/cli.md is run, as a user
// would type it, so the docs cannot drift from the CLI. Commands that cannot run
// offline are skipped, each listed below with the reason.

/** Commands of the docs that are not run, and why. Each must still be in the docs. */
const SKIPPED: Readonly<Record<string, string>> = {
  'npm ci && npm run demo': 'installs from the npm registry; the demo itself runs in cli.e2e.test.ts and the packed-tarball test',
  'npm test': 'the test suite itself',
  'claude mcp add fanout -- fanout mcp': 'needs the Claude Code CLI and changes its configuration; the MCP server is tested in src/mcp',
  'claude mcp add --scope project fanout -- fanout mcp': 'needs the Claude Code CLI and writes .mcp.json; the MCP server is tested in src/mcp',
  'ANTHROPIC_API_KEY=sk-ant-... fanout run plan.yaml': 'needs an Anthropic API key and the network',
  'ANTHROPIC_API_KEY=sk-ant-... fanout run plan.yaml --model anthropic:claude-sonnet-5-5': 'needs an Anthropic API key and the network',
  'ANTHROPIC_API_KEY=sk-ant-... fanout demo --model anthropic:claude-sonnet-5-5': 'needs an Anthropic API key and the network',
  'OPENAI_API_KEY=sk-... fanout run plan.yaml --model openai:gpt-4o': 'needs an OpenAI API key and the network',
  'OPENAI_API_KEY=ollama OPENAI_BASE_URL=http://127.0.0.1:11434/v1 fanout do "..." --model openai:llama3.1': 'needs an Ollama server',
};

/** The commands of the `sh` blocks of a Markdown file, one per line, without trailing comments. */
function shellCommands(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  return blocks.flatMap((block) =>
    block
      .split('\n')
      .map((line) => line.replace(/\s+#\s.*$/, '').trim())
      .filter((line) => line !== ''),
  );
}

/** `fanout do "a b" --x` → ['do', 'a b', '--x']. */
function argvOf(command: string): string[] {
  return [...command.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
}

/** A working directory with what the documented commands refer to: the examples and a small src tree. */
function workspace(): { dir: string; home: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-docs-'));
  cpSync(join(REPO_ROOT, 'examples'), join(dir, 'examples'), { recursive: true });
  for (const [path, text] of Object.entries({
    'src/auth/login.ts': 'export function login(email: string, password: string) { return email === password; }\n',
    'src/api/routes.ts': 'export const routes = ["/login"];\n',
    'src/db/users.ts': 'export const users = new Map<string, string>();\n',
  })) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, home: join(dir, '.fanout') };
}

const cli = useBuiltCli();
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.each(['README.md', 'docs/cli.md'])('the commands of %s', (file) => {
  const commands = shellCommands(readFileSync(join(REPO_ROOT, file), 'utf8'));

  it('run offline as shown, each exiting 0 (skipped ones are listed with their reason)', async () => {
    expect(commands.length).toBeGreaterThan(3);
    const { dir, home } = workspace();
    dirs.push(dir);
    // Placeholders (<handle>) and the example ids of the docs stand for those of a real run.
    const seeded = await cli.run(['run', 'examples/quick-start.yaml', '--detach'], home, dir);
    expect(seeded.code, seeded.stderr).toBe(0);
    let runId = seeded.stdout.split('\n')[0] ?? '';
    let handle = /\s(task-\S+)/.exec(seeded.stdout)?.[1] ?? '';

    for (const command of commands) {
      if (command in SKIPPED) continue;
      const argv = argvOf(command);
      expect(argv[0], `${file}: "${command}" is neither run by this test nor listed in SKIPPED`).toBe('fanout');
      const args = argv.slice(1).map((arg) => {
        if (arg === '<handle>' || /^task-[a-z0-9]{8,}$/.test(arg)) return handle;
        if (/^run-[a-z0-9]{8,}$/.test(arg)) return runId;
        return arg;
      });
      const result = await cli.run(args, home, dir);
      expect(result.code, `${file}: ${command}\n${result.stdout}\n${result.stderr}`).toBe(0);
      runId = /^(run-\S+)$/m.exec(result.stdout)?.[1] ?? /\bRun (run-\S+)/.exec(result.stdout)?.[1] ?? runId;
      handle = /fanout output (task-\S+)/.exec(result.stdout)?.[1] ?? /^\S+\s+(task-\S+)$/m.exec(result.stdout)?.[1] ?? handle;
    }
  }, 180_000);
});

it('lists only skipped commands the docs still show', () => {
  const shown = ['README.md', 'docs/cli.md'].flatMap((file) => shellCommands(readFileSync(join(REPO_ROOT, file), 'utf8')));
  expect(Object.keys(SKIPPED).filter((command) => !shown.includes(command))).toEqual([]);
});

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import * as api from './index.js';

const SRC = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(SRC);
const DOC = readFileSync(path.join(ROOT, 'docs/api.md'), 'utf8');
const EXAMPLES = [...DOC.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');

/** A scratch git repository with what the examples read: plan.yaml, src/, an agent definition. */
function scratchRepository(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fanout-docs-api-'));
  const write = (file: string, text: string): void => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  write('README.md', '# demo\n');
  write('src/auth.ts', 'export const login = (user: string) => user.length > 0;\n');
  write('plan.yaml', 'tasks:\n  - { id: a, prompt: Write a., writes: ["out/**"] }\n  - { id: b, prompt: Write b., writes: ["out/b.md"] }\n');
  write(
    '.claude/agents/security-reviewer.md',
    '---\nname: security-reviewer\ndescription: Reviews code for vulnerabilities.\ntools: Read, Grep, Glob\n---\nYou review code for security problems.\n',
  );
  return dir;
}

describe('docs/api.md', () => {
  const dir = scratchRepository();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names every export of the library, values and types', () => {
    const index = readFileSync(path.join(SRC, 'index.ts'), 'utf8');
    const listed = [...index.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}\s*from/gm)]
      .flatMap((match) => (match[1] ?? '').split(','))
      .map((entry) => entry.trim().replace(/^type\s+/, '').split(/\s+as\s+/).at(-1) ?? '')
      .filter(Boolean);
    const names = [...new Set([...Object.keys(api), ...listed])];
    expect(names.length).toBeGreaterThan(Object.keys(api).length);
    expect(names.filter((name) => !new RegExp(`\\b${name}\\b`).test(DOC))).toEqual([]);
  });

  it('has examples that run as they are, importing from fanout', async () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(10);
    const git = (...args: string[]) => promisify(execFile)('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir });
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-qm', 'scratch');
    // One process runs them all, one after another, each as its own module: `fanout` is src/index.ts.
    const files = EXAMPLES.map((code, n) => {
      const file = path.join(dir, `example-${n}.mts`);
      writeFileSync(file, code.replaceAll("from 'fanout'", `from '${path.join(SRC, 'index.ts')}'`));
      return file;
    });
    writeFileSync(
      path.join(dir, 'run-examples.mts'),
      `for (const file of ${JSON.stringify(files)}) { console.log('example', file); await import(file); }\nconsole.log('all ran');\n`,
    );
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir };
    for (const key of ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'FANOUT_HOME', 'FANOUT_SIM_URL', 'FANOUT_PRICES']) delete env[key];
    const tsx = path.join(ROOT, 'node_modules/tsx/dist/loader.mjs');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', tsx, 'run-examples.mts'], { cwd: dir, env });
    expect(stdout.trim().split('\n').at(-1)).toBe('all ran');
    // What a few of them print, as the page says.
    expect(stdout).toContain('A summary.');
    expect(stdout).toContain('fanout plan');
    expect(stdout).toContain('PLAN_INVALID inline: tasks[0].dependsOn[0]');
    expect(stdout).toMatch(/# Merged review \(SIMULATED\)/);
    expect(stdout).toContain("succeeded { requests: 5, rateLimited: 0, faults: 0 }");
  }, 120_000);
});

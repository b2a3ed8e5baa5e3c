import { execFileSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { openRunStore } from '../../store/index.js';
import { runCli } from '../program.js';
import { commandWorkspace } from '../test-support/command-workspace.js';

// Real git and the simulated model, in this process; a loaded 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

const IDENTITY = { GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@localhost', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@localhost' };

/** Two tasks that each add a line at the end of config.ts: a conflict the simulated resolver settles. */
function conflictingRepo() {
  const workspace = commandWorkspace();
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: workspace.dir, encoding: 'utf8', env: { ...process.env, ...IDENTITY }, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  workspace.file('.gitignore', 'home/\nplan.yaml\n');
  workspace.file('config.ts', 'export const port = 80;\n');
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  const step = (content: string) => `{ script: [ { tools: [ { name: write_file, input: { path: config.ts, content: ${JSON.stringify(content)} } } ] } ] }`;
  workspace.file(
    'plan.yaml',
    [
      'synthesis: false',
      'isolation: worktree',
      'tasks:',
      `  - { id: one, prompt: add a, writes: [config.ts], sim: ${step('export const port = 80;\nexport const a = 1;\n')} }`,
      `  - { id: two, prompt: add b, writes: [config.ts], sim: ${step('export const port = 80;\nexport const b = 2;\n')} }`,
      '',
    ].join('\n'),
  );
  const runId = (): string => {
    const store = openRunStore(workspace.home);
    try {
      return store.listRuns(1)[0]?.runId ?? '';
    } finally {
      store.close();
    }
  };
  return { ...workspace, git, runId };
}

describe('merge --resolve and run --resolve', () => {
  it('fanout merge <run> --resolve settles the conflict the run reported and says so', async () => {
    const { io, git, runId } = conflictingRepo();
    const run = io();
    await runCli(['run', 'plan.yaml'], run);
    expect(run.out()).toMatch(/conflict in config\.ts \(contents\): task two vs one/);
    const id = runId();
    const merge = io();
    expect(await runCli(['merge', id, '--resolve'], merge)).toBe(0);
    expect(merge.out()).toMatch(new RegExp(`^merged 2 tasks into fanout/${id} \\([0-9a-f]{12}\\): one, two\n  resolved config\\.ts: task two vs one \\(checked, committed\\)\n$`));
    expect(git('show', `fanout/${id}:config.ts`)).toBe('export const port = 80;\nexport const a = 1;\nexport const b = 2;');
  });

  it('fanout run --resolve merges both tasks and shows the resolved file in its change review', async () => {
    const { io, git, runId } = conflictingRepo();
    const run = io();
    expect(await runCli(['run', 'plan.yaml', '--resolve'], run)).toBe(0);
    expect(run.out()).toContain('  resolved config.ts: task two vs one (checked, committed)');
    expect(run.out()).not.toContain('conflict in');
    expect(git('show', `fanout/${runId()}:config.ts`)).toBe('export const port = 80;\nexport const a = 1;\nexport const b = 2;');
  });
});

import { existsSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../plan/index.js';
import { demoShell, makeDemoWorkspace, testCounts, withoutShell } from './demo-workspace.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the demo without a shell', () => {
  it('says why when bubblewrap is missing, without the --no-sandbox advice the demo cannot take', () => {
    expect(demoShell({ available: false, problem: 'the shell sandbox needs bubblewrap: install it (apt-get install bubblewrap) or pass --no-sandbox' })).toEqual({
      ok: false,
      why: 'the shell sandbox needs bubblewrap: install it (apt-get install bubblewrap)',
    });
  });

  it('finds the node_modules holding tsx in a checkout', () => {
    expect(demoShell({ available: true, problem: '' })).toEqual({ ok: true, nodeModules: join(ROOT, 'node_modules') });
  });

  it('drops every shell and scripted bash call of the demo plan, and keeps the rest', () => {
    const plan = loadPlanFile(join(ROOT, 'examples/auth-demo.yaml'));
    expect(plan.tasks.filter((task) => task.shell !== undefined)).toHaveLength(4);
    const lean = withoutShell(plan);
    const tools = lean.tasks.flatMap((task) => task.sim?.script?.flatMap((step) => step.tools?.map((tool) => tool.name) ?? []) ?? []);
    expect(lean.tasks.filter((task) => task.shell !== undefined)).toEqual([]);
    expect(tools).not.toContain('bash');
    expect(tools.filter((name) => name === 'write_file')).toHaveLength(9);
  });
});

describe('makeDemoWorkspace', () => {
  it('makes a git repository of the starter with one commit on main, node_modules linked in it', () => {
    const modules = join(ROOT, 'node_modules');
    const { dir, notRepository } = makeDemoWorkspace(join(ROOT, 'examples/auth-demo-starter'), modules);
    try {
      expect(notRepository).toBeUndefined();
      expect(readlinkSync(join(dir, 'node_modules'))).toBe(modules);
      const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();
      expect(git('rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
      expect(git('status', '--porcelain')).toBe('');
      expect(git('ls-files').split('\n')).toContain('src/app.ts');
      expect(existsSync(join(dir, 'src/users/user-store.ts'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('testCounts', () => {
  it('reads the TAP summary of node --test', () => {
    expect(testCounts('ok 1 - a\n# tests 6\n# pass 5\n# fail 1\n')).toEqual({ pass: 5, fail: 1 });
    expect(testCounts('Error: Cannot find module tsx\n')).toBeUndefined();
  });
});

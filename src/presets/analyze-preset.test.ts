import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFanoutError } from '../contracts/errors.js';
import { analyzePlan, parsePlan } from '../plan/index.js';
import { buildAnalyzePlan } from './analyze-preset.js';

let cwd: string;

beforeAll(() => {
  cwd = mkdtempSync(path.join(tmpdir(), 'fanout-analyze-'));
  for (const dir of ['src/auth', 'src/api', 'src/db', 'empty']) mkdirSync(path.join(cwd, dir), { recursive: true });
  for (const file of ['src/auth/login.ts', 'src/auth/session.ts', 'src/auth/README.md', 'src/api/routes.ts', 'src/db/schema.sql']) {
    writeFileSync(path.join(cwd, file), '// code\n');
  }
});

afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('buildAnalyzePlan', () => {
  it('makes one read-only analyst task per directory, and a valid plan of independent tasks', () => {
    const plan = buildAnalyzePlan(['src/auth', 'src/api', 'src/db'], { cwd, model: 'sim', concurrency: 2 });
    expect(plan.model).toBe('sim');
    expect(plan.concurrency).toBe(2);
    expect(plan.tasks.map((task) => [task.id, task.files, task.writes, task.role])).toEqual([
      ['analyze-src-auth', ['src/auth/**'], undefined, 'codebase analyst'],
      ['analyze-src-api', ['src/api/**'], undefined, 'codebase analyst'],
      ['analyze-src-db', ['src/db/**'], undefined, 'codebase analyst'],
    ]);
    expect(typeof plan.tasks[0]?.outputFormat).toBe('string');
    expect(plan.tasks[0]?.focus?.length).toBeGreaterThan(2);
    expect(plan.tasks[0]?.context).toContain('src/auth, src/api, src/db');
    expect(plan.synthesis).toMatch(/one unified analysis/);

    const dag = analyzePlan(parsePlan(plan, 'analyze'), { strict: true });
    expect(dag.edges).toEqual([]);
    expect(dag.levels).toEqual([['analyze-src-auth', 'analyze-src-api', 'analyze-src-db']]);
  });

  it('scripts the simulated analyst to list the directory and read its first file', () => {
    const [task] = buildAnalyzePlan(['src/auth'], { cwd }).tasks;
    expect(task?.sim?.script).toEqual([
      { text: 'Listing src/auth.', tools: [{ name: 'list_files', input: { path: 'src/auth' } }] },
      { text: 'Reading src/auth/README.md.', tools: [{ name: 'read_file', input: { path: 'src/auth/README.md' } }] },
    ]);
    expect(task?.sim?.output).toContain('src/auth holds 3 files');
    expect(task?.sim?.output).toContain('Files by type: .ts 2, .md 1');
  });

  it('only lists an empty directory', () => {
    const [task] = buildAnalyzePlan(['empty'], { cwd }).tasks;
    expect(task?.sim?.script).toHaveLength(1);
    expect(task?.sim?.output).toContain('No files');
  });

  it('analyzes the working directory itself as "root"', () => {
    const [task] = buildAnalyzePlan(['.'], { cwd }).tasks;
    expect([task?.id, task?.files]).toEqual(['analyze-root', ['**']]);
  });

  it.each([
    [[] as string[], 'analyze: expected at least one directory'],
    [['src/none'], '"src/none" does not exist'],
    [['src/auth/login.ts'], '"src/auth/login.ts" is not a directory'],
    [['../'], '"../" is outside the working directory'],
  ])('rejects %j with one line', (dirs, expected) => {
    let error: unknown;
    try {
      buildAnalyzePlan(dirs, { cwd });
    } catch (caught) {
      error = caught;
    }
    expect(isFanoutError(error, 'OPTION_INVALID')).toBe(true);
    expect((error as Error).message).toContain(expected);
  });

  it('rejects a concurrency that is not a positive integer', () => {
    expect(() => buildAnalyzePlan(['src'], { cwd, concurrency: 0 })).toThrow('concurrency: expected a positive integer, got 0');
  });
});

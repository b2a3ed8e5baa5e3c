import { describe, expect, it } from 'vitest';
import { analyzePlan } from './independence.js';
import { loadPlanFile } from './load-plan.js';
import type { Plan, TaskSpec } from '../contracts/plan.js';

const task = (id: string, fields: Partial<TaskSpec> = {}): TaskSpec => ({ id, prompt: `do ${id}`, ...fields });
const plan = (...tasks: TaskSpec[]): Plan => ({ tasks });
const options = { source: 'plan.yaml' };

function invalid(message: string, where?: string) {
  return expect.objectContaining({ name: 'FanoutError', code: 'PLAN_INVALID', message, ...(where ? { where } : {}) });
}

describe('analyzePlan: invalid plans', () => {
  it('rejects a duplicate id, naming both positions', () => {
    expect(() => analyzePlan(plan(task('a'), task('b'), task('a')), options)).toThrow(
      invalid('plan.yaml: tasks[2].id: duplicate id "a" (already used by tasks[0])', 'plan.yaml: tasks[2].id'),
    );
  });

  it('rejects an unknown dependency, naming the task and the unknown id', () => {
    expect(() => analyzePlan(plan(task('a'), task('b', { dependsOn: ['a', 'zz'] })), options)).toThrow(
      invalid('plan.yaml: tasks[1].dependsOn[1]: task "b" depends on unknown task "zz" (known ids: a, b)'),
    );
  });

  it('rejects a task that depends on itself', () => {
    expect(() => analyzePlan(plan(task('a', { dependsOn: ['a'] })), options)).toThrow(
      invalid('plan.yaml: tasks[0].dependsOn[0]: task "a" depends on itself'),
    );
  });

  it('rejects a cycle and names it', () => {
    const cyclic = plan(
      task('a', { dependsOn: ['c'] }),
      task('b', { dependsOn: ['a'] }),
      task('c', { dependsOn: ['b'] }),
      task('d'),
    );
    expect(() => analyzePlan(cyclic, options)).toThrow(invalid('plan.yaml: tasks: dependency cycle: a → b → c → a'));
  });

  it('names only the cycle, not the tasks leading into it', () => {
    const cyclic = plan(task('start'), task('x', { dependsOn: ['start', 'y'] }), task('y', { dependsOn: ['x'] }));
    expect(() => analyzePlan(cyclic, options)).toThrow(invalid('plan.yaml: tasks: dependency cycle: x → y → x'));
  });

  it.each([
    ['writes', 'src/[a.ts', 'unbalanced "["'],
    ['writes', '/etc/passwd', 'absolute paths are not allowed; use a path relative to the working directory'],
    ['files', '../secrets/**', '".." escapes the working directory'],
    ['files', '', 'empty'],
    ['writes', 'src/{a,b', 'unbalanced "{"'],
  ] as const)('rejects an invalid glob in %s: %j', (field, glob, problem) => {
    const bad = plan(task('ok', { files: ['src/**'] }), task('bad', { [field]: ['docs/**', glob] }));
    expect(() => analyzePlan(bad, options)).toThrow(
      invalid(`plan.yaml: tasks[1].${field}[1]: invalid glob ${JSON.stringify(glob)}: ${problem}`),
    );
  });

  it('uses "plan" as the source when none is given', () => {
    expect(() => analyzePlan(plan(task('a'), task('a')))).toThrow(invalid('plan: tasks[1].id: duplicate id "a" (already used by tasks[0])'));
  });
});

describe('analyzePlan: conflicts', () => {
  it('finds no conflict between disjoint scopes and runs everything in one level', () => {
    const dag = analyzePlan(
      plan(
        task('a', { writes: ['src/a/**'] }),
        task('b', { writes: ['src/b/**'], files: ['src/shared/**', 'src/*.ts'] }),
        task('c', { files: ['docs/**', 'src/shared/**'] }),
      ),
    );
    expect(dag.conflicts).toEqual([]);
    expect(dag.edges).toEqual([]);
    expect(dag.levels).toEqual([['a', 'b', 'c']]);
  });

  it('serializes a write-write conflict: the later task waits for the earlier one', () => {
    const dag = analyzePlan(plan(task('a', { writes: ['src/auth/**'] }), task('b', { writes: ['src/auth/session.ts'] })));
    expect(dag.conflicts).toEqual([
      {
        first: 'a',
        second: 'b',
        kind: 'write-write',
        firstGlob: 'src/auth/**',
        secondGlob: 'src/auth/session.ts',
        serialized: true,
      },
    ]);
    expect(dag.edges).toEqual([{ from: 'a', to: 'b', kind: 'conflict', reason: 'src/auth/** ~ src/auth/session.ts' }]);
    expect(dag.order).toEqual(['a', 'b']);
    expect(dag.levels).toEqual([['a'], ['b']]);
  });

  it('serializes a write-read conflict in either direction', () => {
    const dag = analyzePlan(
      plan(
        task('reader', { files: ['src/**/*.ts'] }),
        task('writer', { writes: ['src/api/routes.ts'] }),
        task('other', { files: ['docs/**'] }),
      ),
    );
    expect(dag.conflicts).toEqual([
      {
        first: 'reader',
        second: 'writer',
        kind: 'write-read',
        firstGlob: 'src/**/*.ts',
        secondGlob: 'src/api/routes.ts',
        serialized: true,
      },
    ]);
    expect(dag.edges).toEqual([
      { from: 'reader', to: 'writer', kind: 'conflict', reason: 'src/**/*.ts ~ src/api/routes.ts' },
    ]);
  });

  it('prefers the write-write glob pair when two tasks overlap in several ways', () => {
    const dag = analyzePlan(
      plan(task('a', { files: ['lib/**'], writes: ['x/**'] }), task('b', { writes: ['lib/y.ts', 'x/z.ts'] })),
    );
    expect(dag.conflicts.map((c) => [c.kind, c.firstGlob, c.secondGlob])).toEqual([['write-write', 'x/**', 'x/z.ts']]);
  });

  it('adds no edge when a dependency already orders the two tasks, in either direction', () => {
    const dag = analyzePlan(
      plan(
        task('first', { writes: ['out/**'], dependsOn: ['last'] }),
        task('middle'),
        task('last', { writes: ['out/report.md'], dependsOn: ['middle'] }),
      ),
    );
    expect(dag.conflicts).toEqual([
      expect.objectContaining({ first: 'first', second: 'last', kind: 'write-write', serialized: false }),
    ]);
    expect(dag.edges.filter((e) => e.kind === 'conflict')).toEqual([]);
    expect(dag.order).toEqual(['middle', 'last', 'first']);
  });

  it('serializes a group writing the same scope as one chain, listing only the pairs it links', () => {
    const dag = analyzePlan(plan(task('a', { writes: ['x/**'] }), task('b', { writes: ['x/**'] }), task('c', { writes: ['x/**'] })));
    expect(dag.conflicts.map((c) => [c.first, c.second, c.serialized])).toEqual([
      ['a', 'b', true],
      ['b', 'c', true],
    ]);
    expect(dag.levels).toEqual([['a'], ['b'], ['c']]);
  });

  it('keeps edges and conflicts linear: 500 tasks on one write glob make a chain of 499', () => {
    const dag = analyzePlan({ tasks: Array.from({ length: 500 }, (_, at) => task(`t${at}`, { writes: ['src/**'] })) });
    expect(dag.edges).toHaveLength(499);
    expect(dag.conflicts).toHaveLength(499);
    expect(dag.criticalPath).toHaveLength(500);
  });

  it('checks a 20,000-task dependency chain without overflowing the stack', () => {
    const tasks = Array.from({ length: 20_000 }, (_, at) => task(`c${at}`, at === 0 ? {} : { dependsOn: [`c${at - 1}`] }));
    const dag = analyzePlan({ tasks });
    expect(dag.criticalPath).toHaveLength(20_000);
    expect(dag.levels).toHaveLength(20_000);
    const cyclic = [...tasks.slice(0, -1), task('c19999', { dependsOn: ['c19998'] })];
    cyclic[0] = task('c0', { dependsOn: ['c19999'] });
    expect(() => analyzePlan({ tasks: cyclic })).toThrow(
      expect.objectContaining({
        code: 'PLAN_INVALID',
        message: 'plan: tasks: dependency cycle of 20000 tasks: c0 → c1 → c2 → c3 → c4 → … 19991 more … → c19996 → c19997 → c19998 → c19999 → c0',
      }),
    );
  });

  it('checks the nearest earlier task first, and adds an edge for each pair still unordered', () => {
    // b → a is declared; b ~ c (nearest first) adds b → c, which does not order a and c: a ~ c adds a → c.
    const dag = analyzePlan(
      plan(task('a', { writes: ['x/**'], dependsOn: ['b'] }), task('b', { writes: ['y/**'] }), task('c', { writes: ['x/1', 'y/2'] })),
    );
    expect(dag.conflicts.map((c) => [c.first, c.second, c.serialized])).toEqual([
      ['a', 'c', true],
      ['b', 'c', true],
    ]);
    expect(dag.edges.filter((e) => e.kind === 'conflict')).toEqual([
      { from: 'b', to: 'c', kind: 'conflict', reason: 'y/** ~ y/2' },
      { from: 'a', to: 'c', kind: 'conflict', reason: 'x/** ~ x/1' },
    ]);
  });

  it('adds an edge for each unordered pair and none for a pair ordered through a dependency chain', () => {
    const ordered = analyzePlan(
      plan(task('a', { writes: ['x/**'] }), task('b', { writes: ['y/**'], dependsOn: ['a'] }), task('c', { writes: ['x/1', 'y/2'] })),
    );
    // b ~ c (nearest first) adds b → c; a ~ c is then ordered through b and not listed.
    expect(ordered.conflicts.map((c) => [c.first, c.second, c.serialized])).toEqual([['b', 'c', true]]);
    const transitively = analyzePlan(
      plan(task('a', { writes: ['x/**'] }), task('b', { dependsOn: ['a'] }), task('c', { writes: ['x/1'], dependsOn: ['b'] })),
    );
    expect(transitively.conflicts).toEqual([]);
  });

  it('never creates a cycle when the later task already runs first', () => {
    const dag = analyzePlan(plan(task('late', { writes: ['a/**'], dependsOn: ['early'] }), task('early', { writes: ['a/b'] })));
    expect(dag.conflicts[0]?.serialized).toBe(false);
    expect(dag.order).toEqual(['early', 'late']);
  });

  it('strict mode rejects a conflict, naming both tasks and the glob pair', () => {
    const conflicting = plan(task('login', { writes: ['src/auth/**'] }), task('register', { writes: ['src/auth/db.ts'] }));
    expect(() => analyzePlan(conflicting, { strict: true, source: 'auth.yaml' })).toThrow(
      expect.objectContaining({
        name: 'FanoutError',
        code: 'PLAN_CONFLICT',
        message:
          'auth.yaml: tasks "login" and "register" conflict (write-write: writes src/auth/** ~ writes src/auth/db.ts); ' +
          'strict mode rejects overlapping scopes: add a dependsOn between them or narrow their globs',
      }),
    );
  });

  it('finds globs that cannot match one path in conflict when they reach one file through a link', () => {
    const apart = plan(task('old', { writes: ['lib/**'] }), task('new', { writes: ['src/auth/*.ts'] }), task('reader', { files: ['vendor/x.js'] }));
    expect(analyzePlan(apart).conflicts).toEqual([]);
    const aliases = [
      { path: 'lib/auth/login.ts', real: 'src/auth/login.ts' },
      { path: 'vendor/x.js', real: 'lib/x.js' },
    ];
    const dag = analyzePlan(apart, { aliases });
    expect(dag.conflicts).toEqual([
      { first: 'old', second: 'new', kind: 'write-write', firstGlob: 'lib/**', secondGlob: 'src/auth/*.ts', file: 'src/auth/login.ts', serialized: true },
      { first: 'old', second: 'reader', kind: 'write-read', firstGlob: 'lib/**', secondGlob: 'vendor/x.js', file: 'lib/x.js', serialized: true },
    ]);
    expect(dag.edges[0]).toEqual({ from: 'old', to: 'new', kind: 'conflict', reason: 'lib/** ~ src/auth/*.ts (both reach src/auth/login.ts)' });
    expect(() => analyzePlan(apart, { aliases, strict: true, source: 'p.yaml' })).toThrow(
      'p.yaml: tasks "old" and "new" conflict (write-write: writes lib/** ~ writes src/auth/*.ts, both reaching src/auth/login.ts); ' +
        'strict mode rejects overlapping scopes: add a dependsOn between them or narrow their globs (and 1 more conflict)',
    );
  });

  it('strict mode names the scopes of a write-read conflict and counts the rest', () => {
    const conflicting = plan(
      task('docs', { files: ['src/**'] }),
      task('code', { writes: ['src/x.ts'] }),
      task('more', { writes: ['src/y.ts'] }),
    );
    expect(() => analyzePlan(conflicting, { strict: true })).toThrow(
      expect.objectContaining({
        code: 'PLAN_CONFLICT',
        message: expect.stringMatching(
          /^plan: tasks "docs" and "code" conflict \(write-read: files src\/\*\* ~ writes src\/x\.ts\); .* \(and 1 more conflict\)$/,
        ),
      }),
    );
  });

  it('strict mode accepts conflicts that dependencies already order', () => {
    const ordered = plan(task('a', { writes: ['x/**'] }), task('b', { writes: ['x/y'], dependsOn: ['a'] }));
    expect(analyzePlan(ordered, { strict: true }).conflicts).toEqual([expect.objectContaining({ serialized: false })]);
  });
});

describe('analyzePlan: order, levels and critical path', () => {
  it('orders topologically with plan order among ties, levels by depth', () => {
    const dag = analyzePlan(
      plan(
        task('tests', { dependsOn: ['api', 'db'] }),
        task('api', { dependsOn: ['db'] }),
        task('docs'),
        task('db'),
        task('deploy', { dependsOn: ['tests'] }),
      ),
    );
    expect(dag.tasks).toEqual(['tests', 'api', 'docs', 'db', 'deploy']);
    expect(dag.order).toEqual(['docs', 'db', 'api', 'tests', 'deploy']);
    expect(dag.levels).toEqual([['docs', 'db'], ['api'], ['tests'], ['deploy']]);
    expect(dag.criticalPath).toEqual(['db', 'api', 'tests', 'deploy']);
    expect(dag.edges).toEqual([
      { from: 'api', to: 'tests', kind: 'dependency' },
      { from: 'db', to: 'tests', kind: 'dependency' },
      { from: 'db', to: 'api', kind: 'dependency' },
      { from: 'tests', to: 'deploy', kind: 'dependency' },
    ]);
  });

  it('ignores a repeated dependency', () => {
    const dag = analyzePlan(plan(task('a'), task('b', { dependsOn: ['a', 'a'] })));
    expect(dag.edges).toEqual([{ from: 'a', to: 'b', kind: 'dependency' }]);
  });

  it('counts conflict edges in levels and the critical path', () => {
    const dag = analyzePlan(plan(task('a', { writes: ['f'] }), task('b', { writes: ['f'] }), task('c')));
    expect(dag.levels).toEqual([['a', 'c'], ['b']]);
    expect(dag.criticalPath).toEqual(['a', 'b']);
  });

  it('analyzes the auth example: five independent tasks in one level', () => {
    const dag = analyzePlan(loadPlanFile(new URL('./test-fixtures/auth-plan.yaml', import.meta.url).pathname));
    expect(dag.conflicts).toEqual([]);
    expect(dag.levels).toEqual([['login', 'register', 'password-reset', 'middleware', 'integration-tests']]);
    expect(dag.criticalPath).toEqual(['login']);
  });

  it('handles a few hundred tasks quickly', () => {
    const many = Array.from({ length: 300 }, (_, at) =>
      task(`t${at}`, { writes: [`pkg${at % 50}/src/**`], files: [`pkg${(at + 1) % 50}/README.md`, 'shared/**'] }),
    );
    const dag = analyzePlan(plan(...many));
    expect(dag.order).toHaveLength(300);
    expect(dag.levels.flat()).toHaveLength(300);
    // Every 50th task shares a write scope with the one 50 before it.
    expect(dag.conflicts.filter((c) => c.kind === 'write-write').length).toBeGreaterThan(0);
  });
});

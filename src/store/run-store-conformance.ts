import { afterEach, describe, expect, it } from 'vitest';
import { isFanoutError } from '../contracts/errors.js';
import type { FanoutEvent } from '../contracts/events.js';
import type { TodoItem } from '../contracts/records.js';
import { DEFAULT_MAX_OUTPUT_BYTES, type RunStore } from '../contracts/run-store.js';
import { makeRunFixture, makeTaskFixture, seedRun } from './test-support/run-fixtures.js';

function taskStart(runId: string, handle: string, at: number): FanoutEvent {
  return { type: 'task-start', runId, at, id: handle.slice(handle.lastIndexOf('-') + 1), handle };
}

function expectCode(action: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(isFanoutError(thrown) ? thrown.code : thrown).toBe(code);
}

/**
 * Registers the vitest tests every {@link RunStore} implementation must pass.
 * `create` returns a fresh, empty store (default output cap); the suite
 * closes it after each test.
 */
export function describeRunStoreConformance(name: string, create: () => RunStore): void {
  describe(`${name} (RunStore conformance)`, () => {
    let store: RunStore;
    const open = (): RunStore => (store = create());
    afterEach(() => {
      try {
        store.close();
      } catch {
        // A test may have closed it already.
      }
    });

    it('reads back a created run and its tasks as given, tasks in plan order', () => {
      open();
      const run = makeRunFixture('r1');
      const tasks = run.plan.tasks.map((_, index) => makeTaskFixture(run, index));
      store.createRun(run, [tasks[2]!, tasks[0]!, tasks[1]!]);
      expect(store.getRun('r1')).toEqual(run);
      expect(store.listTasks('r1')).toEqual(tasks);
      expect(store.getTask('r1-c')).toEqual(tasks[2]);
    });

    it('keeps resolved agents, the run cap and task costs, and patches them', () => {
      open();
      const run = {
        ...makeRunFixture('r1'),
        agents: { reviewer: { name: 'reviewer', source: '/a/reviewer.md', systemPrompt: 'You review.', tools: ['grep'], maxTurns: 3 } },
      };
      const tasks = run.plan.tasks.map((_, index) => ({ ...makeTaskFixture(run, index), costUsd: 0 }));
      store.createRun(run, tasks);
      expect(store.getRun('r1')).toEqual(run);
      expect(store.getTask('r1-a')?.costUsd).toBe(0);
      store.updateTask('r1-a', { costUsd: 0.012345 });
      store.updateRun('r1', { status: 'failed', limit: 'run maxTokens 100 reached (120 tokens used)' });
      expect(store.getTask('r1-a')?.costUsd).toBe(0.012345);
      expect(store.getRun('r1')).toMatchObject({ status: 'failed', limit: 'run maxTokens 100 reached (120 tokens used)' });
      store.updateTask('r1-a', { costUsd: undefined });
      expect(store.getTask('r1-a')).not.toHaveProperty('costUsd');
    });

    it('keeps the files a task wrote and its refused calls, from creation and from patches', () => {
      open();
      const run = makeRunFixture('r1');
      const refused = [{ tool: 'write_file', detail: 'write to b.ts refused: outside this task\'s write scope (allowed: a/**)' }];
      const tasks = run.plan.tasks.map((_, index) => ({ ...makeTaskFixture(run, index), ...(index === 0 ? { writes: ['a/x.ts'], refused } : {}) }));
      store.createRun(run, tasks);
      expect(store.getTask('r1-a')).toMatchObject({ writes: ['a/x.ts'], refused });
      expect(store.getTask('r1-b')).not.toHaveProperty('writes');
      store.updateTask('r1-b', { writes: ['c.ts', 'd.ts'], refused: [] });
      expect(store.getTask('r1-b')).toMatchObject({ writes: ['c.ts', 'd.ts'], refused: [] });
    });

    it('returns undefined or empty lists for unknown ids', () => {
      open();
      seedRun(store, 'r1');
      expect(store.getRun('nope')).toBeUndefined();
      expect(store.getTask('nope')).toBeUndefined();
      expect(store.getOutput('r1-a')).toBeUndefined();
      expect(store.listTasks('nope')).toEqual([]);
      expect(store.listEvents('nope')).toEqual([]);
      expect(store.listTodos('nope')).toEqual([]);
      expect(store.listStopRequests('nope', 0)).toEqual([]);
    });

    it('refuses a second run with the same id or a reused task handle', () => {
      open();
      const { run } = seedRun(store, 'r1');
      expectCode(() => store.createRun(run, []), 'STORE_ERROR');
      const other = makeRunFixture('r2');
      expectCode(() => store.createRun(other, [{ ...makeTaskFixture(other, 0), handle: 'r1-a' }]), 'STORE_ERROR');
      expect(store.getRun('r2')).toBeUndefined();
      expectCode(() => store.createRun(makeRunFixture('r3'), [makeTaskFixture(other, 0)]), 'INTERNAL');
      expect(store.getRun('r3')).toBeUndefined();
    });

    it('applies run patches, leaving other fields alone and clearing fields patched to undefined', () => {
      open();
      const { run } = seedRun(store, 'r1');
      const synthesis = { text: 'merged', disagreements: ['a vs c'], inputTokens: 10, outputTokens: 5, durationMs: 7 };
      store.updateRun('r1', { status: 'synthesizing', startedAt: 5, pid: 4242, error: 'transient' });
      store.updateRun('r1', { status: 'succeeded', endedAt: 9, synthesis, error: undefined });
      expect(store.getRun('r1')).toEqual({ ...run, status: 'succeeded', startedAt: 5, endedAt: 9, pid: 4242, synthesis });
    });

    it('keeps a run lease and the earlier attempts of a resumed run, and clears the lease', () => {
      open();
      const { run } = seedRun(store, 'r1');
      const attempts = [{ startedAt: 5, endedAt: 8, status: 'interrupted' as const, error: 'killed' }];
      store.updateRun('r1', { leaseUntil: 30_005, attempts });
      expect(store.getRun('r1')).toEqual({ ...run, leaseUntil: 30_005, attempts });
      store.updateRun('r1', { leaseUntil: undefined });
      expect(store.getRun('r1')).toEqual({ ...run, attempts });
      expect(store.listRuns()[0]).toEqual({ ...run, attempts });
    });

    it('deletes a run with its tasks, events, outputs, todos and stop requests, and no other run', () => {
      open();
      seedRun(store, 'r1');
      const { tasks: kept } = seedRun(store, 'r2');
      for (const runId of ['r1', 'r2']) {
        store.appendEvent({ type: 'run-end', runId, at: 3, status: 'succeeded' } as FanoutEvent);
        store.setOutput({ handle: `${runId}-a`, text: 'out', truncated: false });
        store.setTodo(runId, 0, { id: 'a', content: 'do a', status: 'completed', handle: `${runId}-a` });
        store.requestStop(runId, 1);
        store.requestStop(`${runId}-a`, 2);
      }
      store.flush();
      store.deleteRun('r1');
      store.deleteRun('nope');
      expect(store.getRun('r1')).toBeUndefined();
      expect(store.getTask('r1-a')).toBeUndefined();
      expect(store.getOutput('r1-a')).toBeUndefined();
      expect(store.listTasks('r1')).toEqual([]);
      expect(store.listEvents('r1')).toEqual([]);
      expect(store.listTodos('r1')).toEqual([]);
      expect(store.listStopRequests('r1', 0)).toEqual([]);
      expect(store.listRuns().map((run) => run.runId)).toEqual(['r2']);
      expect(store.listTasks('r2')).toEqual(kept);
      expect(store.getOutput('r2-a')?.text).toBe('out');
      expect(store.listEvents('r2')).toHaveLength(1);
      expect(store.listStopRequests('r2', 0)).toHaveLength(2);
    });

    it('applies task patches to that task only', () => {
      open();
      const { tasks } = seedRun(store, 'r1');
      const patch = {
        status: 'failed',
        readyAt: 2,
        startedAt: 3,
        endedAt: 4,
        turns: 5,
        inputTokens: 600,
        outputTokens: 70,
        retries: 2,
        retryWaitMs: 1500,
        rateLimitWaitMs: 700,
        waitReason: 'provider-cap',
        error: 'model said no',
      } as const;
      store.updateTask('r1-b', patch);
      expect(store.getTask('r1-b')).toEqual({ ...tasks[1], ...patch });
      expect(store.getTask('r1-a')).toEqual(tasks[0]);
      store.updateTask('r1-b', { waitReason: undefined });
      expect(store.getTask('r1-b')).not.toHaveProperty('waitReason');
    });

    it('ignores undefined for required fields and fields no patch may change', () => {
      open();
      const { run, tasks } = seedRun(store, 'r1');
      store.updateTask('r1-a', { status: undefined, turns: undefined, handle: 'other' } as never);
      store.updateRun('r1', { status: undefined, name: 'renamed' } as never);
      expect(store.getTask('r1-a')).toEqual(tasks[0]);
      expect(store.getRun('r1')).toEqual(run);
    });

    it('reports NOT_FOUND when writing to an unknown run or task', () => {
      open();
      seedRun(store, 'r1');
      expectCode(() => store.updateRun('nope', { status: 'failed' }), 'NOT_FOUND');
      expectCode(() => store.updateTask('nope', { turns: 1 }), 'NOT_FOUND');
      expectCode(() => store.appendEvent(taskStart('nope', 'nope-a', 1)), 'NOT_FOUND');
      expectCode(() => store.setOutput({ handle: 'nope', text: 'x', truncated: false }), 'NOT_FOUND');
      expectCode(() => store.setTodo('nope', 0, { id: 'a', content: 'A', status: 'pending' }), 'NOT_FOUND');
    });

    it('numbers events 1..n per run and lists those after a given seq', () => {
      open();
      seedRun(store, 'r1');
      seedRun(store, 'r2');
      const events: FanoutEvent[] = [
        { type: 'run-start', runId: 'r1', at: 1, name: 'review r1', tasks: [{ id: 'a', handle: 'r1-a' }], simulated: true },
        taskStart('r1', 'r1-a', 2),
        { type: 'task-end', runId: 'r1', at: 3, id: 'a', handle: 'r1-a', status: 'succeeded', durationMs: 1 },
        { type: 'run-end', runId: 'r1', at: 4, status: 'succeeded' },
      ];
      expect(store.appendEvent(events[0]!)).toBe(1);
      expect(store.appendEvent(taskStart('r2', 'r2-a', 2))).toBe(1);
      expect(events.slice(1).map((event) => store.appendEvent(event))).toEqual([2, 3, 4]);
      expect(store.appendEvent(taskStart('r2', 'r2-b', 3))).toBe(2);
      expect(store.listEvents('r1')).toEqual(events.map((event, i) => ({ seq: i + 1, event })));
      expect(store.listEvents('r1', 2)).toEqual([
        { seq: 3, event: events[2] },
        { seq: 4, event: events[3] },
      ]);
      expect(store.listEvents('r1', 4)).toEqual([]);
      expect(store.listEvents('r2').map((stored) => stored.seq)).toEqual([1, 2]);
    });

    it('stores outputs whole, with JSON, and replaces them', () => {
      open();
      seedRun(store, 'r1');
      const text = `${'line of findings ✓\n'.repeat(2000)}end`;
      store.setOutput({ handle: 'r1-a', text, truncated: false });
      store.setOutput({ handle: 'r1-c', text: '{"ok":true}', json: { ok: true }, truncated: false });
      expect(store.getOutput('r1-a')).toEqual({ handle: 'r1-a', text, truncated: false });
      expect(store.getOutput('r1-c')).toEqual({ handle: 'r1-c', text: '{"ok":true}', json: { ok: true }, truncated: false });
      store.setOutput({ handle: 'r1-c', text: 'null', json: null, truncated: false });
      expect(store.getOutput('r1-c')).toEqual({ handle: 'r1-c', text: 'null', json: null, truncated: false });
    });

    it('keeps an output of exactly the cap whole', () => {
      open();
      seedRun(store, 'r1');
      const text = `${'a'.repeat(DEFAULT_MAX_OUTPUT_BYTES - 3)}€`;
      store.setOutput({ handle: 'r1-a', text, truncated: false });
      expect(store.getOutput('r1-a')).toEqual({ handle: 'r1-a', text, truncated: false });
    });

    it('truncates an output at the cap without splitting a multi-byte character', () => {
      open();
      seedRun(store, 'r1');
      const head = 'a'.repeat(DEFAULT_MAX_OUTPUT_BYTES - 2);
      store.setOutput({ handle: 'r1-a', text: `${head}€ and more`, truncated: false });
      store.setOutput({ handle: 'r1-b', text: `${head}x😀 and more`, truncated: false });
      expect(store.getOutput('r1-a')).toEqual({ handle: 'r1-a', text: head, truncated: true });
      expect(store.getOutput('r1-b')).toEqual({ handle: 'r1-b', text: `${head}x`, truncated: true });
    });

    it('caps the synthesis text like an output, marking it truncated', () => {
      open();
      seedRun(store, 'r1');
      const head = 'a'.repeat(DEFAULT_MAX_OUTPUT_BYTES - 2);
      const synthesis = { text: `${head}€ and more`, disagreements: [], inputTokens: 1, outputTokens: 1, durationMs: 1 };
      store.updateRun('r1', { synthesis });
      expect(store.getRun('r1')?.synthesis).toEqual({ ...synthesis, text: head, truncated: true });
    });

    it('lists todos by position and replaces an item at the same position', () => {
      open();
      seedRun(store, 'r1');
      const item = (id: string, status: TodoItem['status']): TodoItem =>
        id === 'synthesis'
          ? { id, content: 'Synthesize results', status }
          : { id, content: `Task ${id}`, status, handle: `r1-${id}` };
      store.setTodo('r1', 3, item('synthesis', 'pending'));
      store.setTodo('r1', 1, item('b', 'pending'));
      store.setTodo('r1', 0, item('a', 'pending'));
      store.setTodo('r1', 2, item('c', 'pending'));
      store.setTodo('r1', 1, item('b', 'in_progress'));
      expect(store.listTodos('r1')).toEqual([
        item('a', 'pending'),
        item('b', 'in_progress'),
        item('c', 'pending'),
        item('synthesis', 'pending'),
      ]);
    });

    it('lists stop requests for the run or its tasks recorded at or after `since`', () => {
      open();
      seedRun(store, 'r1');
      seedRun(store, 'r2');
      store.requestStop('r1-a', 100);
      store.requestStop('r2', 150);
      store.requestStop('r2-b', 160);
      store.requestStop('r1', 200);
      store.requestStop('r1-c', 50);
      expect(store.listStopRequests('r1', 100)).toEqual([
        { target: 'r1-a', requestedAt: 100 },
        { target: 'r1', requestedAt: 200 },
      ]);
      expect(store.listStopRequests('r1', 101)).toEqual([{ target: 'r1', requestedAt: 200 }]);
      expect(store.listStopRequests('r2', 0)).toEqual([
        { target: 'r2', requestedAt: 150 },
        { target: 'r2-b', requestedAt: 160 },
      ]);
    });

    it('lists runs most recent first, honouring the limit', () => {
      open();
      seedRun(store, 'old', 1000);
      seedRun(store, 'newest', 3000);
      seedRun(store, 'middle', 2000);
      seedRun(store, 'middle-later', 2000);
      expect(store.listRuns().map((run) => run.runId)).toEqual(['newest', 'middle-later', 'middle', 'old']);
      expect(store.listRuns(2).map((run) => run.runId)).toEqual(['newest', 'middle-later']);
      expect(store.listRuns(2)[0]).toEqual(makeRunFixture('newest', 3000));
      expect(store.listRuns(0)).toEqual([]);
      expectCode(() => store.listRuns(-1), 'OPTION_INVALID');
    });

    it('lets every read see the writes made just before it, without flush()', () => {
      open();
      seedRun(store, 'r1');
      store.updateTask('r1-a', { status: 'running', startedAt: 10 });
      store.appendEvent(taskStart('r1', 'r1-a', 10));
      store.setOutput({ handle: 'r1-a', text: 'done', truncated: false });
      store.setTodo('r1', 0, { id: 'a', content: 'A', status: 'in_progress', handle: 'r1-a' });
      store.requestStop('r1-a', 11);
      store.updateRun('r1', { status: 'stopped' });
      expect(store.getTask('r1-a')).toMatchObject({ status: 'running', startedAt: 10 });
      expect(store.listTasks('r1')[0]).toMatchObject({ status: 'running' });
      expect(store.listEvents('r1')).toHaveLength(1);
      expect(store.getOutput('r1-a')?.text).toBe('done');
      expect(store.listTodos('r1')).toHaveLength(1);
      expect(store.listStopRequests('r1', 0)).toHaveLength(1);
      expect(store.getRun('r1')?.status).toBe('stopped');
      expect(store.listRuns()[0]?.status).toBe('stopped');
    });

    it('keeps stored state apart from the objects passed in and handed out', () => {
      open();
      const { run, tasks } = seedRun(store, 'r1');
      run.plan.tasks[0]!.prompt = 'changed by the caller';
      tasks[0]!.status = 'failed';
      const read = store.getRun('r1')!;
      read.dag.order.pop();
      expect(store.getRun('r1')).toEqual(makeRunFixture('r1'));
      expect(store.getTask('r1-a')?.status).toBe('queued');
    });

    it('refuses use after close() and tolerates a second close()', () => {
      open();
      seedRun(store, 'r1');
      store.close();
      store.close();
      expectCode(() => store.getRun('r1'), 'STORE_ERROR');
      expectCode(() => store.updateRun('r1', { status: 'failed' }), 'STORE_ERROR');
    });
  });
}

import { describe, expect, it } from 'vitest';
import { FanoutError } from '../contracts/errors.js';
import { textResponse } from '../models/scripted-model.js';
import { settle } from './manual-clock.js';
import { createHarness, deferred, heldStep, task, type Harness } from './test-support/engine-harness.js';
import { AGENTS_PER_TURN } from './task-dispatch.js';
import { useHarnesses } from './test-support/use-harnesses.js';
import type { TodoItem, TodoStatus } from '../contracts/records.js';

const SYNTHESIS_ANSWER = '## Result\nmerged\n## Disagreements\n- none';

let harness: Harness;
const makeHarness = useHarnesses(SYNTHESIS_ANSWER);

function setup(...args: Parameters<typeof createHarness>): Harness {
  harness = makeHarness(...args);
  return harness;
}

function statuses(runId: string): Record<string, string> {
  return Object.fromEntries(harness.store.listTasks(runId).map((record) => [record.taskId, record.status]));
}

/** Checks that the run's only task, `id`, still runs 1 ms before its `timeoutMs` and has ended at it with status limit and `error`. */
async function expectEndsAtTimeLimit(runId: string, id: string, handle: string, timeoutMs: number, error: string): Promise<void> {
  await harness.clock.advance(timeoutMs - 1);
  expect(statuses(runId)).toEqual({ [id]: 'running' });
  await harness.clock.advance(1);
  expect(harness.store.getTask(handle)).toMatchObject({
    status: 'limit',
    error,
    endedAt: harness.clock.now(),
  });
}

describe('spawn', () => {
  it('records the run and dispatches every ready task before returning', async () => {
    const { fanout, store, model } = setup();
    const held = ['a', 'b', 'c'].map((id) => {
      const step = heldStep();
      model(`scripted:${id}`, [step.step]);
      return step;
    });
    const { runId, handles, dag } = fanout.spawn(['a', 'b', 'c'].map((id) => task(id)));

    expect(handles.map((handle) => handle.id)).toEqual(['a', 'b', 'c']);
    expect(new Set(handles.map((handle) => handle.handle)).size).toBe(3);
    expect(handles[0]?.handle).toMatch(/^task-[a-z2-7]{12}$/);
    expect(runId).toMatch(/^run-[a-z0-9]+$/);
    expect(dag.tasks).toEqual(['a', 'b', 'c']);
    expect(statuses(runId)).toEqual({ a: 'running', b: 'running', c: 'running' });
    expect(harness.eventsOf('task-start').map((event) => event.id)).toEqual(['a', 'b', 'c']);
    expect(store.getRun(runId)).toMatchObject({ status: 'running', pid: process.pid, cwd: expect.any(String) });

    held.forEach((step) => step.answer());
    const result = await fanout.wait(runId);
    expect(result.status).toBe('succeeded');
    expect(result.outputs.a?.text).toBe('held answer');
  });

  it('starts a burst of tasks in its tick and begins their agents AGENTS_PER_TURN per turn of the event loop', async () => {
    const { fanout, model } = setup();
    const count = AGENTS_PER_TURN * 2 + 10;
    const release = deferred();
    const shared = model(
      'scripted:shared',
      Array.from({ length: count }, () => async () => {
        await release.promise;
        return textResponse('done');
      }),
    );
    const ids = Array.from({ length: count }, (_, index) => `t${index}`);
    const { runId } = fanout.spawn({ synthesis: false, tasks: ids.map((id) => task(id, { model: 'scripted:shared' })) }, { concurrency: count });
    expect(harness.eventsOf('task-start')).toHaveLength(count);
    expect(Object.values(statuses(runId)).every((status) => status === 'running')).toBe(true);
    const called: number[] = [];
    for (let turn = 0; turn < 4; turn++) {
      await Promise.resolve();
      called.push(shared.requests.length);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(called).toEqual([AGENTS_PER_TURN, AGENTS_PER_TURN * 2, count, count]);
    release.resolve();
    await expect(fanout.wait(runId)).resolves.toMatchObject({ status: 'succeeded' });
  });

  it("says why a burst's waiting tasks wait only after the burst's agents have all begun, and not for a task that started meanwhile", async () => {
    const { fanout, model } = setup();
    const running = AGENTS_PER_TURN + 10;
    const first = heldStep();
    const rest = Array.from({ length: running + 1 }, () => heldStep());
    const shared = model('scripted:shared', [first.step, ...rest.map((held) => held.step)]);
    const ids = Array.from({ length: running + 2 }, (_, index) => `t${index}`);
    const { runId } = fanout.spawn({ synthesis: false, tasks: ids.map((id) => task(id, { model: 'scripted:shared' })) }, { concurrency: running });
    expect(harness.eventsOf('task-start')).toHaveLength(running);
    expect(harness.eventsOf('task-waiting')).toEqual([]);
    // t0's answer frees a slot before the waits are said: the first waiting task starts, having waited, and only the second's wait is announced.
    first.answer();
    while (shared.requests.length < running + 1) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(harness.eventsOf('task-waiting').map((event) => `${event.id}:${event.reason}:${event.detail}`)).toEqual([
      `t${running + 1}:concurrency:${running} of ${running} slots busy (concurrency ${running})`,
    ]);
    rest.forEach((held) => held.answer());
    const result = await fanout.wait(runId);
    expect(result.status).toBe('succeeded');
    expect(result.tasks.find((record) => record.taskId === `t${running}`)?.waitReason).toBe('concurrency');
  });

  it('stops the tasks of a burst whose agents have not begun yet without calling their model', async () => {
    const { fanout, model } = setup();
    const count = AGENTS_PER_TURN + 5;
    const shared = model('scripted:shared', Array.from({ length: count }, () => heldStep().step));
    const ids = Array.from({ length: count }, (_, index) => `t${index}`);
    const { runId } = fanout.spawn({ synthesis: false, tasks: ids.map((id) => task(id, { model: 'scripted:shared' })) }, { concurrency: count });
    await fanout.stop(runId);
    const result = await fanout.wait(runId);
    expect(result.tasks.map((record) => record.status)).toEqual(ids.map(() => 'stopped'));
    expect(shared.requests).toHaveLength(AGENTS_PER_TURN);
  });

  it('starts a task as soon as its own dependency ends, while a slow sibling still runs', async () => {
    const { fanout, store, model } = setup();
    const a = heldStep();
    const slow = heldStep();
    model('scripted:a', [a.step]);
    model('scripted:b', [textResponse('b done')]);
    model('scripted:slow', [slow.step]);
    const { runId } = fanout.spawn([task('a'), task('b', { dependsOn: ['a'] }), task('slow')]);
    expect(statuses(runId)).toEqual({ a: 'running', b: 'queued', slow: 'running' });

    a.answer();
    await settle();
    expect(statuses(runId)).toEqual({ a: 'succeeded', b: 'succeeded', slow: 'running' });
    const ends = harness.eventsOf('task-end').map((event) => event.id);
    expect(ends).toEqual(['a', 'b']);

    slow.answer();
    await fanout.wait(runId);
    expect(store.getTask(harness.eventsOf('task-start')[2]?.handle ?? '')?.taskId).toBe('b');
  });

  it('caps running tasks at the concurrency and records why the others wait', async () => {
    const { fanout, store, model, clock } = setup();
    const a = heldStep();
    model('scripted:a', [a.step]);
    model('scripted:b', [heldStep().step]);
    model('scripted:c', [textResponse('c done')]);
    const { runId, handles } = fanout.spawn([task('a'), task('b'), task('c')], { concurrency: 2 });
    const c = handles[2]?.handle ?? '';
    expect(statuses(runId)).toEqual({ a: 'running', b: 'running', c: 'queued' });
    const readyAt = clock.now();
    expect(harness.eventsOf('task-waiting')).toEqual([
      expect.objectContaining({ id: 'c', reason: 'concurrency', detail: '2 of 2 slots busy (concurrency 2)' }),
    ]);

    await clock.advance(1200);
    a.answer();
    await settle();
    // Why and since when it waited are stored with its start.
    expect(store.getTask(c)).toMatchObject({ status: 'succeeded', startedAt: clock.now(), readyAt, waitReason: 'concurrency' });
    expect(fanout.report(runId).diagnostics).toContain('c waited 1.2 s for a concurrency slot (concurrency 2)');
    await fanout.stop(runId);
  });

  it('runs one task at a time in sequential todo mode, with one todo item in progress at most', async () => {
    const { fanout, model } = setup();
    for (const id of ['a', 'b', 'c']) model(`scripted:${id}`, [textResponse(`${id} done`)]);
    const live = new Map<string, TodoStatus>();
    let mostInProgress = 0;
    fanout.on((event) => {
      if (event.type !== 'todo-update') return;
      live.set(event.item.id, event.item.status);
      mostInProgress = Math.max(mostInProgress, [...live.values()].filter((status) => status === 'in_progress').length);
    });
    const { runId, handles } = fanout.spawn({ todoMode: 'sequential', tasks: [task('a'), task('b'), task('c')] });
    expect(statuses(runId)).toEqual({ a: 'running', b: 'queued', c: 'queued' });
    expect(harness.eventsOf('task-waiting').map((event) => `${event.id}:${event.reason}`)).toEqual(['b:sequential', 'c:sequential']);

    const result = await fanout.wait(runId);
    expect(result.status).toBe('succeeded');
    expect(harness.store.getTask(handles[1]?.handle ?? '')?.waitReason).toBe('sequential');
    expect(mostInProgress).toBe(1);
    expect(result.report.diagnostics).toContain('tasks ran one at a time: todoMode is sequential');
  });

  it('skips the dependents of a failed task, transitively, and leaves independent tasks alone', async () => {
    const { fanout, model } = setup();
    model('scripted:login', [{ error: new FanoutError('MODEL_ERROR', 'bad request', { status: 400 }) }]);
    model('scripted:other', [textResponse('other done')]);
    model('scripted:session', []);
    model('scripted:profile', []);
    const result = await fanout.run([
      task('login'),
      task('session', { dependsOn: ['login'] }),
      task('profile', { dependsOn: ['session'] }),
      task('other'),
    ]);
    const byId = Object.fromEntries(result.tasks.map((record) => [record.taskId, record]));
    expect(byId.login).toMatchObject({ status: 'failed', error: 'bad request' });
    expect(byId.session).toMatchObject({ status: 'skipped', error: 'dependency login failed' });
    expect(byId.profile).toMatchObject({ status: 'skipped', error: 'dependency session was skipped' });
    expect(byId.other?.status).toBe('succeeded');
    expect(result.status).toBe('failed');
    expect(result.synthesis?.text).toBe('merged');
    expect(harness.eventsOf('task-end').map((event) => [event.id, event.status])).toEqual([
      ['login', 'failed'],
      ['session', 'skipped'],
      ['profile', 'skipped'],
      ['other', 'succeeded'],
    ]);
  });

  it('serializes conflicting writers and says which globs overlap', async () => {
    const { fanout, model, store } = setup();
    const auth = heldStep();
    model('scripted:auth', [auth.step]);
    model('scripted:api', [textResponse('api done')]);
    const { runId, handles } = fanout.spawn([
      task('auth', { writes: ['src/shared/**'] }),
      task('api', { writes: ['src/shared/**'] }),
    ]);
    expect(statuses(runId)).toEqual({ auth: 'running', api: 'queued' });
    const waiting = harness.eventsOf('task-waiting');
    expect(waiting).toEqual([expect.objectContaining({ id: 'api', reason: 'conflict', on: 'auth' })]);
    expect(waiting[0]?.detail).toContain('src/shared/**');
    expect(store.getTask(handles[1]?.handle ?? '')?.waitReason).toBe('conflict');

    auth.answer();
    const result = await fanout.wait(runId);
    expect(result.status).toBe('succeeded');
    expect(result.report.diagnostics).toContain('api waited for auth: both write src/shared/** (conflict)');
  });

  it('still runs a conflicting task when the task it waited for failed (conflict edges only order writes)', async () => {
    const { fanout, model } = setup();
    model('scripted:auth', [{ error: new FanoutError('MODEL_ERROR', 'boom') }]);
    model('scripted:api', [textResponse('api done')]);
    const result = await fanout.run([task('auth', { writes: ['src/**'] }), task('api', { writes: ['src/**'] })]);
    expect(result.tasks.map((record) => record.status)).toEqual(['failed', 'succeeded']);
  });

  it('rejects a conflicting plan in strict mode and records nothing', () => {
    const { fanout, store } = setup();
    const spawn = () => fanout.spawn([task('a', { writes: ['x/**'] }), task('b', { writes: ['x/**'] })], { strict: true });
    expect(spawn).toThrowError(expect.objectContaining({ code: 'PLAN_CONFLICT' }));
    expect(store.listRuns()).toEqual([]);
    expect(harness.events).toEqual([]);
  });

  it('records nothing for an invalid plan, a bad option or an unknown model', () => {
    const { fanout, store } = setup();
    expect(() => fanout.spawn([task('a'), task('a')])).toThrowError(expect.objectContaining({ code: 'PLAN_INVALID' }));
    expect(() => fanout.spawn([{ id: 'a' } as never])).toThrowError(expect.objectContaining({ code: 'PLAN_INVALID' }));
    expect(() => fanout.spawn([task('a')], { concurrency: 0 })).toThrowError(
      expect.objectContaining({ code: 'OPTION_INVALID' }),
    );
    expect(() => fanout.spawn([task('nobody-scripted-this')])).toThrowError(
      expect.objectContaining({ code: 'MODEL_CONFIG' }),
    );
    expect(store.listRuns()).toEqual([]);
    expect(harness.events).toEqual([]);
  });

  it('ends a task that exceeds its time limit with status limit', async () => {
    const { fanout, model } = setup();
    model('scripted:slow', [heldStep().step]);
    const { runId, handles } = fanout.spawn([task('slow', { timeoutMs: 5000 })]);
    await expectEndsAtTimeLimit(runId, 'slow', handles[0]?.handle ?? '', 5000, 'timeoutMs 5000 reached (5,000 ms elapsed)');
    const result = await fanout.wait(runId);
    expect(result.status).toBe('failed');
    expect(harness.eventsOf('synthesis-start')).toEqual([]);
  });

  it('ends each task at its own time limit, a nearer one set after a farther one included', async () => {
    const { fanout, model, store, clock } = setup();
    const quick = heldStep();
    model('scripted:quick', [quick.step]);
    model('scripted:slow', [heldStep().step]);
    model('scripted:slower', [heldStep().step]);
    const { runId, handles } = fanout.spawn([
      task('quick', { timeoutMs: 1000 }),
      task('slower', { timeoutMs: 8000 }),
      task('slow', { timeoutMs: 3000 }),
    ]);
    await quick.called;
    quick.answer('in time');
    await clock.advance(999);
    expect(statuses(runId)).toEqual({ quick: 'succeeded', slower: 'running', slow: 'running' });
    await clock.advance(1);
    expect(statuses(runId)).toEqual({ quick: 'succeeded', slower: 'running', slow: 'running' });
    await clock.advance(2000);
    expect(statuses(runId)).toEqual({ quick: 'succeeded', slower: 'running', slow: 'limit' });
    await clock.advance(5000);
    expect(statuses(runId)).toEqual({ quick: 'succeeded', slower: 'limit', slow: 'limit' });
    expect(store.getTask(handles[1]?.handle ?? '')).toMatchObject({ error: 'timeoutMs 8000 reached (8,000 ms elapsed)', endedAt: clock.now() });
  });

  it('keeps a task running when the wall clock jumps past its time limit, and still ends it when monotonic time does', async () => {
    const { fanout, model, store, clock } = setup();
    const quick = heldStep();
    const answers = heldStep();
    model('scripted:quick', [quick.step]);
    model('scripted:answers', [answers.step]);
    model('scripted:slow', [heldStep().step]);
    const { runId, handles } = fanout.spawn([
      task('quick', { timeoutMs: 1000 }),
      task('answers', { timeoutMs: 5000 }),
      task('slow', { timeoutMs: 5000 }),
    ]);
    await answers.called;
    // The laptop's lid was closed for an hour: the wall clock moved, the monotonic one did not.
    clock.jumpWall(3_600_000);
    await clock.advance(1000);
    expect(statuses(runId)).toEqual({ quick: 'limit', answers: 'running', slow: 'running' });
    answers.answer('in time');
    await settle();
    expect(statuses(runId)).toEqual({ quick: 'limit', answers: 'succeeded', slow: 'running' });
    await clock.advance(3999);
    expect(statuses(runId)).toEqual({ quick: 'limit', answers: 'succeeded', slow: 'running' });
    await clock.advance(1);
    expect(store.getTask(handles[2]?.handle ?? '')).toMatchObject({ status: 'limit', error: 'timeoutMs 5000 reached (5,000 ms elapsed)', endedAt: clock.now() });
  });

  it('ends a task at its time limit when the wall clock jumps back: the limit is not stretched', async () => {
    const { fanout, model } = setup();
    model('scripted:slow', [heldStep().step]);
    const { runId, handles } = fanout.spawn([task('slow', { timeoutMs: 5000 })]);
    // NTP steps the clock an hour back.
    harness.clock.jumpWall(-3_600_000);
    await expectEndsAtTimeLimit(runId, 'slow', handles[0]?.handle ?? '', 5000, 'timeoutMs 5000 reached (5,000 ms elapsed)');
    // The stored times are wall times (an hour apart, backwards); the duration it announces is the time it ran.
    expect(harness.eventsOf('task-end').map((event) => event.durationMs)).toEqual([5000]);
  });

  it('ends a task at its time limit while it sits out a rate-limit pause in the gate', async () => {
    const { fanout, model } = setup();
    model('scripted:paused', [{ error: new FanoutError('MODEL_ERROR', 'rate limited', { retryable: true, status: 429, retryAfterMs: 60_000 }) }, textResponse('late')]);
    const { runId, handles } = fanout.spawn([task('paused', { timeoutMs: 2000 })]);
    await expectEndsAtTimeLimit(runId, 'paused', handles[0]?.handle ?? '', 2000, 'timeoutMs 2000 reached (2,000 ms elapsed)');
  });

  it('forgets the time limit of a task that ended in time: no timer is left behind, and a later task gets its own', async () => {
    const { fanout, model, store, clock } = setup();
    model('scripted:first', [textResponse('first')]);
    const first = fanout.spawn([task('first', { timeoutMs: 1000 })]);
    await fanout.wait(first.runId);
    expect(clock.deadlines.filter((at) => at <= clock.monotonic() + 1000)).toEqual([]);
    const later = heldStep();
    model('scripted:later', [later.step]);
    const second = fanout.spawn([task('later', { timeoutMs: 5000 })]);
    await later.called;
    await clock.advance(4999);
    expect(statuses(second.runId)).toEqual({ later: 'running' });
    await clock.advance(1);
    expect(store.getTask(second.handles[0]?.handle ?? '')).toMatchObject({ status: 'limit', error: 'timeoutMs 5000 reached (5,000 ms elapsed)' });
  });

  it('saves each output before the task is marked finished, and ends the run with run-end', async () => {
    const { fanout, model, store } = setup();
    // One model of the simulated provider: the run is labelled simulated.
    model('scripted:a', [textResponse('alpha')], 'sim');
    model('scripted:b', [textResponse('beta')]);
    const seen: Array<string | undefined> = [];
    fanout.on((event) => {
      if (event.type === 'task-end') seen.push(store.getOutput(event.handle)?.text);
    });
    const result = await fanout.run([task('a'), task('b')], { name: 'pair' });
    expect(seen).toEqual(['alpha', 'beta']);
    expect(harness.events.at(-1)).toMatchObject({ type: 'run-end', runId: result.runId, status: 'succeeded' });
    expect(harness.events[0]).toMatchObject({ type: 'run-start', name: 'pair', simulated: true });
    expect(store.getRun(result.runId)).toMatchObject({ status: 'succeeded', endedAt: expect.any(Number) });
  });

  it('keeps the todo list in plan order, derived from the stored tasks and updated item by item', async () => {
    const { fanout, model, store } = setup();
    const a = heldStep();
    model('scripted:a', [a.step]);
    model('scripted:b', [textResponse('b done')]);
    const { runId, handles } = fanout.spawn([task('a', { description: 'Write login' }), task('b', { dependsOn: ['a'] })]);
    const expected = (a: TodoStatus, b: TodoStatus, synthesis: TodoStatus): TodoItem[] => [
      { id: 'a', content: 'Write login', status: a, handle: handles[0]?.handle ?? '' },
      { id: 'b', content: 'b', status: b, handle: handles[1]?.handle ?? '' },
      { id: 'synthesis', content: 'Synthesize results', status: synthesis },
    ];
    expect(fanout.todos(runId)).toEqual(expected('in_progress', 'pending', 'pending'));

    a.answer();
    await fanout.wait(runId);
    // Read back from the store: the task records, and the one row of the synthesis item.
    expect(fanout.todos(runId)).toEqual(expected('completed', 'completed', 'completed'));
    expect(store.listTodos(runId)).toEqual([{ id: 'synthesis', content: 'Synthesize results', status: 'completed' }]);
    expect(harness.eventsOf('todo-update').map((event) => `${event.item.id}:${event.item.status}`)).toEqual([
      'a:in_progress',
      'a:completed',
      'b:in_progress',
      'b:completed',
      'synthesis:in_progress',
      'synthesis:completed',
    ]);
  });

  it('rejects bad engine options when it is created', () => {
    setup();
    for (const options of [{ maxRetries: -1 }, { providers: { anthropic: { rpm: 0 } } }, { rateLimitWaitMs: -1 }, { pollMs: 0 }]) {
      expect(() => createHarness(options)).toThrowError(expect.objectContaining({ code: 'OPTION_INVALID' }));
    }
  });

  it('throws NOT_FOUND for unknown runs', async () => {
    const { fanout } = setup();
    expect(() => fanout.report('run-nope')).toThrowError(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => fanout.todos('run-nope')).toThrowError(expect.objectContaining({ code: 'NOT_FOUND' }));
    await expect(fanout.wait('run-nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

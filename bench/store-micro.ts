/**
 * Micro-benchmark of the SQLite run store under the engine's write pattern
 * (what `fanout-instant` at W2 records, from a trace): `createRun` of
 * `tasks` bench tasks, then waves of `concurrency` tasks, each task started
 * (a task update and an event), two model calls and a tool call (events, a
 * tick each), then ended (its output, a task update and an event), one
 * event-loop tick per step so the write queue commits as it does under the
 * engine. Prints, per part, the CPU ms of every round (user and system
 * apart: the store's cost is partly the WAL pages the kernel writes) and the
 * medians. Compare two builds by running it in each worktree in turn.
 *
 *   node --import tsx bench/store-micro.ts [tasks=1000] [concurrency=200] [rounds=9]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunRecord, TaskRecord } from '../src/contracts/records.js';
import { openRunStore } from '../src/store/index.js';
import { benchTask, type LegArgs } from './bench-kit.js';
import { median } from './bench-stats.js';

const [tasks = 1000, concurrency = 200, rounds = 9] = process.argv.slice(2).map(Number);
const args: LegArgs = { url: 'http://127.0.0.1:1', tasks, callsPerTask: 2, latencyMs: 100, concurrency };

interface Spent {
  user: number;
  system: number;
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function since(start: NodeJS.CpuUsage): Spent {
  const used = process.cpuUsage(start);
  return { user: used.user / 1000, system: used.system / 1000 };
}

function makeRun(runId: string): { run: RunRecord; records: TaskRecord[] } {
  const specs = Array.from({ length: tasks }, (_, index) => benchTask(args, index));
  const ids = specs.map((spec) => spec.id);
  const run: RunRecord = {
    runId,
    name: 'store micro',
    plan: { name: 'store micro', concurrency, synthesis: false, tasks: specs },
    dag: { tasks: ids, edges: [], conflicts: [], order: ids, criticalPath: ids.slice(0, 1), levels: [ids] },
    status: 'running',
    createdAt: 1,
    cwd: '/bench',
  };
  const records = specs.map((spec, index): TaskRecord => ({
    handle: `task-${runId}-${index}`,
    runId,
    index,
    taskId: spec.id,
    spec,
    status: 'queued',
    queuedAt: 1,
    turns: 0,
    inputTokens: 0,
    outputTokens: 0,
    retries: 0,
    retryWaitMs: 0,
    ...(index < concurrency ? {} : { waitReason: 'concurrency' as const }),
  }));
  return { run, records };
}

/** One round in a fresh store: the CPU of createRun, of the waves' writes, and of the flush that ends the run. */
async function round(index: number): Promise<[Spent, Spent, Spent]> {
  const home = mkdtempSync(path.join(tmpdir(), 'fanout-bench-store-'));
  const store = openRunStore(home);
  try {
    const runId = `r${index}`;
    const { run, records } = makeRun(runId);
    let at = 2;
    const created = process.cpuUsage();
    store.createRun(run, records);
    const createSpent = since(created);
    const waves = process.cpuUsage();
    for (let first = 0; first < tasks; first += concurrency) {
      const wave = records.slice(first, first + concurrency);
      for (const task of wave) {
        store.updateTask(task.handle, { status: 'running', readyAt: at, startedAt: at, waitReason: undefined });
        store.appendEvent({ type: 'task-start', runId, at, id: task.taskId, handle: task.handle });
      }
      await tick();
      for (const turn of [1, 2]) {
        for (const task of wave) {
          store.appendEvent({ type: 'model-call', runId, at: ++at, id: task.taskId, handle: task.handle, turn, inputTokens: 1000, outputTokens: 50, durationMs: 100 });
          if (turn === 1) store.appendEvent({ type: 'tool-call', runId, at, id: task.taskId, handle: task.handle, tool: 'read_file', ok: true, detail: `src/module-${task.index}.ts` });
        }
        await tick();
      }
      for (const task of wave) {
        store.setOutput({ handle: task.handle, text: `Task ${task.index}: two unchecked promise rejections found.`, truncated: false });
        store.updateTask(task.handle, { status: 'succeeded', endedAt: ++at, turns: 2, inputTokens: 2000, outputTokens: 100, retries: 0, retryWaitMs: 0 });
        store.appendEvent({ type: 'task-end', runId, at, id: task.taskId, handle: task.handle, status: 'succeeded', durationMs: 200 });
      }
      await tick();
    }
    const wavesSpent = since(waves);
    const flushed = process.cpuUsage();
    store.flush();
    return [createSpent, wavesSpent, since(flushed)];
  } finally {
    store.close();
    rmSync(home, { recursive: true, force: true });
  }
}

const parts: Array<[string, Spent[]]> = [['createRun', []], ['waves', []], ['flush', []]];
// One round first, unmeasured: the JIT and the file system warm up.
await round(0);
for (let index = 1; index <= rounds; index++) {
  const spent = await round(index);
  spent.forEach((part, at) => parts[at]?.[1].push(part));
}
const fixed = (value: number): string => value.toFixed(1);
for (const [what, spent] of parts) {
  const user = spent.map((part) => part.user);
  const system = spent.map((part) => part.system);
  console.log(
    `${what}: CPU ms user+system per round ${spent.map((part) => fixed(part.user + part.system)).join(', ')}; ` +
      `median user ${fixed(median(user))}, system ${fixed(median(system))}, both ${fixed(median(spent.map((part) => part.user + part.system)))}`,
  );
}

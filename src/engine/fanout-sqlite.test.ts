import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { textResponse } from '../models/scripted-model.js';
import { SqliteRunStore } from '../store/sqlite-run-store.js';
import { settle } from './manual-clock.js';
import { createHarness, heldStep, task, type Harness } from './test-support/engine-harness.js';

let harnesses: Harness[] = [];
let home: string | undefined;

afterEach(async () => {
  for (const harness of harnesses) await harness.fanout.close();
  harnesses = [];
  if (home !== undefined) rmSync(home, { recursive: true, force: true });
});

/** Two engines on two connections to one SQLite file, as two processes would be. */
function twoProcesses(): [Harness, Harness] {
  home = mkdtempSync(join(tmpdir(), 'fanout-engine-sqlite-'));
  const path = join(home, 'fanout.db');
  const executor = createHarness({ store: new SqliteRunStore({ path }), pollMs: 200 });
  const other = createHarness({
    store: new SqliteRunStore({ path }),
    clock: executor.clock,
    resolver: executor.resolver,
    pollMs: 200,
  });
  harnesses = [executor, other];
  executor.model('scripted:synthesis', [textResponse('## Result\nmerged\n## Disagreements\n- none')]);
  return [executor, other];
}

describe('engines sharing a SQLite store', () => {
  it('serve outputs, stops and waits across connections', async () => {
    const [executor, other] = twoProcesses();
    const a = heldStep();
    executor.model('scripted:a', [a.step]);
    executor.model('scripted:b', [heldStep().step]);
    const { runId, handles } = executor.fanout.spawn([task('a'), task('b')]);
    const [first, second] = handles.map((handle) => handle.handle);

    const output = other.fanout.output(first ?? '', { block: true });
    a.answer('written by the executor');
    await settle();
    await executor.clock.advance(200);
    await expect(output).resolves.toMatchObject({ status: 'succeeded', output: { text: 'written by the executor' } });

    await other.fanout.stop(second ?? '');
    await executor.clock.advance(200);
    await settle();
    const finished = other.fanout.wait(runId);
    await executor.clock.advance(200);
    await expect(finished).resolves.toMatchObject({
      status: 'stopped',
      tasks: [expect.objectContaining({ status: 'succeeded' }), expect.objectContaining({ status: 'stopped' })],
    });
    expect(other.fanout.todos(runId).map((item) => item.status)).toEqual(['completed', 'stopped', 'completed']);
  });
});

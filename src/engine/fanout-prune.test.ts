import { describe, expect, it } from 'vitest';
import { textResponse } from '../models/scripted-model.js';
import { LEASE_TTL_MS } from './run-liveness.js';
import { task } from './test-support/engine-harness.js';
import { useHarnesses } from './test-support/use-harnesses.js';

const setup = useHarnesses();

const DAY = 24 * 3_600_000;

describe('prune', () => {
  it('deletes finished runs older than the age with all they recorded, keeps live and recent ones', async () => {
    const harness = setup();
    const { fanout, store, clock } = harness;
    harness.model('scripted:synthesis', [textResponse('merged'), textResponse('merged')]);
    harness.model('scripted:old', [textResponse('old output')]);
    harness.model('scripted:live', []);
    harness.model('scripted:new', [textResponse('new output')]);
    const old = fanout.spawn([task('old')]);
    await fanout.wait(old.runId);
    const live = fanout.prepare([task('live')]).runId;
    await clock.advance(31 * DAY);
    // Executed by another process that renews its lease.
    store.updateRun(live, { startedAt: clock.now(), pid: 1, leaseUntil: clock.now() + LEASE_TTL_MS });
    const recent = fanout.spawn([task('new')]).runId;
    await fanout.wait(recent);

    expect(() => fanout.prune({ olderThanMs: -1 })).toThrowError(expect.objectContaining({ code: 'OPTION_INVALID' }));
    expect(fanout.prune({ olderThanMs: 30 * DAY })).toEqual({ pruned: [old.runId], live: [live] });
    expect(store.getRun(old.runId)).toBeUndefined();
    expect(store.getTask(old.handles[0]?.handle ?? '')).toBeUndefined();
    expect(store.getOutput(old.handles[0]?.handle ?? '')).toBeUndefined();
    expect(store.listEvents(old.runId)).toEqual([]);
    expect(fanout.runs().map((run) => run.runId)).toEqual([recent, live]);
    expect(() => fanout.status(old.runId)).toThrowError(expect.objectContaining({ code: 'NOT_FOUND' }));

    // Once its lease has passed, the live run is interrupted and goes too.
    await clock.advance(LEASE_TTL_MS + 1);
    expect(fanout.prune({ olderThanMs: 30 * DAY })).toEqual({ pruned: [live], live: [] });
    expect(fanout.runs().map((run) => run.runId)).toEqual([recent]);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, heldStep, task, type Harness } from '../engine/test-support/engine-harness.js';
import { textResponse } from '../models/scripted-model.js';
import { startDashboard, type Dashboard } from './dashboard-server.js';

// The server alone (no browser): the token, the API over the library, bad input.

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function setup(): Promise<{ harness: Harness; dashboard: Dashboard; base: string }> {
  const harness = createHarness();
  harness.model('scripted:synthesis', [textResponse('## Result\nmerged')]);
  const bundlePath = join(mkdtempSync(join(tmpdir(), 'fanout-ui-test-')), 'app.js');
  writeFileSync(bundlePath, '/* bundle */');
  const dashboard = await startDashboard({ fanout: harness.fanout, bundlePath });
  cleanups.push(() => harness.fanout.close(), () => dashboard.close());
  return { harness, dashboard, base: `http://127.0.0.1:${dashboard.port}` };
}

describe('the dashboard server', () => {
  it('binds 127.0.0.1 and answers 401 without the token, in the URL or the cookie the page sets', async () => {
    const { dashboard, base } = await setup();
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/api/runs?token=wrong`)).status).toBe(401);
    const denied = await fetch(`${base}/`);
    expect(denied.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await denied.text()).toContain('401: this dashboard needs the token');
    const page = await fetch(dashboard.url);
    expect(page.status).toBe(200);
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(page.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    const bundle = await fetch(`${base}/app.js`, { headers: { cookie } });
    expect(await bundle.text()).toBe('/* bundle */');
  });

  it('serves runs, a snapshot and events through the library, stops a task only with the token header, 404 for an unknown run', async () => {
    const { harness, dashboard, base } = await setup();
    const held = heldStep();
    harness.model('scripted:a', [held.step]);
    const { runId, handles } = harness.fanout.spawn([task('a')]);
    await held.called;
    const auth = `token=${dashboard.token}`;
    const runs = (await (await fetch(`${base}/api/runs?${auth}`)).json()) as Array<{ runId: string; status: string; tasks: number }>;
    expect(runs).toEqual([expect.objectContaining({ runId, status: 'running', tasks: 1 })]);
    const snapshot = (await (await fetch(`${base}/api/runs/${runId}?${auth}`)).json()) as { tasks: Array<{ id: string; status: string }>; lastSeq: number };
    expect(snapshot.tasks).toEqual([expect.objectContaining({ id: 'a', status: 'running' })]);
    expect(snapshot.lastSeq).toBe(harness.fanout.events(runId).at(-1)?.seq);

    const handle = handles[0]?.handle as string;
    const body = JSON.stringify({ target: handle });
    const refused = await fetch(`${base}/api/stop?${auth}`, { method: 'POST', body });
    expect(refused.status).toBe(403);
    const stopped = await fetch(`${base}/api/stop?${auth}`, { method: 'POST', body, headers: { 'x-fanout-token': dashboard.token } });
    expect(await stopped.json()).toMatchObject({ runId, stopped: 1 });
    expect(harness.fanout.status(runId).tasks[0]?.status).toBe('stopped');

    // A wrong address in the browser is a 404 page; an API route a 404 with the error in JSON.
    const page = await fetch(`${base}/runs/run-nope?${auth}`);
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('404: nothing here');
    const unknown = await fetch(`${base}/api/runs/run-nope?${auth}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: expect.stringContaining('run-nope') });
    expect((await (await fetch(`${base}/api/capabilities?${auth}`)).json())).toEqual({ resume: true });

    // The stopped run is continued through Fanout.resume; its task keeps its handle.
    const headers = { 'x-fanout-token': dashboard.token };
    harness.model('scripted:a', [heldStep().step]);
    const resumed = await fetch(`${base}/api/resume?${auth}`, { method: 'POST', body: JSON.stringify({ target: runId }), headers });
    expect(await resumed.json()).toEqual({ runId, handles: [expect.objectContaining({ handle })] });
    expect(harness.fanout.status(runId).run.status).toBe('running');
    await harness.fanout.stop(runId);
    const again = await fetch(`${base}/api/resume?${auth}`, { method: 'POST', body: JSON.stringify({ target: 'run-nope' }), headers });
    expect(again.status).toBe(404);
  });

  it('leaves the outputs of a run of more than 12 tasks out of its snapshot and serves each one on request', async () => {
    const { harness, dashboard, base } = await setup();
    const ids = Array.from({ length: 13 }, (_, index) => `t${index}`);
    for (const id of ids) harness.model(`scripted:${id}`, [textResponse(`output of ${id}`)]);
    const result = await harness.fanout.run({ tasks: ids.map((id) => task(id)), synthesis: false });
    const auth = `token=${dashboard.token}`;
    const snapshot = (await (await fetch(`${base}/api/runs/${result.runId}?${auth}`)).json()) as { tasks: unknown[]; outputs: object };
    expect(snapshot.tasks).toHaveLength(13);
    expect(snapshot.outputs).toEqual({});
    const handle = result.tasks.find((one) => one.taskId === 't7')?.handle as string;
    const output = (await (await fetch(`${base}/api/output?handle=${handle}&${auth}`)).json()) as { output: { text: string } };
    expect(output).toMatchObject({ taskId: "t7", output: { text: "output of t7" } });
    expect((await fetch(`${base}/api/output?handle=task-nope&${auth}`)).status).toBe(404);
  });

  it('refuses a port in use with one line', async () => {
    const { dashboard, harness } = await setup();
    await expect(startDashboard({ fanout: harness.fanout, port: dashboard.port })).rejects.toMatchObject({
      code: 'OPTION_INVALID',
      message: `--port ${dashboard.port}: the port is in use on 127.0.0.1`,
    });
  });
});

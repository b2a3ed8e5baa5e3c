import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createDefaultFanout } from '../compose.js';
import type { Fanout } from '../contracts/fanout.js';
import type { Plan } from '../contracts/plan.js';
import { formatSpeedupText } from '../report/format.js';
import { renderHtmlReport } from '../report/html-report.js';
import { loadRunSnapshot } from '../report/run-snapshot.js';
import { waveSnapshot } from '../report/test-support/snapshot-fixtures.js';
import { startDashboard, type Dashboard } from './dashboard-server.js';
import { ARTIFACTS_DIR, browserAvailable, buildDashboardBundle, launchChromium } from './test-support/browser.js';

// The dashboard and the report in a real browser (Debian's Chromium through
// playwright-core), on a real store and the simulated model.

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The part of a DOM element the tests read (this project's types have no DOM). */
interface ElementLike {
  dataset: Record<string, string | undefined>;
  getBoundingClientRect(): { left: number; width: number };
}

let browser: Browser;
let fanout: Fanout;
let dashboard: Dashboard;
let dir: string;

/** A plan whose tasks answer after `latencyMs` per call, `concurrency` at a time. */
function plan(name: string, count: number, latencyMs: number, concurrency: number): Plan {
  return {
    name,
    concurrency,
    tasks: Array.from({ length: count }, (_, index) => ({
      id: `t${index + 1}`,
      description: `Task number ${index + 1}`,
      prompt: `do ${index + 1}`,
      sim: { latencyMs: latencyMs + index * 40, output: `## Result ${index + 1}\nDone **well** <b>no html</b>` },
      ...(index === count - 1 ? { dependsOn: ['t1'] } : {}),
    })),
  };
}

/** Serious and critical accessibility violations axe finds on the page. */
async function axeViolations(page: Page): Promise<Array<{ id: string; nodes: string[] }>> {
  await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as { violations: Array<{ id: string; impact: string; nodes: Array<{ html: string }> }> };
  return result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => ({ id: violation.id, nodes: violation.nodes.map((node) => node.html.slice(0, 120)) }));
}

describe.skipIf(!browserAvailable())('the dashboard and the report in Chromium', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fanout-ui-'));
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    fanout = createDefaultFanout({ home: join(dir, 'home'), env: {}, cwd: dir, pollMs: 50 });
    const [bundlePath, launched] = await Promise.all([buildDashboardBundle(), launchChromium()]);
    browser = launched;
    dashboard = await startDashboard({ fanout, bundlePath, pollMs: 50 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await fanout?.close();
  });

  it('answers 401 without the token; an unknown run is named on the page', async () => {
    const response = await fetch(dashboard.url.replace(/\?token=.*/, ''));
    expect(response.status).toBe(401);
    const api = await fetch(dashboard.url.replace(/\/\?token=.*/, '/api/runs'));
    expect(api.status).toBe(401);
    // An unknown run id in the URL: the page says so instead of loading forever.
    const page = await browser.newPage();
    await page.goto(`${dashboard.url}#run=run-nope`);
    await expect.poll(() => page.locator('main .warning').textContent()).toMatch(/run-nope/);
    await page.close();
  });

  it('shows bars appear and finish during a run, in the order and with the lengths of the stored times', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
    const { runId } = fanout.spawn(plan('live-demo', 6, 400, 3));
    await page.goto(`${dashboard.url}#run=${runId}`);
    await page.waitForSelector('.bar[data-status="running"]', { timeout: 30_000 });
    await expect.poll(() => page.locator('.live').count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'dashboard-live.png') });
    await fanout.wait(runId);
    await expect.poll(() => page.locator('.bar[data-status="succeeded"]').count(), { timeout: 30_000 }).toBe(6);
    await expect.poll(() => page.locator('.live').count()).toBe(0);

    const { run, tasks } = fanout.status(runId);
    const t0 = run.startedAt ?? run.createdAt;
    const bars = await page.locator('.gantt .bar').evaluateAll((elements) =>
      elements.map((element) => {
        const box = (element as unknown as ElementLike).getBoundingClientRect();
        const data = (element as unknown as ElementLike).dataset;
        return { id: data['task'], start: Number(data['start']), end: Number(data['end']), left: box.left, width: box.width };
      }),
    );
    expect(bars.map((bar) => bar.id)).toEqual(tasks.map((task) => task.taskId));
    expect(bars.map((bar) => [bar.start, bar.end])).toEqual(tasks.map((task) => [(task.startedAt as number) - t0, (task.endedAt as number) - t0]));
    // Drawn to scale: pixels per ms agree across bars (within rounding), and later starts sit further right.
    const scales = bars.map((bar) => bar.width / (bar.end - bar.start));
    for (const scale of scales) expect(Math.abs(scale - (scales[0] as number)) / (scales[0] as number)).toBeLessThan(0.05);
    const byStart = [...bars].sort((a, b) => a.start - b.start);
    for (let index = 1; index < byStart.length; index += 1) expect((byStart[index] as { left: number }).left).toBeGreaterThanOrEqual((byStart[index - 1] as { left: number }).left - 1);
    // Waits are labelled, not only coloured: the last task waited for t1 and the slots.
    expect(await page.locator('.bar[data-task="t6"]').getAttribute('aria-label')).toMatch(/waited .* for (dependency|concurrency cap)/);

    // Keyboard: arrows move between bars with a visible focus, Enter opens the transcript.
    await page.locator('.bar[data-task="t1"]').focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate('document.activeElement.dataset.task')).toBe('t2');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.transcript li');
    expect(await page.locator('.transcript').textContent()).toMatch(/turn 1: [\d,]+ in \/ [\d,]+ out tokens/);
    expect(await page.locator('#output-t1 .markdown').innerHTML()).toContain('&lt;b&gt;no html&lt;/b&gt;');
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'dashboard.png') });
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  }, 120_000);

  it('draws each wait cause from the stored events, labelled and patterned: dependency, conflict, concurrency cap, rate limit, retry backoff', async () => {
    const result = await fanout.run({
      name: 'wait-causes',
      concurrency: 2,
      synthesis: false,
      tasks: [
        { id: 'flaky', prompt: 'a', sim: { latencyMs: 100, fail: { status: 500, times: 1 } } },
        { id: 'limited', prompt: 'b', sim: { latencyMs: 100, fail: { status: 429, times: 1, retryAfterMs: 300 } } },
        { id: 'capped', prompt: 'c', sim: { latencyMs: 100 } },
        { id: 'after', prompt: 'd', dependsOn: ['flaky'], sim: { latencyMs: 100 } },
        { id: 'w1', prompt: 'e', writes: ['x.txt'], sim: { latencyMs: 100 } },
        { id: 'w2', prompt: 'f', writes: ['x.txt'], sim: { latencyMs: 100 } },
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
    await page.goto(`${dashboard.url}#run=${result.runId}`);
    await page.waitForSelector('.gantt .bar[data-task="w2"]');
    const expected: Array<[string, string, RegExp]> = [
      ['flaky', 'retry', /paused [\d.]+ m?s at [\d.]+ m?s for retry backoff/],
      ['limited', 'rate-limit', /paused [\d.]+ m?s at [\d.]+ m?s for rate limit/],
      ['capped', 'concurrency', /waited [\d.]+ m?s for concurrency cap/],
      ['after', 'dependency', /waited [\d.]+ m?s for dependency/],
      ['w2', 'conflict', /waited [\d.]+ m?s for file conflict/],
    ];
    for (const [task, cause, label] of expected) {
      const segment = page.locator(`.gantt-row[data-task="${task}"] [data-cause="${cause}"]`);
      expect(await segment.count(), `${task} ${cause}`).toBe(1);
      // Patterned, not only coloured: every cause has a background pattern, and the legend names it.
      expect(await segment.evaluate((element) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundImage: string } }).getComputedStyle(element).backgroundImage)).toMatch(/gradient/);
      expect(await page.locator(`.bar[data-task="${task}"]`).getAttribute('aria-label')).toMatch(label);
    }
    const legend = await page.locator('.legend').textContent();
    for (const words of ['paused: retry backoff', 'paused: rate limit', 'waited: concurrency cap', 'waited: dependency', 'waited: file conflict']) expect(legend).toContain(words);

    // The retry's pause sits where its stored event says, inside the bar.
    const t0 = fanout.status(result.runId).run.startedAt as number;
    const retry = fanout.events(result.runId).find(({ event }) => event.type === 'task-retry')?.event as { at: number; waitMs: number };
    // Its retry may also have queued at the gate the 429 narrowed (a rate-limit pause after it): the retry's is the one.
    const pause = page.locator('.gantt-row[data-task="flaky"] .pause[data-cause="retry"]');
    expect(Number(await pause.getAttribute('data-start'))).toBe(retry.at - t0);
    expect(Number(await pause.getAttribute('data-end'))).toBe(retry.at + retry.waitMs - t0);
    const [pauseBox, barBox] = [await pause.boundingBox(), await page.locator('.bar[data-task="flaky"]').boundingBox()];
    expect(pauseBox?.x).toBeGreaterThanOrEqual((barBox?.x ?? 0) - 1);
    expect((pauseBox?.x ?? 0) + (pauseBox?.width ?? 0)).toBeLessThanOrEqual((barBox?.x ?? 0) + (barBox?.width ?? 0) + 1);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'dashboard-wait-causes.png') });
    await page.close();
  }, 120_000);

  it("draws a model call's wait at its provider's gate, named by its cause (provider cap, rate limit); axe finds nothing on either page", async () => {
    // A second Fanout on the same store, as another process would be: a static cap stays on a process's gates for its
    // lifetime, and would slow every other run of this file.
    const capped = createDefaultFanout({ home: join(dir, 'home'), env: {}, cwd: dir, pollMs: 50, providers: { sim: { maxConcurrent: 1 } } });
    let runId: string;
    try {
      // One call in flight at a time: the second and third calls queue at the cap; the 429 pauses the endpoint.
      ({ runId } = await capped.run({
        name: 'provider-waits',
        concurrency: 3,
        synthesis: false,
        tasks: [
          { id: 'limited', prompt: 'a', sim: { latencyMs: 150, fail: { status: 429, times: 1, retryAfterMs: 300 } } },
          { id: 'second', prompt: 'b', sim: { latencyMs: 150 } },
          { id: 'third', prompt: 'c', sim: { latencyMs: 150 } },
        ],
      }));
    } finally {
      await capped.close();
    }
    const t0 = fanout.status(runId).run.startedAt as number;
    const handles = new Map(fanout.status(runId).tasks.map((task) => [task.handle, task.taskId]));
    const waited = fanout.events(runId).flatMap(({ event }) => (event.type === 'call-waited' ? [{ ...event, task: handles.get(event.handle) as string }] : []));
    const capWait = waited.find((event) => event.reason === 'provider-cap') as (typeof waited)[number];
    expect(capWait).toBeDefined();
    const capTask = capWait.task;

    const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
    await page.goto(`${dashboard.url}#run=${runId}`);
    await page.waitForSelector('.gantt .bar[data-task="third"]');
    const words: Record<string, string> = { 'provider-cap': 'provider cap', 'rate-limit': 'rate limit' };
    for (const event of waited) {
      // Drawn inside its task's bar from the stored event: it began waitedMs before the call started (merged with an overlapping pause of its cause).
      const from = event.at - event.waitedMs - t0;
      const segments = await page.locator(`.gantt-row[data-task="${event.task}"] .pause[data-cause="${event.reason}"]`).evaluateAll((elements) =>
        elements.map((element) => [Number((element as unknown as ElementLike).dataset['start']), Number((element as unknown as ElementLike).dataset['end'])]),
      );
      expect(segments.some(([start, end]) => (start as number) <= from && (end as number) >= event.at - t0), `${event.task} ${event.reason} ${JSON.stringify(segments)}`).toBe(true);
      expect(await page.locator(`.bar[data-task="${event.task}"]`).getAttribute('aria-label')).toMatch(new RegExp(`paused [\\d.]+ m?s at [\\d.]+ m?s for ${words[event.reason]}`));
    }
    expect(await page.locator('.legend').textContent()).toContain('paused: provider cap');
    // The tables and sentences say a cap someone set for what it is, not a rate limit.
    expect(await page.locator('.table-wrap thead').first().textContent()).toContain('Provider cap');
    expect(await page.getByRole('listitem').filter({ hasText: `${capTask} waited` }).allTextContents()).toContainEqual(expect.stringMatching(/for a model-call slot of its provider \(provider cap\)/));
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'dashboard-provider-waits.png') });
    expect(await axeViolations(page)).toEqual([]);
    await page.close();

    // The static report of the same run: the same segment, named the same, and no violation either.
    const file = join(dir, 'provider-waits.html');
    writeFileSync(file, await renderHtmlReport(await loadRunSnapshot(fanout, runId)));
    const report = await browser.newPage({ viewport: { width: 1024, height: 900 } });
    await report.goto(`file://${file}`);
    expect(await report.locator(`.gantt-row[data-task="${capWait.task}"] .pause[data-cause="provider-cap"]`).count()).toBeGreaterThan(0);
    expect(await report.locator(`.bar[data-task="${capWait.task}"]`).getAttribute('aria-label')).toMatch(/for provider cap/);
    expect(await report.locator('.legend').textContent()).toContain('paused: provider cap');
    expect(await axeViolations(report)).toEqual([]);
    await report.close();
  }, 120_000);

  it('a run of 120 tasks: every bar drawn, lists of 100 rows until "Show all", an output read when unfolded', async () => {
    const result = await fanout.run({
      name: 'many',
      concurrency: 60,
      synthesis: false,
      tasks: Array.from({ length: 120 }, (_, index) => ({ id: `m${index + 1}`, prompt: `do ${index + 1}`, sim: { latencyMs: 5, output: `Answer **${index + 1}**` } })),
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${dashboard.url}#run=${result.runId}`);
    await expect.poll(() => page.locator('.gantt .bar').count(), { timeout: 30_000 }).toBe(120);
    expect(await page.locator('.table-wrap tbody tr').count()).toBe(100);
    await page.getByRole('button', { name: 'Show all 120' }).first().click();
    expect(await page.locator('.table-wrap tbody tr').count()).toBe(120);
    const output = page.locator('#output-m110');
    await page.getByRole('button', { name: 'Show all 120' }).last().click();
    expect(await output.locator('.markdown').count()).toBe(0);
    await output.locator('summary').click();
    await expect.poll(() => output.locator('.markdown').innerHTML(), { timeout: 10_000 }).toContain('Answer <strong>110</strong>');
    await page.close();
  }, 120_000);

  it('stops a task from the page: the store records it stopped', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const { runId, handles } = fanout.spawn({ name: 'to-stop', tasks: [{ id: 'slow', prompt: 'wait', sim: { latencyMs: 60_000 } }, { id: 'quick', prompt: 'go' }] });
    await page.goto(`${dashboard.url}#run=${runId}`);
    await page.getByRole('button', { name: 'Stop task slow' }).click({ timeout: 30_000 });
    const slow = handles.find((task) => task.id === 'slow')?.handle as string;
    await expect.poll(() => fanout.status(runId).tasks.find((task) => task.handle === slow)?.status, { timeout: 30_000 }).toBe('stopped');
    await page.waitForSelector('.bar[data-task="slow"][data-status="stopped"]', { timeout: 30_000 });
    await fanout.wait(runId);
    await page.close();
  }, 120_000);

  it('opens the static report with the network blocked and shows the same figures; a 10,000-task report opens too', async () => {
    const [latest] = fanout.runs();
    const runs = fanout.runs().filter((run) => run.name === 'live-demo');
    const runId = (runs[0] ?? latest)?.runId as string;
    const snapshot = await loadRunSnapshot(fanout, runId);
    const file = join(dir, 'report.html');
    writeFileSync(file, await renderHtmlReport(snapshot));
    const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
    const requested: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      requested.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    await page.goto(`file://${file}`);
    expect(await page.locator('[data-fact="Speedup"] dd').textContent()).toBe(formatSpeedupText(snapshot.report.speedup));
    const bars = await page.locator('.gantt .bar').evaluateAll((elements) => elements.map((element) => [(element as unknown as ElementLike).dataset['task'], Number((element as unknown as ElementLike).dataset['end'])]));
    const t0 = snapshot.run.startedAt ?? snapshot.run.createdAt;
    expect(bars).toEqual(snapshot.tasks.map((task) => [task.id, (task.endedAt as number) - t0]));
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'report.png'), fullPage: true });
    await context.setOffline(true);
    expect(await axeViolations(page)).toEqual([]);

    const big = join(dir, 'big-report.html');
    writeFileSync(big, await renderHtmlReport(waveSnapshot(10_000, 64)));
    await page.goto(`file://${big}`, { timeout: 60_000 });
    expect(await page.locator('.gantt .bar').count()).toBe(10_000);
    expect(requested).toEqual([]);
    await context.close();
  }, 180_000);
});

/**
 * The dashboard with big runs, in Debian's Chromium (issue 13's "fast with
 * big runs"): how long a finished 1,000-task run takes to open (navigation
 * to every bar drawn), and how long after a task ends its bar shows it in
 * a page following a live 1,000-task run (stored `endedAt` to the DOM
 * change, both on this machine's clock); then the HTML report: the size of
 * a real 100-task run's, and the size and opening time (navigation to
 * `load`, every bar present) of a 10,000-task one (a fixture run).
 *
 *   npm run build && node --import tsx bench/dashboard.ts [--tasks 1000]
 *
 * Prints one JSON object; targets: open < 1000 ms, update p95 < 100 ms,
 * 100-task report < 1 MB.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDefaultFanout } from '../dist/index.js';
import { renderHtmlReport } from '../dist/report/html-report.js';
import { loadRunSnapshot, type RunSnapshot } from '../dist/report/run-snapshot.js';
import { startDashboard } from '../dist/ui/dashboard-server.js';
import { waveSnapshot } from '../src/report/test-support/snapshot-fixtures.js';
import { launchChromium } from '../src/ui/test-support/browser.js';

const tasksFlag = process.argv.indexOf('--tasks');
const TASKS = tasksFlag > 0 ? Number(process.argv[tasksFlag + 1]) : 1000;

function plan(name: string, latencyMs: number, concurrency: number, count = TASKS) {
  return {
    name,
    concurrency,
    synthesis: false,
    tasks: Array.from({ length: count }, (_, index) => ({ id: `t${index}`, prompt: `do ${index}`, sim: { latencyMs: latencyMs + (index % 13) * 7, output: `done ${index}` } })),
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const dir = mkdtempSync(join(tmpdir(), 'fanout-bench-ui-'));
const fanout = createDefaultFanout({ home: join(dir, 'home'), env: {}, cwd: dir });
const dashboard = await startDashboard({ fanout, bundlePath: fileURLToPath(new URL('../dist/ui/web/app.js', import.meta.url)) });
const browser = await launchChromium();
try {
  const finished = await fanout.run(plan('bench-finished', 5, 200) as never);
  // The page's CSP forbids eval; the measuring scripts below need it.
  const page = await (await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } })).newPage();
  const opens: number[] = [];
  for (let round = 0; round < 3; round += 1) {
    const started = performance.now();
    await page.goto(`${dashboard.url}#run=${finished.runId}`);
    await page.waitForFunction(`document.querySelectorAll('.gantt .bar').length === ${TASKS}`, undefined, { timeout: 60_000 });
    opens.push(performance.now() - started);
    await page.goto('about:blank');
  }

  // Live: tasks end over ~40 s; the page records when each bar turns succeeded.
  const live = fanout.spawn(plan('bench-live', 1500, 40) as never);
  await page.goto(`${dashboard.url}#run=${live.runId}`);
  await page.waitForSelector('.gantt .bar', { state: 'attached', timeout: 60_000 });
  await page.evaluate(`(() => {
    window.__seen = {};
    new MutationObserver((records) => {
      const now = performance.timeOrigin + performance.now();
      for (const record of records) {
        const bar = record.target;
        if (bar.dataset && bar.dataset.status === 'succeeded' && !(bar.dataset.task in window.__seen)) window.__seen[bar.dataset.task] = now;
      }
    }).observe(document.querySelector('.gantt'), { attributes: true, attributeFilter: ['data-status'], subtree: true });
  })()`);
  await fanout.wait(live.runId);
  await page.waitForFunction(`Object.keys(window.__seen).length >= ${TASKS} * 0.9`, undefined, { timeout: 60_000 }).catch(() => undefined);
  const seen = (await page.evaluate('window.__seen')) as Record<string, number>;
  const { tasks } = fanout.status(live.runId);
  const delays = tasks.filter((task) => seen[task.taskId] !== undefined && task.endedAt !== undefined).map((task) => (seen[task.taskId] as number) - (task.endedAt as number));

  // The HTML report: a real 100-task run's size; a 10,000-task fixture's size and opening time.
  const hundred = await fanout.run(plan('bench-report-100', 5, 50, 100) as never);
  const hundredBytes = Buffer.byteLength(await renderHtmlReport(await loadRunSnapshot(fanout, hundred.runId)));
  const bigFile = join(dir, 'report-10000.html');
  // The fixture comes from the sources, the renderer from the build: they meet as plain JSON, so a
  // build older than the sources must not fail the typecheck here.
  const bigHtml = await renderHtmlReport(waveSnapshot(10_000, 64) as unknown as RunSnapshot);
  writeFileSync(bigFile, bigHtml);
  const reportOpens: number[] = [];
  for (let round = 0; round < 3; round += 1) {
    const started = performance.now();
    await page.goto(`file://${bigFile}`, { waitUntil: 'load', timeout: 120_000 });
    if ((await page.locator('.gantt .bar').count()) !== 10_000) throw new Error('the 10,000-task report lacks bars');
    reportOpens.push(performance.now() - started);
    await page.goto('about:blank');
  }
  console.log(
    JSON.stringify({
      tasks: TASKS,
      openMs: { median: Math.round(percentile(opens, 50)), runs: opens.map(Math.round) },
      liveUpdateMs: { observed: delays.length, median: Math.round(percentile(delays, 50)), p95: Math.round(percentile(delays, 95)), max: Math.round(Math.max(...delays)) },
      report: {
        bytes100Tasks: hundredBytes,
        bytes10000Tasks: Buffer.byteLength(bigHtml),
        open10000TasksMs: { median: Math.round(percentile(reportOpens, 50)), runs: reportOpens.map(Math.round) },
      },
      loadAverage: loadavg().map((load) => Math.round(load * 10) / 10),
      targets: { openMs: 1000, liveUpdateP95Ms: 100, report100TasksBytes: 1_000_000 },
    }),
  );
} finally {
  await browser.close();
  await dashboard.close();
  await fanout.close();
}

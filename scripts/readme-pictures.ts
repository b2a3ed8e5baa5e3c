/**
 * The README's two pictures (docs/images/dashboard.png and report.png),
 * made from a real run on the simulated model whose tasks wait for every
 * cause the timeline draws: a dependency, a file conflict, the concurrency
 * cap, a provider cap (`maxConcurrent: 2` on the sim provider), a rate limit
 * (a 429 with retry-after) and retry backoff (a 500). Debian's Chromium
 * takes the screenshots, as in src/ui/browser.test.ts.
 *
 *   npm run build && node --import tsx scripts/readme-pictures.ts [--out docs/images]
 *
 * Prints each file's size; view them before committing (each < 200 KB).
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// The built library, as bench/dashboard.ts uses it: the report renderer is the bundle `npm run build` makes.
import { createDefaultFanout, type TaskSpec } from '../dist/index.js';
import { renderHtmlReport } from '../dist/report/html-report.js';
import { loadRunSnapshot } from '../dist/report/run-snapshot.js';
import { startDashboard } from '../dist/ui/dashboard-server.js';
import { buildDashboardBundle, launchChromium } from '../src/ui/test-support/browser.js';

const outFlag = process.argv.indexOf('--out');
const OUT = resolve(outFlag > 0 ? (process.argv[outFlag + 1] as string) : 'docs/images');

/** A task that writes its file with one tool call, then answers. */
function writer(id: string, path: string, latencyMs: number, extra: Partial<TaskSpec> = {}): TaskSpec {
  return {
    id,
    description: `Write ${path}`,
    prompt: `Implement ${path}`,
    writes: [path],
    sim: {
      latencyMs,
      script: [{ text: `Writing ${path}.`, tools: [{ name: 'write_file', input: { path, content: 'export {};\n' } }] }],
      output: `## ${id}\nWrote \`${path}\`.`,
    },
    ...extra,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'fanout-pictures-'));
// Two model calls in flight at a time for the sim provider: a cap someone set, drawn apart from rate limits.
const fanout = createDefaultFanout({ home: join(dir, '.fanout'), env: {}, cwd: dir, pollMs: 50, providers: { sim: { maxConcurrent: 2 } } });
const result = await fanout.run({
  name: 'auth-feature',
  concurrency: 3,
  tasks: [
    writer('schema', 'src/db/schema.ts', 600),
    writer('login', 'src/auth/login.ts', 500),
    writer('signup', 'src/auth/signup.ts', 500, { sim: { latencyMs: 500, fail: { status: 500, times: 1 }, output: '## signup\nDone.' } }),
    { id: 'docs', description: 'Document the auth flow', prompt: 'Document the auth flow', sim: { latencyMs: 600, output: '## Auth\nLogin, signup, sessions.' } },
    writer('migrations', 'src/db/schema.ts', 400),
    writer('sessions', 'src/auth/sessions.ts', 400, { dependsOn: ['schema'] }),
    {
      id: 'tests',
      description: 'Test the auth flow',
      prompt: 'Write the tests',
      dependsOn: ['login', 'signup'],
      sim: { latencyMs: 500, fail: { status: 429, times: 1, retryAfterMs: 500 }, output: 'All green.' },
    },
  ],
});
const [bundlePath, browser] = await Promise.all([buildDashboardBundle(), launchChromium()]);
const dashboard = await startDashboard({ fanout, bundlePath, pollMs: 50 });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${dashboard.url}#run=${result.runId}`);
  await page.waitForSelector('.gantt .bar[data-task="tests"]');
  // The chosen task's transcript, with its rate-limit wait.
  await page.locator('.bar[data-task="tests"]').click();
  await page.waitForSelector('.transcript li');
  await page.mouse.move(0, 0);
  const dashboardPng = join(OUT, 'dashboard.png');
  await page.screenshot({ path: dashboardPng });

  const file = join(dir, 'report.html');
  writeFileSync(file, await renderHtmlReport(await loadRunSnapshot(fanout, result.runId)));
  const report = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await report.goto(`file://${file}`);
  // From the top to the end of "Where time went": the figures, the timeline, the timing table and the diagnostics.
  const bottom = await report.locator('#diagnostics-heading').evaluate((heading) => {
    const box = (heading as unknown as { parentElement: { getBoundingClientRect(): { bottom: number } } }).parentElement.getBoundingClientRect();
    return Math.ceil(box.bottom) + 8;
  });
  const reportPng = join(OUT, 'report.png');
  await report.screenshot({ path: reportPng, clip: { x: 0, y: 0, width: 1280, height: bottom }, fullPage: true });
  for (const path of [dashboardPng, reportPng]) console.log(`${path}: ${Math.ceil(statSync(path).size / 1024)} KB`);
} finally {
  await browser.close();
  await dashboard.close();
  await fanout.close();
}

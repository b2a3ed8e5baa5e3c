import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { DEMO_REQUEST } from '../render-demo.js';
import { commandWorkspace } from '../test-support/command-workspace.js';

// `fanout run --ui` / `fanout do --ui` and `fanout ui` in this process, on a real store and the simulated model.

const URL_LINE = /^fanout: dashboard of this run: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)#run=(run-\w+)\n/m;

async function busyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return { port: typeof address === 'object' && address !== null ? address.port : 0, server };
}

/** Waits until `read()` matches `pattern` (the command runs meanwhile). */
async function waitFor(read: () => string, pattern: RegExp): Promise<RegExpExecArray> {
  for (let tries = 0; tries < 600; tries += 1) {
    const found = pattern.exec(read());
    if (found !== null) return found;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never matched ${String(pattern)}: ${read()}`);
}

describe('fanout run --ui', () => {
  it('serves the run on 127.0.0.1 while it runs (URL with token on stderr, stdout as without --ui), and closes when it ends', async () => {
    const { file, io } = commandWorkspace();
    file('plan.yaml', 'name: watched\ntasks:\n  - id: a\n    prompt: do a\n    sim: { latencyMs: 1500 }\n  - id: b\n    prompt: do b\n');
    const run = io();
    const done = runCli(['run', 'plan.yaml', '--ui'], run);
    const [, url, runId] = (await waitFor(run.err, URL_LINE)) as unknown as [string, string, string];
    const base = url.replace(/\/\?token=.*/, '');
    const token = url.replace(/.*\?token=/, '');
    expect((await fetch(`${base}/api/runs`)).status).toBe(401);
    const runs = (await (await fetch(`${base}/api/runs?token=${token}`)).json()) as Array<{ runId: string; status: string }>;
    expect(runs).toEqual([expect.objectContaining({ runId, status: 'running' })]);
    expect(await done).toBe(0);
    await expect(fetch(`${base}/api/runs?token=${token}`)).rejects.toThrow();
    expect(run.err()).toContain('see the run again with: fanout ui');

    const plain = io();
    expect(await runCli(['run', 'plan.yaml'], plain)).toBe(0);
    // The timing table's columns follow the run's scheduling (a "waited" column appears when a task waited for its
    // slot on a loaded machine), so its rows are compared by count only.
    const shape = (text: string): string =>
      text
        .replace(/\nTiming\n([^\n]+\n)+/, (table) => `\nTiming (${table.split('\n').length} lines)\n`)
        .replace(/(run|task)-\w+/g, 'ID')
        .replace(/│[█░◆ ]*│/g, 'BAR')
        .replace(/[\d.,]+ ?(ms|s|×|%)/g, 'N')
        .replace(/ +/g, ' ');
    expect(shape(run.out())).toBe(shape(plain.out()));
    expect(plain.err()).not.toContain('dashboard');
  }, 60_000);

  it('do --ui serves the run it plans and runs', async () => {
    const { io } = commandWorkspace();
    const run = io();
    const done = runCli(['do', DEMO_REQUEST, '--ui', '--json'], run);
    const [, , runId] = (await waitFor(run.err, URL_LINE)) as unknown as [string, string, string];
    expect(await done).toBe(0);
    // stdout stays NDJSON: the URL is on stderr only.
    expect(run.out()).not.toContain('dashboard');
    expect(run.out()).toContain(runId);
  }, 60_000);

  it('bad input: one line, exit 2, nothing run: a port in use (run and ui), --open or --ui-port without --ui, --ui with --detach', async () => {
    const { file, io, home } = commandWorkspace();
    file('plan.yaml', 'tasks:\n  - id: a\n    prompt: do a\n');
    const { port, server } = await busyPort();
    try {
      const cases: Array<[string[], RegExp]> = [
        [['run', 'plan.yaml', '--ui', '--ui-port', String(port)], new RegExp(`^fanout: --ui-port ${port}: the port is in use on 127\\.0\\.0\\.1\\n$`)],
        [['run', 'plan.yaml', '--open'], /^fanout: --open: only applies with --ui\n$/],
        [['run', 'plan.yaml', '--ui-port', '0'], /^fanout: --ui-port: only applies with --ui\n$/],
        [['run', 'plan.yaml', '--ui', '--detach'], /^fanout: --ui: not with --detach [^\n]+\n$/],
        [['do', 'x', '--ui', '--plan-only', 'p.yaml'], /^fanout: --ui: not with --plan-only [^\n]+\n$/],
      ];
      for (const [argv, message] of cases) {
        const run = io();
        expect(await runCli(argv, run), argv.join(' ')).toBe(2);
        expect(run.err()).toMatch(message);
        expect(run.out()).toBe('');
      }
      // Refused before anything ran: not even the store was created.
      expect(existsSync(home)).toBe(false);

      const first = io();
      expect(await runCli(['run', 'plan.yaml'], first)).toBe(0);
      const ui = io();
      expect(await runCli(['ui', '--port', String(port)], ui)).toBe(2);
      expect(ui.err()).toBe(`fanout: --port ${port}: the port is in use on 127.0.0.1\n`);
    } finally {
      server.close();
    }
  }, 60_000);
});

describe('fanout ui', () => {
  it('opens the run it is given (the URL ends #run=<id>); an unknown run is one line, exit 2, nothing served', async () => {
    const { file, io } = commandWorkspace();
    file('plan.yaml', 'tasks:\n  - id: a\n    prompt: do a\n');
    const first = io();
    expect(await runCli(['run', 'plan.yaml'], first)).toBe(0);
    const runId = /(run-[a-z0-9]+)/.exec(first.out())?.[1] as string;
    expect(first.err()).toBe('');

    const unknown = io();
    expect(await runCli(['ui', 'run-nope'], unknown)).toBe(2);
    expect(unknown.err()).toMatch(/^fanout: [^\n]*run-nope[^\n]*\n$/);
    expect(unknown.out()).toBe('');

    const ui = io();
    const done = runCli(['ui', runId], ui);
    const [, url, opened] = (await waitFor(ui.out, /^fanout dashboard: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)#run=(run-\w+)\n/m)) as unknown as [string, string, string];
    expect(opened).toBe(runId);
    const base = url.replace(/\/\?token=.*/, '');
    const snapshot = await fetch(`${base}/api/runs/${opened}?token=${url.replace(/.*\?token=/, '')}`);
    expect(snapshot.status).toBe(200);
    // The command's own interrupt handling (as `kill` would): it stops serving and exits 0.
    process.emit('SIGTERM');
    expect(await done).toBe(0);
    await expect(fetch(`${base}/`)).rejects.toThrow();
  }, 60_000);
});

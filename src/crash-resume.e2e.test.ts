import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli/program.js';
import { buildCli, scratch, type BuiltCli } from './cli/test-support/cli-process.js';
import { recordingIo } from './cli/test-support/fake-io.js';
import { startSimServer, type SimServer } from './models/sim/index.js';

// The crash harness: a real run with tool calls in a detached process, killed with SIGKILL at
// random moments, then resumed, until it ends. Every run must end succeeded with every output,
// and no task that had succeeded may call the model again. Model calls are counted per task by a
// proxy in front of the simulated server, which all the processes share (FANOUT_SIM_URL).
// CI: 12 tasks, 4 kills. FANOUT_CRASH_LONG=1: 50 tasks, 20 kills.

const LONG = process.env.FANOUT_CRASH_LONG === '1';
const TASKS = LONG ? 50 : 12;
const KILLS = LONG ? 20 : 4;
// Long enough that a child loading its modules on a loaded machine is not taken for dead: at a load
// average of 35 on 2 cores, 5 s was not (see docs/operations.md on stalls longer than the lease).
const LEASE_MS = 10_000;

let cli: BuiltCli;
let sim: SimServer;
let proxy: http.Server;
let proxyUrl: string;
/** Model calls per task id, from the task's prompt marker in each request. */
const calls = new Map<string, number>();
/**
 * While set, the proxy holds this task's requests unanswered, so the run cannot end: the first kill
 * then finds the process running however slow the machine is (under load the whole run once ended
 * before it). The task has no dependents, so the others run on.
 */
let heldTask: string | undefined;
const heldAnswers: http.ServerResponse[] = [];

beforeAll(async () => {
  cli = await buildCli();
  sim = await startSimServer();
  const target = new URL(sim.url);
  proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const id = /crash-task-(t\d+)/.exec(body.toString('utf8'))?.[1];
      if (id !== undefined) calls.set(id, (calls.get(id) ?? 0) + 1);
      if (id !== undefined && id === heldTask) {
        heldAnswers.push(res);
        return;
      }
      const forward = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      res.on('close', () => forward.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise<void>((resolve) => proxy?.close(() => resolve()));
  await sim?.close();
  cli?.dispose();
});

/** A seeded pseudo-random sequence (mulberry32), so a failing schedule can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Tasks that write, read back and answer; every fourth depends on the one before it. */
function crashPlan(next: () => number): string {
  const lines = ['name: crash', 'concurrency: 4', 'tasks:'];
  for (let i = 0; i < TASKS; i++) {
    const id = `t${String(i).padStart(2, '0')}`;
    // Slow enough that the kills after the first (at random moments, up to 1.5 s apart) often find the run going.
    const latencyMs = 500 + Math.floor(next() * 400);
    lines.push(
      `  - id: ${id}`,
      `    prompt: "crash-task-${id}: write out/${id}.txt, read it back, report"`,
      `    writes: ["out/${id}.txt"]`,
      ...(i % 4 === 3 ? [`    dependsOn: [t${String(i - 1).padStart(2, '0')}]`] : []),
      `    sim:`,
      `      latencyMs: ${latencyMs}`,
      `      output: "result of ${id}"`,
      `      script:`,
      `        - tools: [{ name: write_file, input: { path: out/${id}.txt, content: "${id}" } }]`,
      `        - tools: [{ name: read_file, input: { path: out/${id}.txt } }]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

interface StatusJson {
  run: { runId: string; status: string };
  tasks: Array<{ taskId: string; handle: string; status: string }>;
}

/** SIGKILLs `pid`; false when it had already exited (ESRCH). */
function killIfAlive(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

describe('crash harness: SIGKILL at random moments, then resume', () => {
  it(
    `${TASKS} tasks, ${KILLS} kills: the run ends succeeded, no output lost, no succeeded task run again`,
    async () => {
      const seed = Number(process.env.FANOUT_CRASH_SEED ?? 7);
      const next = random(seed);
      const { home, dir, plan } = scratch();
      const env = { FANOUT_SIM_URL: proxyUrl, FANOUT_LEASE_MS: String(LEASE_MS) };
      const inProcess = async (argv: string[]): Promise<string> => {
        const io = recordingIo({ env: { FANOUT_HOME: home, ...env } });
        const code = await runCli(argv, io);
        if (code !== 0 && code !== 1) throw new Error(`fanout ${argv.join(' ')} exited ${code}: ${io.err()}`);
        return io.out();
      };
      const status = async (runId: string): Promise<StatusJson> => JSON.parse(await inProcess(['status', runId, '--json'])) as StatusJson;
      const waitForFirstSuccess = async (runId: string): Promise<void> => {
        const deadline = performance.now() + 120_000;
        while (!(await status(runId)).tasks.some((task) => task.status === 'succeeded')) {
          if (performance.now() > deadline) throw new Error(`no task of run ${runId} succeeded within 120 s`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      // t00 starts at once and nothing depends on it: held, it keeps the run going until the first kill.
      heldTask = 't00';

      const started = await cli.start(['run', plan('crash.yaml', crashPlan(next)), '--detach', '--json', '--cwd', dir], home, env).exited;
      expect(started.stderr).toBe('');
      let { runId, pid } = JSON.parse(started.stdout) as { runId: string; pid: number };
      /** Model calls of each task at the moment it was first seen succeeded. */
      const callsWhenSucceeded = new Map<string, number>();
      let kills = 0;
      for (let attempt = 0; attempt < KILLS; attempt++) {
        // The first kill comes as soon as a task has succeeded (so the no-re-run check has something to check; the
        // held t00 keeps the run going until then), the others at any moment.
        if (attempt === 0) await waitForFirstSuccess(runId);
        else await new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 1_500)));
        const killed = killIfAlive(pid);
        if (killed) kills += 1;
        if (attempt === 0) {
          // Its held calls were the killed process's: dropped, and t00 runs in the resumed process.
          heldTask = undefined;
          for (const answer of heldAnswers.splice(0)) answer.destroy();
        }
        // The killed process writes nothing more: what the store says now is final for this attempt.
        const seen = await status(runId);
        for (const task of seen.tasks) {
          if (task.status === 'succeeded' && !callsWhenSucceeded.has(task.taskId)) {
            callsWhenSucceeded.set(task.taskId, calls.get(task.taskId) ?? 0);
          }
        }
        // Under load the run can end on its own during the delay before a later kill: nothing is left to resume.
        if (!killed || seen.run.status === 'succeeded') break;
        await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 300));
        const resumed = await cli.start(['resume', runId, '--detach', '--json'], home, env).exited;
        if (resumed.code !== 0) throw new Error(`resume after kill ${kills} exited ${resumed.code}: ${resumed.stderr}`);
        ({ runId, pid } = JSON.parse(resumed.stdout) as { runId: string; pid: number });
      }

      let view = await status(runId);
      for (let waited = 0; (view.run.status === 'running' || view.run.status === 'synthesizing') && waited < 120_000; waited += 200) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        view = await status(runId);
      }
      const log = () => readFileSync(join(home, 'logs', `${runId}.log`), 'utf8').split('\n').slice(-40).join('\n');
      expect(view.run.status, `${JSON.stringify(view.run)}\n${log()}`).toBe('succeeded');
      expect(view.tasks.every((task) => task.status === 'succeeded')).toBe(true);
      for (const task of view.tasks) {
        const output = JSON.parse(await inProcess(['output', task.handle, '--json'])) as { output?: { text: string } };
        expect(output.output?.text, task.taskId).toBe(`result of ${task.taskId}`);
      }
      // Not one call by a task after it had succeeded: kept tasks were never run again.
      for (const [taskId, count] of callsWhenSucceeded) expect(calls.get(taskId), taskId).toBe(count);
      expect(kills).toBeGreaterThan(0);
      // Some tasks had succeeded before a kill: the check above is about them.
      expect(callsWhenSucceeded.size).toBeGreaterThan(0);
    },
    LONG ? 1_800_000 : 300_000,
  );
});

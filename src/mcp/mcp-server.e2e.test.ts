import { spawn } from 'node:child_process';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createTaskSessionFromClient, resultFromTaskOutcome } from '@modelcontextprotocol/ext-tasks/client';
import { describe, expect, it } from 'vitest';
import { cliEnv, REPO_ROOT, scratch } from '../cli/test-support/cli-process.js';
import { useBuiltCli } from '../cli/test-support/e2e-setup.js';
import { TASKS_EXTENSION } from './tasks-extension.js';
import { callTool, connectHttp, connectStdio, rawHttpDispatch, startHttpServer, stopProcess, type RawOutcome } from './test-support/mcp-clients.js';

// `fanout mcp` as MCP hosts run it (the compiled CLI), driven by the official MCP client
// over stdio and over Streamable HTTP, on the simulated model. The tasks run in a detached
// process, so they outlive the server, and their handles work after a restart.

const cli = useBuiltCli();

interface Handles {
  runId: string;
  handles: Array<{ id: string; handle: string }>;
}
interface Output {
  handle: string;
  status: string;
  done: boolean;
  output?: unknown;
}
interface WaitResult {
  done: Array<{ handle: string; status: string }>;
  pending: Array<{ handle: string; status: string }>;
  timedOut: boolean;
}

// `d` takes longer than the others so that the progress of a, b and c reaches the client well before
// the wait's result. The official client runs a notification's handler a microtask later but a
// response at once, so when a progress notification and the result arrive in one read (stdio under
// load), the result removes the progress handler first and that notification is dropped.
const QUICK_LATENCY_MS: Record<string, number> = { a: 1_000, b: 1_000, c: 1_000, d: 8_000 };
const FIVE_TASKS = [
  ...['a', 'b', 'c', 'd'].map((id) => ({ id, prompt: `task ${id}`, sim: { latencyMs: QUICK_LATENCY_MS[id], output: `result of ${id}` } })),
  { id: 'slow', prompt: 'a long one', sim: { latencyMs: 60_000 } },
];

/**
 * The scenario on one connected client: spawn 5 tasks in one call, wait, read
 * each, stop one. Returns the handles for the restart half.
 */
async function spawnWaitReadStop(client: Client): Promise<Record<string, string>> {
  const spawned = await callTool<Handles>(client, 'spawn', { tasks: FIVE_TASKS });
  const byId = Object.fromEntries(spawned.handles.map((task) => [task.id, task.handle]));
  expect(Object.keys(byId).sort()).toEqual(['a', 'b', 'c', 'd', 'slow']);
  const quick = ['a', 'b', 'c', 'd'].map((id) => byId[id] as string);

  // Progress while it blocks: one notification per finished task.
  const progress: string[] = [];
  const waited = await client.callTool({ name: 'wait', arguments: { handles: quick, mode: 'all' } }, { onprogress: (update) => progress.push(update.message ?? '') });
  const all = waited.structuredContent as unknown as WaitResult;
  expect(all.timedOut).toBe(false);
  expect(progress.some((message) => / done \((a|b|c) succeeded\)$/.test(message))).toBe(true);
  expect(all.done.map((entry) => entry.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
  for (const id of ['a', 'b', 'c', 'd']) {
    const output = await callTool<Output>(client, 'task_output', { handle: byId[id] });
    expect(output).toMatchObject({ status: 'succeeded', done: true, output: `result of ${id}` });
  }
  // The four started together in the detached process: their run times overlap.
  const report = await callTool<{ tasks: Array<{ id: string; startedAt: number; endedAt: number }> }>(client, 'run_report', { runId: spawned.runId });
  const quickTimes = report.tasks.filter((task) => task.id !== 'slow');
  expect(Math.max(...quickTimes.map((task) => task.startedAt))).toBeLessThan(Math.min(...quickTimes.map((task) => task.endedAt)));

  // The slow one is still running: a short wait on everything says so instead of failing.
  const partial = await callTool<WaitResult>(client, 'wait', { handles: Object.values(byId), mode: 'all', timeout_ms: 100 });
  expect(partial.timedOut).toBe(true);
  expect(partial.pending.map((entry) => entry.handle)).toEqual([byId.slow]);
  await callTool(client, 'task_stop', { handle: byId.slow });
  const stopped = await callTool<Output>(client, 'task_output', { handle: byId.slow, timeout_ms: 20_000 });
  expect(stopped).toMatchObject({ status: 'stopped', done: true });
  return byId;
}

/** After a restart: every handle still answers, with the same outputs. */
async function readAgain(client: Client, byId: Record<string, string>): Promise<void> {
  for (const id of ['a', 'b', 'c', 'd']) {
    expect(await callTool<Output>(client, 'task_output', { handle: byId[id], block: false })).toMatchObject({ status: 'succeeded', output: `result of ${id}` });
  }
  expect(await callTool<Output>(client, 'task_output', { handle: byId.slow, block: false })).toMatchObject({ status: 'stopped', done: true });
}

describe.concurrent('fanout mcp with the official MCP client', { timeout: 180_000 }, () => {
  it('stdio: spawn 5 in one call, wait, task_output each, stop one, restart, read again by handle', async () => {
    const { home } = scratch();
    const first = await connectStdio(cli, home);
    const byId = await spawnWaitReadStop(first.client);
    await first.client.close();
    const second = await connectStdio(cli, home);
    try {
      await readAgain(second.client, byId);
    } finally {
      await second.client.close();
    }
  });

  it('Streamable HTTP: the same, with the bearer token; no token or a wrong one gets 401', async () => {
    const { home } = scratch();
    const token = 'test-token-0123456789';
    const first = await startHttpServer(cli, home, token);
    try {
      for (const headers of [{}, { authorization: 'Bearer wrong' }] as Array<Record<string, string>>) {
        const response = await fetch(first.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
        expect(response.status).toBe(401);
      }
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const client = await connectHttp(first.url, token);
      await spawnWaitReadStop(client);
      await client.close();
    } finally {
      await stopProcess(first.child);
    }
    const second = await startHttpServer(cli, home, token);
    try {
      const client = await connectHttp(second.url, token);
      // Handles from before the restart are read by a new server on a new port.
      await readAgain(client, byIdFromStore(await callTool<{ tasks: Array<{ id: string; handle: string }> }>(client, 'task_list', {})));
      await client.close();
    } finally {
      await stopProcess(second.child);
    }
  });

  it('MCP Tasks (ext-tasks client): a task-augmented spawn is a task; tasks/get, tasks/cancel; plain tools on the same server', async () => {
    const { home } = scratch();
    const token = 'test-token-tasks';
    const { child, url } = await startHttpServer(cli, home, token);
    const client = new Client({ name: 'fanout-test', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
      expect(client.getProtocolEra()).toBe('modern');
      expect(client.getServerCapabilities()?.extensions).toHaveProperty([TASKS_EXTENSION]);
      const raw = rawHttpDispatch(url, token);
      const session = createTaskSessionFromClient(client, {
        endpointId: 'fanout',
        rawDispatch: raw as never,
        v2RequestFraming: { protocolVersion: '2026-07-28', clientInfo: { name: 'fanout-test', version: '1.0.0' }, clientCapabilities: {} },
      });
      try {
        const tasks = ['x', 'y'].map((id) => ({ id, prompt: `task ${id}`, sim: { latencyMs: 100, output: `${id} done` } }));
        const execution = await session.callTool('spawn', { tasks });
        const { outcome } = await execution.settle();
        const result = resultFromTaskOutcome(outcome) as unknown as { structuredContent: { runId: string; status: string; tasks: Output[] } };
        expect(result.structuredContent.runId).toMatch(/^run-/);
        expect(result.structuredContent.status).toBe('succeeded');
        expect(result.structuredContent.tasks.map((task) => task.output)).toEqual(['x done', 'y done']);
        // The same run through the plain tools: the MCP task id is the run id.
        const listed = await callTool<{ runId: string }>(client, 'task_list', { runId: result.structuredContent.runId });
        expect(listed.runId).toBe(result.structuredContent.runId);
      } finally {
        await session.close();
      }

      // tasks/cancel stops the run; tasks/get then says cancelled.
      const spawned = await raw({
        method: 'tools/call',
        params: {
          name: 'spawn',
          arguments: { tasks: [{ id: 'slow', prompt: 'slow', sim: { latencyMs: 60_000 } }] },
        },
      });
      expect(spawned).toMatchObject({ kind: 'result', result: { resultType: 'task', status: 'working' } });
      const taskId = (spawned as Extract<RawOutcome, { kind: 'result' }>).result.taskId as string;
      expect(await raw({ method: 'tasks/cancel', params: { taskId } })).toMatchObject({ kind: 'result' });
      const deadline = Date.now() + 20_000;
      let got: RawOutcome;
      do got = await raw({ method: 'tasks/get', params: { taskId } });
      while (got.kind === 'result' && got.result.status === 'working' && Date.now() < deadline);
      expect(got).toMatchObject({ kind: 'result', result: { status: 'cancelled', taskId } });
      expect(await raw({ method: 'tasks/get', params: { taskId: 'run-nosuchrun' } })).toMatchObject({
        kind: 'error',
        error: { code: -32602, message: expect.stringMatching(/^Failed to retrieve task: no run or task run-nosuchrun/) },
      });
    } finally {
      await client.close();
      await stopProcess(child);
    }
  });

  it('bad input: errors name the field; an unknown handle says so', async () => {
    const { home } = scratch();
    const { client } = await connectStdio(cli, home);
    try {
      const missingPrompt = await client.callTool({ name: 'spawn', arguments: { tasks: [{ id: 'a' }] } });
      expect(missingPrompt.isError).toBe(true);
      expect(JSON.stringify(missingPrompt.content)).toMatch(/tasks\.0\.prompt/);
      const badMode = await client.callTool({ name: 'wait', arguments: { handles: ['task-x'], mode: 'some' } });
      expect(JSON.stringify(badMode.content)).toMatch(/mode/);
      const unknown = await client.callTool({ name: 'task_output', arguments: { handle: 'task-doesnotexist' } });
      expect(unknown.isError).toBe(true);
      expect(JSON.stringify(unknown.content)).toMatch(/NOT_FOUND: no task task-doesnotexist/);
      const both = await client.callTool({ name: 'task_stop', arguments: {} });
      expect(JSON.stringify(both.content)).toMatch(/exactly one of handle and runId/);
    } finally {
      await client.close();
    }
  });

  it('stdio: stdout carries protocol messages only, logs go to stderr', async () => {
    const { home } = scratch();
    const child = spawn(process.execPath, [cli.entry, 'mcp'], { cwd: REPO_ROOT, env: cliEnv(home), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    const exited = new Promise((resolve) => child.on('close', resolve));
    const send = (message: Record<string, unknown>) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
    send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    send({ method: 'notifications/initialized' });
    send({ id: 2, method: 'tools/list' });
    send({ id: 3, method: 'tools/call', params: { name: 'task_output', arguments: { handle: 'task-none' } } });
    const deadline = Date.now() + 20_000;
    while (!stdout.includes('"id":3') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    child.stdin.end();
    await exited;
    const lines = stdout.trimEnd().split('\n');
    expect(lines.length).toBe(3);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
  });
});

function byIdFromStore(list: { tasks: Array<{ id: string; handle: string }> }): Record<string, string> {
  return Object.fromEntries(list.tasks.map((task) => [task.id, task.handle]));
}

import { describe, expect, it } from 'vitest';
import { scratch } from '../cli/test-support/cli-process.js';
import { useBuiltCli } from '../cli/test-support/e2e-setup.js';
import { callTool, connectStdio } from './test-support/mcp-clients.js';

// The MCP `resume` tool through the official client over stdio: a stopped run is continued in a
// detached process under the same handles; a live one is refused in one line.

const cli = useBuiltCli();

interface Handles {
  runId: string;
  handles: Array<{ id: string; handle: string; status?: string }>;
}

describe('MCP resume', { timeout: 120_000 }, () => {
  it('continues a stopped run under the same handles, its succeeded task kept; refuses a live run', async () => {
    const { home } = scratch();
    const { client } = await connectStdio(cli, home);
    try {
      const tasks = [
        { id: 'quick', prompt: 'quick one', sim: { output: 'quick result' } },
        { id: 'slow', prompt: 'slow one', sim: { latencyMs: 60_000 } },
      ];
      const spawned = await callTool<Handles>(client, 'spawn', { tasks });
      const byId = Object.fromEntries(spawned.handles.map((task) => [task.id, task.handle]));
      expect(await callTool(client, 'task_output', { handle: byId.quick })).toMatchObject({ status: 'succeeded' });
      await callTool(client, 'task_stop', { runId: spawned.runId });
      expect(await callTool(client, 'task_output', { handle: byId.slow, timeout_ms: 20_000 })).toMatchObject({ status: 'stopped', done: true });

      const resumed = await callTool<Handles>(client, 'resume', { runId: spawned.runId });
      expect(resumed.runId).toBe(spawned.runId);
      expect(resumed.handles.map(({ id, handle }) => ({ id, handle }))).toEqual(spawned.handles.map(({ id, handle }) => ({ id, handle })));
      expect(resumed.handles.find((task) => task.id === 'quick')?.status).toBe('succeeded');
      expect(['queued', 'running']).toContain(resumed.handles.find((task) => task.id === 'slow')?.status);

      const again = await client.callTool({ name: 'resume', arguments: { runId: spawned.runId } });
      expect(again.isError).toBe(true);
      const text = (again.content as Array<{ text: string }>)[0]?.text ?? '';
      expect(text).toMatch(new RegExp(`run ${spawned.runId} is still running: its process \\(pid \\d+\\) holds its lease`));
      expect(text).not.toMatch(/\n/);

      await callTool(client, 'task_stop', { runId: spawned.runId });
      expect(await callTool(client, 'task_output', { handle: byId.slow, timeout_ms: 20_000 })).toMatchObject({ status: 'stopped' });
    } finally {
      await client.close();
    }
  });
});

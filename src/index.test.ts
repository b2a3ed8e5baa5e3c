import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDefaultFanout, FanoutError, type Fanout, type FanoutEvent } from './index.js';

// The README's library example, through the public entry point, on the simulated model.
describe('public API', () => {
  let home: string;
  let fanout: Fanout;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'fanout-api-'));
    fanout = createDefaultFanout({ home, cwd: home, env: {} });
  });

  afterEach(async () => {
    await fanout.close();
    await rm(home, { recursive: true, force: true });
  });

  it('spawns, retrieves by handle, waits and reports', async () => {
    const events: FanoutEvent[] = [];
    fanout.on((event) => events.push(event));
    const { runId, handles } = fanout.spawn({
      tasks: [
        { id: 'security', role: 'security reviewer', prompt: 'Review src/auth.', sim: { latencyMs: 20, output: 'no issues' } },
        { id: 'tests', role: 'test engineer', prompt: 'List untested paths.', sim: { latencyMs: 20, output: 'none untested' } },
      ],
    });
    expect(handles.map((h) => h.id)).toEqual(['security', 'tests']);
    expect(new Set(handles.map((h) => h.handle)).size).toBe(2);

    const security = await fanout.output(handles[0]!.handle, { block: true });
    expect(security).toMatchObject({ status: 'succeeded', done: true, output: { text: 'no issues' } });

    const result = await fanout.wait(runId);
    expect(result.status).toBe('succeeded');
    expect(result.outputs.tests?.text).toBe('none untested');
    expect(result.synthesis?.text).toContain('security');
    expect(result.report.simulated).toBe(true);
    expect(result.report.speedup).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ type: 'run-end', runId, status: 'succeeded' });
  });

  it('rejects an invalid batch with one FanoutError and records nothing', () => {
    expect(() => fanout.spawn([{ id: 'a', prompt: 'x', dependsOn: ['missing'] }])).toThrow(FanoutError);
    expect(() => fanout.spawn([{ id: 'a', prompt: 'x', dependsOn: ['missing'] }])).toThrow(/missing/);
  });

  // Both wire formats end to end: `sim` goes through the Anthropic SDK, `sim:openai` through the OpenAI SDK.
  for (const model of ['sim', 'sim:openai']) {
    it(`plans, runs tools, validates structured output and synthesizes on ${model}`, async () => {
      const plan = await fanout.plan('Implement user authentication with login, registration, and password reset', { model });
      expect(plan.tasks).toHaveLength(5);

      const result = await fanout.run(
        {
          model,
          tasks: [
            {
              id: 'writer',
              prompt: 'Write a note.',
              writes: ['notes/**'],
              sim: { script: [{ tools: [{ name: 'write_file', input: { path: 'notes/a.md', content: 'hello' } }] }], output: 'wrote notes/a.md' },
            },
            {
              id: 'counter',
              prompt: 'Count.',
              outputFormat: { type: 'object', required: ['count'], properties: { count: { type: 'integer' } } },
              sim: { output: '{"count": 3}' },
            },
          ],
        },
      );
      expect(result.status).toBe('succeeded');
      expect(result.outputs.writer?.text).toBe('wrote notes/a.md');
      expect(result.outputs.counter?.json).toEqual({ count: 3 });
      expect(result.synthesis?.text).toContain('writer');
      expect(result.tasks.find((task) => task.taskId === 'writer')?.turns).toBe(2);
    });
  }
});

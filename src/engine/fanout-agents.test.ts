import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFanoutError } from '../contracts/errors.js';
import { textResponse, toolResponse } from '../models/scripted-model.js';
import type { TaskSpec } from '../contracts/plan.js';
import type { Harness, HarnessOptions } from './test-support/engine-harness.js';
import { useHarnesses } from './test-support/use-harnesses.js';

const merged = '## Result\nmerged\n## Disagreements\n- none';
const reviewerFile = [
  '---',
  'name: reviewer',
  'description: Reviews code.',
  'tools: Read, Grep',
  'model: scripted:reviewer',
  'maxTurns: 2',
  '---',
  'You are a meticulous code reviewer. Report each problem with file and line.',
  '',
].join('\n');

let cwd: string;
let home: string;

function writeAgent(root: string, file: string, text: string): void {
  mkdirSync(join(root, '.claude', 'agents'), { recursive: true });
  writeFileSync(join(root, '.claude', 'agents', file), text);
}

const review: TaskSpec = { id: 'review', description: 'Review the login', prompt: 'Review src/login.ts.', agent: 'reviewer' };

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'fanout-agents-cwd-'));
  home = mkdtempSync(join(tmpdir(), 'fanout-agents-home-'));
});

afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

// Registered after the removal above: vitest runs afterEach hooks last-first, so the harnesses close before their directories go.
const makeHarness = useHarnesses(merged);
const setup = (options: HarnessOptions = {}): Harness => makeHarness({ cwd, agentsHome: home, ...options });

describe('tasks with an agent definition', () => {
  it('use its prompt in place of the role sentence, its tools, its model and its maxTurns', async () => {
    writeAgent(cwd, 'reviewer.md', reviewerFile);
    const { fanout, model, store, eventsOf } = setup();
    const reviewer = model('scripted:reviewer', [
      toolResponse([{ name: 'write_file', input: { path: 'x', content: 'x' } }]),
      toolResponse([{ name: 'grep', input: { pattern: 'x' } }]),
      textResponse('never'),
    ]);
    const result = await fanout.run([review]);

    const system = reviewer.requests[0]?.system ?? '';
    expect(system.startsWith('You are a meticulous code reviewer. Report each problem with file and line.\n\nTask: Review the login\n')).toBe(true);
    expect(system).not.toContain('specialist for this specific task');
    expect(system).toContain('Tools and write scope:\nYou are read-only');
    expect(reviewer.requests[0]?.tools.map((tool) => tool.name)).toEqual(['read_file', 'grep']);
    expect(eventsOf('tool-call')).toEqual([
      expect.objectContaining({ tool: 'write_file', ok: false, detail: 'unknown tool "write_file"; available tools: read_file, grep' }),
    ]);
    expect(result.tasks[0]).toMatchObject({
      status: 'limit',
      error: 'maxTurns 2 reached (2 model calls) before a final answer',
      spec: { model: 'scripted:reviewer', maxTurns: 2, agent: 'reviewer' },
    });
    expect(store.getRun(result.runId)?.agents).toEqual({
      reviewer: {
        name: 'reviewer',
        source: join(cwd, '.claude', 'agents', 'reviewer.md'),
        systemPrompt: 'You are a meticulous code reviewer. Report each problem with file and line.',
        tools: ['read_file', 'grep'],
        model: 'scripted:reviewer',
        maxTurns: 2,
      },
    });
  });

  it("let the task's own model and maxTurns win, and find user definitions in the home directory", async () => {
    writeAgent(home, 'reviewer.md', reviewerFile);
    const { fanout, model } = setup();
    const own = model('scripted:own', [textResponse('reviewed')]);
    const result = await fanout.run([{ ...review, model: 'scripted:own', maxTurns: 7 }]);
    expect(own.requests).toHaveLength(1);
    expect(result.tasks[0]).toMatchObject({ status: 'succeeded', spec: { model: 'scripted:own', maxTurns: 7 } });
    expect(own.requests[0]?.system).toMatch(/^You are a meticulous code reviewer/);
  });

  it('keep every tool when the definition names none', async () => {
    writeAgent(cwd, 'helper.md', '---\nname: helper\ndescription: Helps.\n---\nYou help.\n');
    const { fanout, model } = setup();
    const helper = model('scripted:helper', [textResponse('helped')]);
    await fanout.run([{ id: 'h', prompt: 'Help.', agent: 'helper', model: 'scripted:helper' }]);
    expect(helper.requests[0]?.tools.map((tool) => tool.name)).toEqual(['read_file', 'write_file', 'edit_file', 'list_files', 'grep']);
  });

  it('run the prompt recorded at spawn when the run is started later, even if the file changed since', async () => {
    writeAgent(cwd, 'reviewer.md', reviewerFile);
    const preparer = setup();
    preparer.model('scripted:reviewer', []);
    const { runId } = preparer.fanout.prepare([review]);
    writeAgent(cwd, 'reviewer.md', reviewerFile.replace('meticulous', 'careless'));
    const executor = setup({ store: preparer.store, clock: preparer.clock });
    const reviewer = executor.model('scripted:reviewer', [textResponse('reviewed')]);
    executor.fanout.start(runId);
    const result = await executor.fanout.wait(runId);
    expect(result.status).toBe('succeeded');
    expect(reviewer.requests[0]?.system).toMatch(/^You are a meticulous code reviewer/);
  });

  it('run the definition read at check when a checked run is spawned, without reading the files again', async () => {
    writeAgent(cwd, 'reviewer.md', reviewerFile);
    const { fanout, model } = setup();
    const reviewer = model('scripted:reviewer', [textResponse('reviewed')]);
    const checked = await fanout.check([review]);
    writeAgent(cwd, 'reviewer.md', reviewerFile.replace('meticulous', 'careless'));
    writeAgent(cwd, 'broken.md', '---\nname: broken\n---\nNo description.\n');
    const result = await fanout.run(checked);
    expect(result.status).toBe('succeeded');
    expect(reviewer.requests[0]?.system).toMatch(/^You are a meticulous code reviewer/);
  });

  it('reject an unknown agent with one line naming the plan and the task, recording nothing', () => {
    writeAgent(cwd, 'reviewer.md', reviewerFile);
    const { fanout, store, events } = setup();
    let error: unknown;
    try {
      fanout.spawn([{ id: 'other', prompt: 'x', model: 'scripted:synthesis' }, { ...review, agent: 'auditor' }], {
        source: 'review.yaml',
      });
    } catch (thrown) {
      error = thrown;
    }
    expect(isFanoutError(error, 'PLAN_INVALID')).toBe(true);
    expect((error as Error).message).toBe(
      `review.yaml: tasks[1].agent: unknown agent "auditor" ` +
        `(looked in ${join(cwd, '.claude', 'agents')}, ${join(home, '.claude', 'agents')}; found: reviewer)`,
    );
    expect(store.listRuns()).toEqual([]);
    expect(events).toEqual([]);
  });

  it('reject a definition file with bad frontmatter, recording nothing', () => {
    writeAgent(cwd, 'reviewer.md', '---\nname: reviewer\n---\nNo description.\n');
    const { fanout, store } = setup();
    expect(() => fanout.spawn([review])).toThrowError(
      expect.objectContaining({ code: 'PLAN_INVALID', message: expect.stringContaining('frontmatter: description: required') }),
    );
    expect(store.listRuns()).toEqual([]);
  });
});

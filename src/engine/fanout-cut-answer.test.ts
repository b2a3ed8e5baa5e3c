import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModelResolver } from '../models/resolver.js';
import { MemoryRunStore } from '../store/memory-run-store.js';
import type { Fanout } from '../contracts/fanout.js';
import { createFanout } from './create-fanout.js';

let cwd: string;
let fanout: Fanout;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'fanout-cut-'));
  fanout = createFanout({ store: new MemoryRunStore(), models: createModelResolver({ env: {} }), cwd });
});

afterAll(async () => {
  await fanout.close();
  rmSync(cwd, { recursive: true, force: true });
});

describe('an answer cut short by a task token cap', () => {
  it.each(['sim', 'sim:openai'])('ends the task with limit and the reason, not succeeded (%s)', async (model) => {
    const result = await fanout.run({
      model,
      synthesis: false,
      tasks: [{ id: 'long', prompt: 'Write a long answer.', maxTokens: 300, sim: { output: 'word '.repeat(2000) } }],
    });
    expect(result.tasks[0]?.status).toBe('limit');
    expect(result.tasks[0]?.error).toMatch(/^maxTokens 300 reached \([\d,]+ tokens used\): the answer was cut short at 300 output tokens \(max_tokens\)$/);
    expect(result.tasks[0]?.outputTokens).toBe(300);
  });
});

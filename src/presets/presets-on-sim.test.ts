import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFanout } from '../engine/index.js';
import type { Fanout } from '../contracts/fanout.js';
import { createModelResolver } from '../models/resolver.js';
import { MemoryRunStore } from '../store/memory-run-store.js';
import { buildAnalyzePlan } from './analyze-preset.js';
import { mergeReviewFindings } from './merge-review-findings.js';
import { buildReviewPlan } from './review-preset.js';

// The presets' simulated answers, run for real: engine, agent loop and tools, simulated server over HTTP.
let cwd: string;
let fanout: Fanout;
const models = createModelResolver({ env: {} });

beforeAll(() => {
  cwd = mkdtempSync(path.join(tmpdir(), 'fanout-presets-sim-'));
  for (const dir of ['src/auth', 'src/api']) mkdirSync(path.join(cwd, dir), { recursive: true });
  writeFileSync(path.join(cwd, 'src/auth/login.test.ts'), 'test\n');
  writeFileSync(path.join(cwd, 'src/auth/login.ts'), 'export function login() {}\n');
  writeFileSync(path.join(cwd, 'src/api/routes.ts'), 'export const routes = [];\n');
  fanout = createFanout({ store: new MemoryRunStore(), models, cwd });
});

afterAll(async () => {
  await models.close();
  rmSync(cwd, { recursive: true, force: true });
});

describe('presets on the simulated model', () => {
  it('analyze: every analyst lists its directory, reads a file and answers', async () => {
    const result = await fanout.run(buildAnalyzePlan(['src/auth', 'src/api'], { cwd, model: 'sim' }));
    expect(result.status).toBe('succeeded');
    expect(result.tasks.map((task) => [task.taskId, task.status, task.turns])).toEqual([
      ['analyze-src-auth', 'succeeded', 3],
      ['analyze-src-api', 'succeeded', 3],
    ]);
    expect(result.outputs['analyze-src-auth']?.text).toContain('Read: src/auth/login.ts.');
  });

  it('review: every reviewer returns valid findings, and the merge removes the planted duplicate', async () => {
    const plan = buildReviewPlan(['src'], [], { cwd, model: 'sim' });
    const result = await fanout.run(plan);
    expect(result.status).toBe('succeeded');
    const merged = mergeReviewFindings(
      plan.tasks.map((task) => ({ perspective: task.id.replace('review-', ''), json: result.outputs[task.id]?.json })),
    );
    expect(merged.problems).toEqual([]);
    expect(merged.duplicatesRemoved).toBe(1);
    expect(merged.groups[0]?.findings[0]).toMatchObject({
      severity: 'high',
      file: 'src/api/routes.ts',
      perspectives: ['security', 'testing'],
    });
  });
});

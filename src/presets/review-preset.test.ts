import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFanoutError } from '../contracts/errors.js';
import { analyzePlan, compileJsonSchema, parsePlan } from '../plan/index.js';
import { mergeReviewFindings } from './merge-review-findings.js';
import { REVIEW_FINDINGS_SCHEMA } from './review-findings.js';
import { REVIEW_PERSPECTIVE_NAMES } from './review-perspectives.js';
import { buildReviewPlan, parsePerspectives } from './review-preset.js';

let cwd: string;

beforeAll(() => {
  cwd = mkdtempSync(path.join(tmpdir(), 'fanout-review-'));
  mkdirSync(path.join(cwd, 'src'));
  writeFileSync(path.join(cwd, 'src', 'server.ts'), 'export {};\n');
  writeFileSync(path.join(cwd, 'package.json'), '{}\n');
});

afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('parsePerspectives', () => {
  it('accepts names in any case, drops repeats, and defaults to all four', () => {
    expect(parsePerspectives([' Security', 'testing', 'security'])).toEqual(['security', 'testing']);
    expect(parsePerspectives([])).toEqual(['security', 'performance', 'testing', 'architecture']);
  });

  it('rejects an unknown perspective with one line listing the known ones', () => {
    let error: unknown;
    try {
      parsePerspectives(['security', 'style']);
    } catch (caught) {
      error = caught;
    }
    expect(isFanoutError(error, 'OPTION_INVALID')).toBe(true);
    expect((error as Error).message).toBe('unknown perspective "style" (expected: security, performance, testing, architecture)');
  });
});

describe('buildReviewPlan', () => {
  it('makes one read-only reviewer per perspective with its own role prompt and the findings schema', () => {
    const plan = buildReviewPlan(['src'], ['security', 'performance', 'testing', 'architecture'], { cwd, model: 'sim' });
    expect(plan.model).toBe('sim');
    expect(plan.tasks.map((task) => task.id)).toEqual(['review-security', 'review-performance', 'review-testing', 'review-architecture']);
    for (const task of plan.tasks) {
      expect(task.writes).toBeUndefined();
      expect(task.files).toEqual(['src/**']);
      expect(task.outputFormat).toBe(REVIEW_FINDINGS_SCHEMA);
    }
    const roles = new Set(plan.tasks.map((task) => task.role));
    const prompts = new Set(plan.tasks.map((task) => task.prompt));
    expect(roles.size).toBe(4);
    expect(prompts.size).toBe(4);
    expect(plan.tasks[0]?.focus?.[0]).toMatch(/injection/);
    expect(plan.tasks[1]?.focus?.join(' ')).toMatch(/event loop/);

    const dag = analyzePlan(parsePlan(plan, 'review'), { strict: true });
    expect(dag.levels).toHaveLength(1);
    // The merged review is the result: no LLM synthesis of JSON outputs.
    expect(plan.synthesis).toBe(false);
  });

  it('reviews the working directory when no path is given', () => {
    const plan = buildReviewPlan([], ['architecture'], { cwd });
    expect(plan.tasks[0]?.files).toEqual(['**']);
    expect(plan.tasks[0]?.sim?.script?.[0]?.tools).toEqual([{ name: 'read_file', input: { path: 'package.json' } }]);
  });

  it('rejects a path that does not exist', () => {
    expect(() => buildReviewPlan(['nope.ts'], [], { cwd })).toThrow(/^"nope\.ts" does not exist/);
  });

  it('gives simulated reviewers valid findings with one duplicate across security and testing', () => {
    const plan = buildReviewPlan(['src'], REVIEW_PERSPECTIVE_NAMES, { cwd });
    const validate = compileJsonSchema(REVIEW_FINDINGS_SCHEMA);
    const outputs = plan.tasks.map((task) => ({
      perspective: task.id.replace('review-', ''),
      json: JSON.parse(task.sim?.output ?? '') as unknown,
    }));
    for (const { json } of outputs) expect(validate(json)).toEqual([]);

    const merged = mergeReviewFindings(outputs);
    expect(merged.duplicatesRemoved).toBe(1);
    const shared = merged.findings.filter((finding) => finding.perspectives.length > 1);
    expect(shared).toEqual([
      expect.objectContaining({ severity: 'high', file: 'src/server.ts', line: 12, perspectives: ['security', 'testing'] }),
    ]);
  });
});

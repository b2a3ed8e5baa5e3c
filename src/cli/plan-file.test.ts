import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadPlanFile } from '../plan/index.js';
import type { Plan } from '../contracts/plan.js';
import { planYaml, writeNewFile } from './plan-file.js';

const plan: Plan = {
  tasks: [{ id: 'a', prompt: 'First line: with a colon.\n\nSecond paragraph.', writes: ['src/**'] }],
  name: 'n',
  maxTokens: 5000,
  budgetUsd: 0.5,
};

describe('planYaml', () => {
  it('writes a plan that loads back unchanged, with the caps before the tasks and where it came from on top', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-plan-file-'));
    const file = join(dir, 'plan.yaml');
    const text = planYaml(plan, 'Do  the\nthing', 'plan.yaml');
    writeFileSync(file, text);
    expect(loadPlanFile(file)).toEqual(plan);
    expect(text.split('\n')[0]).toBe('# Written by: fanout do "Do the thing" --plan-only plan.yaml');
    expect(Object.keys(parse(text) as object)).toEqual(['name', 'maxTokens', 'budgetUsd', 'tasks']);
    // Multi-line prompts stay readable: a literal block, not folded.
    expect(text).toContain('    prompt: |-\n      First line: with a colon.\n\n      Second paragraph.\n');
  });
});

describe('writeNewFile', () => {
  it('refuses to replace an existing file unless told to overwrite it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-plan-file-'));
    const file = join(dir, 'plan.yaml');
    writeNewFile(file, 'plan.yaml', 'one\n', false);
    expect(() => writeNewFile(file, 'plan.yaml', 'two\n', false)).toThrow('plan.yaml: the file already exists; add --force to overwrite it');
    expect(readFileSync(file, 'utf8')).toBe('one\n');
    writeNewFile(file, 'plan.yaml', 'three\n', true);
    expect(readFileSync(file, 'utf8')).toBe('three\n');
  });
  it('names the file and the reason when it cannot be written', () => {
    expect(() => writeNewFile('/nonexistent-dir/x/plan.yaml', 'x/plan.yaml', 'a', false)).toThrow(/^x\/plan\.yaml: cannot write the plan \(ENOENT\)$/);
  });
});

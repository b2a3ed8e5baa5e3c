import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkJsonSchema, compileJsonSchema } from './json-schema.js';
import { analyzePlan } from './independence.js';
import { parsePlan } from './load-plan.js';
import { planJsonSchema, planSchema, renderPlanJsonSchema } from './schema.js';

const repoFile = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('planSchema', () => {
  it('returns the plan unchanged: no defaults are filled in', () => {
    const plan = { tasks: [{ id: 'a', prompt: 'p' }] };
    expect(planSchema.parse(plan)).toEqual(plan);
  });

  it('reports a $schema ajv does not know as a plan problem instead of crashing', () => {
    const outputFormat = { $schema: 'https://example.com/unknown-meta-schema', type: 'object' };
    expect(() => parsePlan({ tasks: [{ id: 'a', prompt: 'p', outputFormat }] }, 'plan.yaml')).toThrow(
      expect.objectContaining({
        code: 'PLAN_INVALID',
        message: expect.stringMatching(/^plan\.yaml: tasks\[0\]\.outputFormat: not a valid JSON Schema: /),
      }),
    );
  });
});

describe('schema/plan.schema.json', () => {
  it('is up to date (regenerate with: node --import tsx scripts/write-plan-schema.ts)', () => {
    expect(repoFile('schema/plan.schema.json')).toBe(renderPlanJsonSchema());
  });

  it('is a valid JSON Schema that accepts plans and task lists and rejects unknown fields', () => {
    const schema = planJsonSchema();
    expect(checkJsonSchema(schema)).toBeUndefined();
    const validate = compileJsonSchema(schema);
    expect(validate({ tasks: [{ id: 'a', prompt: 'p', writes: ['src/**'] }] })).toEqual([]);
    expect(validate([{ id: 'a', prompt: 'p' }])).toEqual([]);
    expect(validate({ tasks: [{ id: 'a', prompt: 'p', colour: 'red' }] })).not.toEqual([]);
    expect(validate({ tasks: [{ id: 'a', prompt: 'p', timeoutMs: 'abc' }] })).not.toEqual([]);
    expect(validate({ tasks: [] })).not.toEqual([]);
  });
});

describe('docs/plan-format.md', () => {
  const yamlBlocks = [...repoFile('docs/plan-format.md').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

  it('has a full example that is a valid plan with five independent tasks', () => {
    const full = yamlBlocks.find((block) => block.includes('tasks:') && block.includes('integration-tests'));
    expect(full).toBeDefined();
    const plan = parsePlan(parse(full ?? ''), 'docs/plan-format.md');
    expect(plan.tasks).toHaveLength(5);
    expect(plan.tasks.every((task) => (task.writes ?? []).length > 0)).toBe(true);
    expect(analyzePlan(plan, { strict: true }).levels).toHaveLength(1);
  });

  it('matches the auth fixture used by the tests', () => {
    const fixture = readFileSync(new URL('./test-fixtures/auth-plan.yaml', import.meta.url), 'utf8');
    expect(yamlBlocks).toContain(fixture);
  });

  it('documents every plan and task field', () => {
    const docs = repoFile('docs/plan-format.md');
    const fields = [...Object.keys(planSchema.shape), ...Object.keys(planSchema.shape.tasks.element.shape)];
    for (const field of fields) expect(docs).toContain(`| \`${field}\``);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlanFile, normalizePlan, parsePlan } from './load-plan.js';

const fixture = (name: string) => fileURLToPath(new URL(`./test-fixtures/${name}`, import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'fanout-plan-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function invalid(message: string | RegExp, where?: string) {
  return expect.objectContaining({
    name: 'FanoutError',
    code: 'PLAN_INVALID',
    message: typeof message === 'string' ? message : expect.stringMatching(message),
    ...(where === undefined ? {} : { where }),
  });
}

describe('loadPlanFile', () => {
  it('loads a YAML plan, resolving anchors', () => {
    const plan = loadPlanFile(fixture('auth-plan.yaml'));
    expect(plan.name).toBe('user-authentication');
    expect(plan.tasks.map((task) => task.id)).toEqual([
      'login',
      'register',
      'password-reset',
      'middleware',
      'integration-tests',
    ]);
    expect(plan.tasks[1]?.context).toBe(plan.tasks[0]?.context);
    expect(plan.tasks[4]?.outputFormat).toMatchObject({ type: 'object', required: ['files', 'cases'] });
  });

  it('loads a JSON plan', () => {
    expect(loadPlanFile(fixture('plan.json'))).toEqual({
      name: 'from-json',
      concurrency: 2,
      synthesis: false,
      tasks: [{ id: 'only', prompt: 'do it', writes: ['out/**'] }],
    });
  });

  it('loads a bare list of tasks', () => {
    expect(loadPlanFile(fixture('task-list.yml'))).toEqual({
      tasks: [
        { id: 'a', prompt: 'first' },
        { id: 'b', prompt: 'second', dependsOn: ['a'] },
      ],
    });
  });

  it('reads other extensions as YAML (which also reads JSON)', () => {
    writeFileSync(join(scratch, 'plan.txt'), '{"tasks": [{"id": "a", "prompt": "p"}]}');
    writeFileSync(join(scratch, 'plan'), 'tasks:\n  - id: b\n    prompt: q\n');
    expect(loadPlanFile(join(scratch, 'plan.txt')).tasks[0]?.id).toBe('a');
    expect(loadPlanFile(join(scratch, 'plan')).tasks[0]?.id).toBe('b');
  });

  it('reports a YAML syntax error with line and column', () => {
    const path = fixture('syntax-error.yaml');
    expect(() => loadPlanFile(path)).toThrow(
      invalid(`${path}:5:1: YAML syntax error: Missing closing "quote`, `${path}:5:1`),
    );
  });

  it('reports a duplicate YAML key as a syntax error', () => {
    const path = join(scratch, 'plan.yaml');
    writeFileSync(path, 'tasks:\n  - id: a\n    prompt: x\n    id: b\n');
    expect(() => loadPlanFile(path)).toThrow(invalid(`${path}:4:5: YAML syntax error: Map keys must be unique`));
  });

  it('reports a JSON syntax error with line and column', () => {
    const path = fixture('syntax-error.json');
    expect(() => loadPlanFile(path)).toThrow(invalid(new RegExp(`^${escape(path)}:3:17: JSON syntax error: Expected`)));
  });

  it('reports a schema problem with its field path', () => {
    const path = fixture('bad-timeout.yaml');
    expect(() => loadPlanFile(path)).toThrow(
      invalid(`${path}: tasks[2].timeoutMs: expected a positive integer, got "abc"`, `${path}: tasks[2].timeoutMs`),
    );
  });

  it('names a missing file', () => {
    expect(() => loadPlanFile('no/such/plan.yaml')).toThrow(
      invalid('no/such/plan.yaml: cannot read plan file: file not found', 'no/such/plan.yaml'),
    );
  });

  it('rejects an empty file', () => {
    writeFileSync(join(scratch, 'empty.yaml'), '# nothing yet\n');
    expect(() => loadPlanFile(join(scratch, 'empty.yaml'))).toThrow(
      invalid(`${join(scratch, 'empty.yaml')}: the plan is empty (expected a plan with a tasks list)`),
    );
  });
});

describe('parsePlan', () => {
  const parse = (value: unknown) => () => parsePlan(value, 'plan.yaml');
  const withTask = (fields: object) => ({ tasks: [{ id: 'a', prompt: 'p', ...fields }] });
  const withPlan = (fields: object) => ({ ...fields, tasks: [{ id: 'a', prompt: 'p' }] });

  it('accepts a plan with every field', () => {
    const full = {
      name: 'all',
      concurrency: 4,
      model: 'sim',
      todoMode: 'sequential',
      synthesis: 'merge',
      maxTokens: 100_000,
      budgetUsd: 2.5,
      timeoutMs: 60_000,
      maxTurns: 20,
      tasks: [
        {
          id: 'a-1_x.y',
          description: 'A',
          role: 'security',
          prompt: 'p',
          context: 'c',
          files: ['src/**'],
          writes: ['out/**'],
          outputFormat: { type: 'object', required: ['ok'] },
          focus: ['f1', 'f2'],
          dependsOn: [],
          model: 'anthropic:claude-sonnet-4-5',
          timeoutMs: 1000,
          maxTurns: 3,
          maxTokens: 5000,
          budgetUsd: 0.25,
          agent: 'claude-code',
          sim: {
            latencyMs: 0,
            script: [{ text: 't', tools: [{ name: 'read_file', input: { path: 'a' } }] }, {}],
            output: 'done',
            fail: { status: 429, times: 2, retryAfterMs: 100 },
            outputTokens: 12,
          },
        },
      ],
    };
    expect(parsePlan(full, 'plan.yaml')).toEqual(full);
  });

  it('accepts synthesis: false and a text output format', () => {
    const plan = parsePlan({ synthesis: false, tasks: [{ id: 'a', prompt: 'p', outputFormat: 'a table' }] }, 's');
    expect(plan.synthesis).toBe(false);
    expect(plan.tasks[0]?.outputFormat).toBe('a table');
  });

  it.each([
    [{ tasks: [] }, 'plan.yaml: tasks: expected at least one task'],
    [{ name: 'x' }, 'plan.yaml: tasks: missing (a plan needs a list of tasks)'],
    [{ tasks: 'a' }, 'plan.yaml: tasks: expected a list of tasks, got "a"'],
    [{ tasks: [{ prompt: 'p' }] }, 'plan.yaml: tasks[0].id: missing (every task needs an id)'],
    [{ tasks: [{ id: 'a' }] }, 'plan.yaml: tasks[0].prompt: missing (every task needs a prompt)'],
    [{ tasks: [{ id: 'a', prompt: '  ' }] }, 'plan.yaml: tasks[0].prompt: expected a non-empty string, got "  "'],
    [{ tasks: [{ id: 'a b', prompt: 'p' }] }, 'plan.yaml: tasks[0].id: expected an id (letters, digits, -, _ or .), got "a b"'],
    [{ tasks: [{ id: 7, prompt: 'p' }] }, 'plan.yaml: tasks[0].id: expected an id (letters, digits, -, _ or .), got 7'],
    [{ tasks: ['a'] }, 'plan.yaml: tasks[0]: expected a task object, got "a"'],
    [withPlan({ concurrency: 0 }), 'plan.yaml: concurrency: expected a positive integer, got 0'],
    [withPlan({ concurrency: 1.5 }), 'plan.yaml: concurrency: expected a positive integer, got 1.5'],
    [withPlan({ model: '' }), 'plan.yaml: model: expected a non-empty string, got ""'],
    [withPlan({ todoMode: 'fast' }), 'plan.yaml: todoMode: expected "parallel" or "sequential", got "fast"'],
    [withPlan({ synthesis: true }), 'plan.yaml: synthesis: expected a string or false, got true'],
    [withPlan({ budgetUsd: -1 }), 'plan.yaml: budgetUsd: expected a positive number, got -1'],
    [withPlan({ maxTokens: '10' }), 'plan.yaml: maxTokens: expected a positive integer, got "10"'],
    [withPlan({ timeoutMs: 0 }), 'plan.yaml: timeoutMs: expected a positive integer, got 0'],
    [withPlan({ maxTurns: 0 }), 'plan.yaml: maxTurns: expected a positive integer, got 0'],
    [withTask({ description: 3 }), 'plan.yaml: tasks[0].description: expected a string, got 3'],
    [withTask({ role: ['x'] }), 'plan.yaml: tasks[0].role: expected a string, got a list'],
    [withTask({ context: { a: 1 } }), 'plan.yaml: tasks[0].context: expected a string, got an object'],
    [withTask({ files: 'src/**' }), 'plan.yaml: tasks[0].files: expected a list of globs, got "src/**"'],
    [withTask({ writes: [''] }), 'plan.yaml: tasks[0].writes[0]: expected a non-empty glob, got ""'],
    [withTask({ focus: [1] }), 'plan.yaml: tasks[0].focus[0]: expected a string, got 1'],
    [withTask({ dependsOn: 'b' }), 'plan.yaml: tasks[0].dependsOn: expected a list of task ids, got "b"'],
    [withTask({ model: 5 }), 'plan.yaml: tasks[0].model: expected a non-empty string, got 5'],
    [withTask({ timeoutMs: 'abc' }), 'plan.yaml: tasks[0].timeoutMs: expected a positive integer, got "abc"'],
    [withTask({ maxTurns: 0 }), 'plan.yaml: tasks[0].maxTurns: expected a positive integer, got 0'],
    [withTask({ maxTokens: 1.5 }), 'plan.yaml: tasks[0].maxTokens: expected a positive integer, got 1.5'],
    [withTask({ budgetUsd: 0 }), 'plan.yaml: tasks[0].budgetUsd: expected a positive number, got 0'],
    [withTask({ agent: 'my agent' }), 'plan.yaml: tasks[0].agent: expected an agent name (letters, digits, -, _ or .), got "my agent"'],
    [withTask({ outputFormat: 3 }), 'plan.yaml: tasks[0].outputFormat: expected a string or a JSON Schema object, got 3'],
    [withTask({ sim: 'fast' }), 'plan.yaml: tasks[0].sim: expected a sim options object, got "fast"'],
    [withTask({ sim: { latencyMs: -5 } }), 'plan.yaml: tasks[0].sim.latencyMs: expected a number ≥ 0, got -5'],
    [withTask({ sim: { script: {} } }), 'plan.yaml: tasks[0].sim.script: expected a list of script steps, got an object'],
    [withTask({ sim: { script: [{ tools: [{ name: 'x' }] }] } }), 'plan.yaml: tasks[0].sim.script[0].tools[0].input: missing (a tool call needs an input object)'],
    [withTask({ sim: { script: [{ tools: [{ name: 'x', input: [] }] }] } }), 'plan.yaml: tasks[0].sim.script[0].tools[0].input: expected an object of tool arguments, got an empty list'],
    [withTask({ sim: { output: 1 } }), 'plan.yaml: tasks[0].sim.output: expected a string, got 1'],
    [withTask({ sim: { fail: { status: 700, times: 1 } } }), 'plan.yaml: tasks[0].sim.fail.status: expected an HTTP status (100-599), got 700'],
    [withTask({ sim: { fail: { status: 500 } } }), 'plan.yaml: tasks[0].sim.fail.times: missing'],
    [withTask({ sim: { outputTokens: -1 } }), 'plan.yaml: tasks[0].sim.outputTokens: expected an integer ≥ 0, got -1'],
    [withTask({ sim: { kind: 'planner' } }), 'plan.yaml: tasks[0].sim.kind: set by the engine, not allowed in a plan'],
    [[], 'plan.yaml: expected at least one task'],
    [[{ id: 'a' }], 'plan.yaml: [0].prompt: missing (every task needs a prompt)'],
    [42, 'plan.yaml: expected a plan object (with a tasks list) or a list of tasks, got 42'],
    [null, 'plan.yaml: the plan is empty (expected a plan with a tasks list)'],
  ])('rejects %j', (value, message) => {
    expect(parse(value)).toThrow(invalid(message));
  });

  it('rejects an unknown field, listing the allowed ones', () => {
    expect(parse({ tasks: [{ id: 'a', prompt: 'p' }, { id: 'b', prompt: 'q', colour: 'red' }] })).toThrow(
      invalid(
        'plan.yaml: tasks[1].colour: unknown field (expected one of: id, description, role, prompt, context, files, ' +
          'writes, outputFormat, focus, dependsOn, model, timeoutMs, toolTimeoutMs, maxTurns, maxTokens, budgetUsd, agent, sim, tools, shell, isolation, command)',
        'plan.yaml: tasks[1].colour',
      ),
    );
    expect(parse({ tasks: [{ id: 'a', prompt: 'p' }], parallel: true })).toThrow(invalid(/^plan\.yaml: parallel: unknown field \(expected one of: name, concurrency,/));
    expect(parse({ tasks: [{ id: 'a', prompt: 'p', sim: { fail: { status: 500, times: 1, after: 2 } } }] })).toThrow(
      invalid('plan.yaml: tasks[0].sim.fail.after: unknown field (expected one of: status, times, retryAfterMs)'),
    );
  });

  it('rejects an outputFormat object that is not a JSON Schema', () => {
    expect(parse({ tasks: [{ id: 'a', prompt: 'p', outputFormat: { type: 'thing' } }] })).toThrow(
      invalid(/^plan\.yaml: tasks\[0\]\.outputFormat: not a valid JSON Schema: \/type must be/),
    );
  });

  it('lists up to three problems on one line and counts the rest', () => {
    const error = captureError(parse({ tasks: [{}, {}, { id: 'c', prompt: 'p', maxTurns: -1 }] }));
    expect(error.message).toBe(
      'plan.yaml: tasks[0].id: missing (every task needs an id); tasks[0].prompt: missing (every task needs a prompt); ' +
        'tasks[1].id: missing (every task needs an id) (and 2 more problems)',
    );
    expect(error.message).not.toContain('\n');
    expect(error.where).toBe('plan.yaml: tasks[0].id');
  });

  it('shortens long values in messages', () => {
    const error = captureError(parse({ name: 'x'.repeat(100) + 1, tasks: [{ id: 'a', prompt: 'p', timeoutMs: 'y'.repeat(100) }] }));
    expect(error.message).toBe(`plan.yaml: tasks[0].timeoutMs: expected a positive integer, got "${'y'.repeat(38)}…`);
  });
});

describe('normalizePlan', () => {
  it('turns a bare task list into a plan and validates it', () => {
    expect(normalizePlan([{ id: 'a', prompt: 'p' }], 'spawn')).toEqual({ tasks: [{ id: 'a', prompt: 'p' }] });
    expect(() => normalizePlan({ tasks: [{ id: 'a', prompt: '' }] }, 'spawn')).toThrow(
      invalid('spawn: tasks[0].prompt: expected a non-empty string, got ""'),
    );
  });
});

function captureError(run: () => unknown): { message: string; where?: string } {
  try {
    run();
  } catch (error) {
    return error as { message: string; where?: string };
  }
  throw new Error('expected an error');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

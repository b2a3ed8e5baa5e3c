import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model, ModelRequest, ModelResolver } from '../contracts/model.js';
import type { SimOptions } from '../contracts/sim-options.js';
import { priceLookup } from '../models/pricing.js';
import { createModelResolver } from '../models/resolver.js';
import { parsePlan } from '../plan/load-plan.js';
import { MemoryRunStore } from '../store/memory-run-store.js';
import { parse as parseYaml } from 'yaml';
import type { Fanout } from '../contracts/fanout.js';
import { createFanout } from './create-fanout.js';

/** Passes every call on to the real resolver's model, keeping the requests to read them afterwards. */
class RecordingResolver implements ModelResolver {
  readonly requests: ModelRequest[] = [];
  readonly #inner = createModelResolver({ env: {} });

  resolve(spec: string): Model {
    const model = this.#inner.resolve(spec);
    return {
      spec: model.spec,
      provider: model.provider,
      generate: (request) => {
        this.requests.push(request);
        return model.generate(request);
      },
    };
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

const schema = {
  type: 'object',
  properties: { files: { type: 'array', items: { type: 'string' } }, cases: { type: 'integer', minimum: 1 } },
  required: ['files', 'cases'],
  additionalProperties: false,
};

let cwd: string;
let models: RecordingResolver;
let fanout: Fanout;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'fanout-structured-'));
  models = new RecordingResolver();
  fanout = createFanout({ store: new MemoryRunStore(), models, cwd, pricing: priceLookup() });
});

afterAll(async () => {
  await fanout.close();
  rmSync(cwd, { recursive: true, force: true });
});

describe('structured outputs on the simulated model', () => {
  it('stores the validated JSON of a task and hands the parsed object to the synthesis', async () => {
    const result = await fanout.run({
      model: 'sim',
      tasks: [
        {
          id: 'tests',
          prompt: 'Write the tests and report them.',
          outputFormat: schema,
          // The first answer is not JSON: the task is asked once to repair it.
          sim: { script: [{ text: 'I wrote some tests.' }], output: 'Done:\n```json\n{"files": ["test/login.test.ts"], "cases": 3}\n```' },
        },
        { id: 'notes', prompt: 'Take notes.', sim: { output: 'Plain notes.' } },
      ],
    });

    expect(result.status).toBe('succeeded');
    expect(result.tasks[0]).toMatchObject({ status: 'succeeded', turns: 2 });
    expect(result.outputs.tests?.json).toEqual({ files: ['test/login.test.ts'], cases: 3 });
    expect(result.outputs.notes).not.toHaveProperty('json');

    const synthesisRequest = models.requests.find((request) => (request.providerOptions?.sim as SimOptions | undefined)?.kind === 'synthesis');
    const message = synthesisRequest?.messages[0]?.content[0];
    expect(message?.type === 'text' ? message.text : '').toBe(
      [
        '### tests — tests',
        '',
        '```json',
        JSON.stringify({ files: ['test/login.test.ts'], cases: 3 }, null, 2),
        '```',
        '',
        '### notes — notes',
        '',
        'Plain notes.',
      ].join('\n'),
    );
    // The simulated synthesis found both sections by their headings.
    expect(result.synthesis?.text).toContain('Combined 2 task outputs into one result (simulated).');
    expect(result.synthesis?.text).toContain('- **notes**: Plain notes.');
    expect(result.report.costUsd).toBe(0);
  });

  it('answers a JSON Schema outputFormat with valid JSON unscripted: the full example of docs/plan-format.md succeeds', async () => {
    const doc = readFileSync(new URL('../../docs/plan-format.md', import.meta.url), 'utf8');
    const yaml = /## A full example[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    const plan = parsePlan(parseYaml(yaml ?? ''), 'docs/plan-format.md');
    expect(plan.tasks.find((task) => task.id === 'integration-tests')?.sim).toBeUndefined();

    const result = await fanout.run(plan);

    expect(result.tasks.map((task) => task.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(result.status).toBe('succeeded');
    expect(result.outputs['integration-tests']?.json).toEqual({ files: ['(simulated) file'], cases: 1 });
  });
});

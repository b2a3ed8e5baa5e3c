import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { isFanoutError } from '../contracts/errors.js';
import { analyzePlan } from './independence.js';
import { loadPlanFile } from './load-plan.js';

/** `FANOUT_FUZZ_RUNS=10000 npx vitest run src/plan/plan-loader.fuzz.test.ts` is the long mode. */
const RUNS = Number(process.env['FANOUT_FUZZ_RUNS'] ?? 1000);
const dir = mkdtempSync(path.join(tmpdir(), 'fanout-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const id = fc.oneof(fc.constantFrom('a', 'b', 'c', '__proto__', 'constructor', 'x.y', ''), fc.string({ maxLength: 8 }));
const glob = fc.oneof(
  fc.constantFrom('src/**', '**', 'src/*.ts', '{a,b}/**', '{'.repeat(12) + 'a' + '}'.repeat(12), '../x', '/abs', '[a-', 'a/{1..300}'),
  fc.string({ maxLength: 20 }),
);
const schema = fc.oneof(
  fc.constant({ type: 'string', pattern: '^(a+)+$' }),
  fc.constant({ type: 'string', format: 'no-such-format' }),
  fc.constant({ type: 'string', pattern: '(?=x)' }),
  fc.jsonValue({ maxDepth: 3 }),
);
const task = fc.record(
  {
    id,
    prompt: fc.oneof(fc.constant('do it'), fc.string({ maxLength: 10 }), fc.integer()),
    writes: fc.array(glob, { maxLength: 3 }),
    files: fc.array(glob, { maxLength: 3 }),
    dependsOn: fc.array(id, { maxLength: 3 }),
    outputFormat: schema,
    timeoutMs: fc.oneof(fc.integer(), fc.double(), fc.string()),
    toolTimeoutMs: fc.integer(),
    extra: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: [] },
);
/** Plausible plans, plans with random parts, and arbitrary values. */
const planValue = fc.oneof(
  fc.record({ tasks: fc.array(task, { maxLength: 6 }) }, { requiredKeys: [] }),
  fc.array(task, { maxLength: 6 }),
  fc.jsonValue({ maxDepth: 4 }),
);
const planText = fc.oneof(
  planValue.map((value) => ({ name: 'plan.yaml', text: stringify(value) })),
  planValue.map((value) => ({ name: 'plan.json', text: JSON.stringify(value) ?? 'null' })),
  // Mutated text: a valid plan with characters cut or inserted anywhere.
  fc
    .tuple(planValue, fc.nat(), fc.string({ maxLength: 5 }), fc.boolean())
    .map(([value, at, insert, json]) => {
      const text = json ? JSON.stringify(value) ?? '' : stringify(value);
      const cut = at % (text.length + 1);
      return { name: json ? 'plan.json' : 'plan.yaml', text: text.slice(0, cut) + insert + text.slice(cut + insert.length) };
    }),
  fc.constantFrom(
    { name: 'plan.yaml', text: 'tasks: ' + '['.repeat(5000) + ']'.repeat(5000) },
    { name: 'plan.json', text: '{"tasks":' + '['.repeat(5000) + ']'.repeat(5000) + '}' },
    { name: 'plan.yaml', text: 'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ntasks: [{id: a, prompt: p}]\n' },
  ),
);

describe('the plan loader under random and mutated plans', () => {
  it(`accepts a plan or fails with one FanoutError line (exit 2), never a crash, each under 2 s of CPU (${RUNS} plans)`, { timeout: 600_000 }, () => {
    let slowest = 0;
    let file = 0;
    fc.assert(
      fc.property(planText, ({ name, text }) => {
        const location = path.join(dir, `${(file += 1)}-${name}`);
        writeFileSync(location, text);
        // CPU time, not wall time: what a hostile plan could do is pin the CPU, and
        // wall time on a shared 2-core machine measures the neighbours too.
        const started = process.cpuUsage();
        try {
          analyzePlan(loadPlanFile(location), { source: location });
        } catch (error) {
          if (!isFanoutError(error)) throw error;
          expect(error.message).not.toContain('\n');
          // The codes the CLI exits 2 on (cli/exit-codes.ts).
          expect(['PLAN_INVALID', 'PLAN_CONFLICT']).toContain(error.code);
        } finally {
          const spent = process.cpuUsage(started);
          slowest = Math.max(slowest, (spent.user + spent.system) / 1000);
        }
      }),
      { numRuns: RUNS, seed: process.env['FANOUT_FUZZ_SEED'] === undefined ? undefined : Number(process.env['FANOUT_FUZZ_SEED']) },
    );
    expect(slowest).toBeLessThan(2000);
  });
});

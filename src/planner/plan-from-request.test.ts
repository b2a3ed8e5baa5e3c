import { afterAll, describe, expect, it } from 'vitest';
import { FanoutError, isFanoutError } from '../contracts/errors.js';
import { createModelResolver } from '../models/resolver.js';
import { ScriptedModel, textResponse } from '../models/scripted-model.js';
import { analyzePlan } from '../plan/index.js';
import { planFromRequest } from './plan-from-request.js';
import { buildPlannerRequest } from './planner-prompt.js';

const validPlan = { name: 'ok', tasks: [{ id: 'only', prompt: 'do it', role: 'engineer' }] };
const fenced = (value: unknown): string => `Here is the plan.\n\n\`\`\`json\n${JSON.stringify(value)}\n\`\`\``;
const call = (model: ScriptedModel) => model.generate.bind(model);

function userText(message: { content: Array<{ type: string }> } | undefined): string {
  const block = message?.content[0];
  return block !== undefined && 'text' in block ? String(block.text) : '';
}

describe('buildPlannerRequest', () => {
  it('states the pattern rules and puts the request and context in tags', () => {
    const built = buildPlannerRequest('  Build a thing  ', { context: 'TypeScript monorepo', maxTasks: 5 });
    expect(built.providerOptions).toEqual({ sim: { kind: 'planner' } });
    expect(built.system).toMatch(/at most 5 tasks/);
    expect(built.system).toMatch(/Write scopes must be disjoint/);
    expect(built.system).toMatch(/"dependsOn"/);
    expect(built.system).toMatch(/"role"/);
    const text = userText(built.messages[0]);
    expect(text).toContain('<request>\nBuild a thing\n</request>');
    expect(text).toContain('<context>\nTypeScript monorepo\n</context>');
    expect(text).toContain('```json');
  });
});

describe('planFromRequest', () => {
  it('returns the plan of a valid first answer with one call, tagged for the simulated planner', async () => {
    const model = new ScriptedModel([textResponse(fenced(validPlan))]);
    await expect(planFromRequest('do it', call(model))).resolves.toEqual(validPlan);
    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]).toMatchObject({ tools: [], maxTokens: 8192, providerOptions: { sim: { kind: 'planner' } } });
  });

  it('accepts a bare JSON answer', async () => {
    const model = new ScriptedModel([textResponse(JSON.stringify(validPlan))]);
    await expect(planFromRequest('do it', call(model), { maxTokens: 100 })).resolves.toEqual(validPlan);
    expect(model.requests[0]?.maxTokens).toBe(100);
  });

  it('sends the problem back once and returns the repaired plan', async () => {
    const broken = { tasks: [{ id: 'a', prompt: 'x', dependsOn: ['a'] }] };
    const model = new ScriptedModel([textResponse(fenced(broken)), textResponse(fenced(validPlan))]);
    await expect(planFromRequest('do it', call(model))).resolves.toEqual(validPlan);
    const repair = model.requests[1];
    expect(repair?.messages).toHaveLength(3);
    expect(repair?.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'text', text: fenced(broken) }] });
    expect(userText(repair?.messages[2])).toMatch(/^That plan is not valid: planner: .*depends on itself/);
    expect(repair?.system).toBe(model.requests[0]?.system);
  });

  it('stops with PLAN_INVALID naming the last problem when the repair is invalid too', async () => {
    const model = new ScriptedModel([textResponse('no plan here'), textResponse(fenced({ tasks: [] }))]);
    const error = await planFromRequest('do it', call(model)).catch((caught: unknown) => caught);
    expect(isFanoutError(error, 'PLAN_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/^the planner's plan is invalid after one repair: planner: tasks: expected at least one task/);
    expect(model.requests).toHaveLength(2);
  });

  it('lets model errors through without a repair', async () => {
    const failure = new FanoutError('MODEL_ERROR', 'overloaded', { retryable: true, status: 529 });
    const model = new ScriptedModel([{ error: failure }]);
    await expect(planFromRequest('do it', call(model))).rejects.toBe(failure);
    expect(model.requests).toHaveLength(1);
  });
});

describe('planFromRequest on the simulated model', () => {
  const models = createModelResolver({ env: {} });
  afterAll(() => models.close());

  it('turns the demo request into the 5-task authentication plan of independent tasks', async () => {
    const model = models.resolve('sim');
    const plan = await planFromRequest(
      'Implement user authentication with login, registration, and password reset',
      (request) => model.generate(request),
    );
    expect(plan.tasks.map((task) => task.id)).toEqual([
      'login-endpoint',
      'registration-endpoint',
      'password-reset-endpoint',
      'auth-middleware',
      'integration-tests',
    ]);
    const dag = analyzePlan(plan, { strict: true });
    expect(dag.levels).toEqual([plan.tasks.map((task) => task.id)]);
  });
});

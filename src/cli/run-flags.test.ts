import { describe, expect, it } from 'vitest';
import type { Plan } from '../contracts/plan.js';
import { capOptionsFromFlags, spawnOptionsFromFlags, withCaps } from './run-flags.js';

describe('withCaps', () => {
  const plan: Plan = { maxTokens: 100, timeoutMs: 5, tasks: [{ id: 'a', prompt: 'x' }] };

  it("sets the plan's top-level caps from the flags, replacing the plan's own", () => {
    expect(withCaps(plan, { maxTokens: 2000, budget: 0.25, timeout: 60_000 })).toEqual({
      maxTokens: 2000,
      budgetUsd: 0.25,
      timeoutMs: 60_000,
      tasks: plan.tasks,
    });
  });
  it('leaves the plan as it is without cap flags, and does not change the given plan', () => {
    expect(withCaps(plan, {})).toEqual(plan);
    withCaps(plan, { maxTokens: 1 });
    expect(plan.maxTokens).toBe(100);
  });
});

describe('spawnOptionsFromFlags', () => {
  it('maps --model to a model override for every task, and passes concurrency and strict', () => {
    expect(spawnOptionsFromFlags({ model: 'sim', concurrency: 3, strict: true })).toEqual({ modelOverride: 'sim', concurrency: 3, strict: true });
    expect(spawnOptionsFromFlags({})).toEqual({});
  });
});

describe('capOptionsFromFlags', () => {
  it("maps the cap flags to the run's cap options, and nothing without them", () => {
    expect(capOptionsFromFlags({ maxTokens: 2000, budget: 0.25, timeout: 60_000 })).toEqual({ maxTokens: 2000, budgetUsd: 0.25, timeoutMs: 60_000 });
    expect(capOptionsFromFlags({})).toEqual({});
  });
});

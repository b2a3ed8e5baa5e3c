import { describe, expect, it } from 'vitest';
import { findPlannerRequest, planAnswer, simulatedPlan } from './sim-planner.js';

describe('simulatedPlan', () => {
  it('plans the five authentication tasks with disjoint write scopes', () => {
    const plan = simulatedPlan('Implement user authentication with login, registration, and password reset');
    expect(plan.tasks.map((task) => task.id)).toEqual([
      'login-endpoint',
      'registration-endpoint',
      'password-reset-endpoint',
      'auth-middleware',
      'integration-tests',
    ]);
    const writes = plan.tasks.flatMap((task) => task.writes ?? []);
    expect(new Set(writes).size).toBe(writes.length);
    expect(plan.tasks.every((task) => (task.writes ?? []).length > 0 && task.dependsOn === undefined && task.files === undefined)).toBe(true);
  });

  it('splits other requests on commas and " and ", one task each with unique ids', () => {
    const plan = simulatedPlan('Add a README, fix lint and fix lint.');
    expect(plan.tasks.map((task) => [task.id, task.description])).toEqual([
      ['add-a-readme', 'Add a README'],
      ['fix-lint', 'Fix lint'],
      ['fix-lint-2', 'Fix lint'],
    ]);
    expect(plan.tasks[0]!.prompt).toContain('Add a README, fix lint and fix lint.');
  });
});

describe('findPlannerRequest', () => {
  it('prefers a <request> tag, then a Request: line, then the whole prompt', () => {
    expect(findPlannerRequest('Plan this.\n<request>\n Do A and B \n</request>')).toBe('Do A and B');
    expect(findPlannerRequest('You plan work.\nRequest: Do C\n\nMore text')).toBe('Do C');
    expect(findPlannerRequest('  Do D  ')).toBe('Do D');
  });
});

describe('planAnswer', () => {
  it('puts the plan in a json fenced block that parses back to the plan', () => {
    const answer = planAnswer('Request: write docs and tests');
    const fenced = /```json\n([\s\S]*?)\n```/.exec(answer);
    expect(answer.split('\n')[0]).toContain('(simulated)');
    expect(JSON.parse(fenced![1]!)).toEqual(simulatedPlan('write docs and tests'));
  });
});

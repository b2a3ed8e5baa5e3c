import { describe, expect, it } from 'vitest';
import { analyzePlan } from '../plan/index.js';
import type { Plan } from '../contracts/plan.js';
import { planTaskLines, renderDoBanner, renderPlannedPlan } from './render-plan.js';

const plan: Plan = {
  name: 'auth',
  tasks: [
    { id: 'login', role: 'backend engineer', prompt: 'p', files: ['src/app.ts'], writes: ['src/auth/login.ts'] },
    { id: 'tests', role: 'test engineer', prompt: 'q', writes: ['tests/**'], dependsOn: ['login'] },
  ],
};

describe('planTaskLines', () => {
  it('shows each task with its role, read and write scopes, and what it waits for', () => {
    const [login, tests] = planTaskLines(plan);
    expect(login).toMatch(/^ {2}login\s+backend engineer\s+reads src\/app\.ts\s+writes src\/auth\/login\.ts$/);
    expect(tests).toMatch(/^ {2}tests\s+test engineer\s+reads -\s+writes tests\/\*\*\s+after login$/);
  });
});

describe('renderPlannedPlan', () => {
  it('names the plan and its size, then lists the tasks, then the DAG', () => {
    const text = renderPlannedPlan(plan, analyzePlan(plan)).join('\n');
    expect(text).toMatch(/^Plan "auth": 2 tasks, one subagent each\n {2}login/);
    expect(text).toContain('login → tests  dependency');
    expect(text).toContain('Critical path: login → tests (2 tasks)');
  });
});

describe('renderDoBanner', () => {
  it('labels the simulated model as the demo does and says how to use a real one', () => {
    const text = renderDoBanner({ request: 'Build it', model: 'sim', simulated: true }).join('\n');
    expect(text).toContain('SIMULATED model');
    expect(text).toContain('--model anthropic:claude-sonnet-5-5');
    expect(text).toContain('Request: "Build it"');
    expect(text).toContain('Planning with sim…');
  });
  it('names a real model without the label', () => {
    const text = renderDoBanner({ request: 'Build it', model: 'anthropic:claude-sonnet-5-5', simulated: false }).join('\n');
    expect(text).toContain('fanout do · model anthropic:claude-sonnet-5-5 (real)');
    expect(text).not.toContain('SIMULATED');
  });
});

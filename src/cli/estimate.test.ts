import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './program.js';
import { commandWorkspace as workspace } from './test-support/command-workspace.js';

// `fanout check` shows what a run would cost before anything is spent: per task and in all,
// priced from the price table, with its assumptions, and compared with the run's budget.

const PLAN = `name: priced
budgetUsd: 0.001
tasks:
  - id: short
    prompt: Say hi.
  - id: once
    prompt: Answer in one go.
    maxTurns: 1
`;

describe('the estimate before a run', () => {
  it('check prints tokens and cost per task and for the run, its assumptions, and a warning over the budget', async () => {
    const { file, io, home } = workspace();
    file('plan.yaml', PLAN);
    // One US dollar per million tokens of the simulated model, so the costs are not zero.
    mkdirSync(home);
    writeFileSync(join(home, 'prices.json'), '{"prices": {"sim": {"inputPerMTok": 1, "outputPerMTok": 1}}}');
    const check = io();
    expect(await runCli(['check', 'plan.yaml'], check)).toBe(0);
    const text = check.out();
    expect(text).toMatch(/\nEstimate: 2 tasks \+ synthesis ≈ \d+\.\dk tokens in \/ \d+\.\dk out, \$0\.0\d+ estimated\n/);
    expect(text).toMatch(/\n {2}short\s+sim\s+3\s+\S+\/2\.4k\s+\$0\.00\d+\n/);
    expect(text).toMatch(/\n {2}once\s+sim\s+1\s+\S+\/800\s+\$0\.00\d+\n/);
    expect(text).toMatch(/\n {2}\(synthesis\)\s+sim\s+1\s+/);
    expect(text).toContain('  Assumed: prompts counted at ~4 characters a token');
    expect(text).toMatch(/⚠ the estimate \(\$0\.0\d+\) is over the budget \(\$0\.0010\): the run will likely stop at the budget\n$/);
  });
});

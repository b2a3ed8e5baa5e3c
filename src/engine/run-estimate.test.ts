import { describe, expect, it } from 'vitest';
import type { Pricer } from '../contracts/pricing.js';
import { ESTIMATED_OUTPUT_PER_TURN, ESTIMATED_TURNS, estimateRun } from './run-estimate.js';

const perToken: Pricer = ({ inputTokens, outputTokens }) => inputTokens + 2 * outputTokens;

describe('estimateRun', () => {
  it('counts each prompt, takes turns from maxTurns or the default, and prices every task and the synthesis', () => {
    const plan = {
      model: 'm',
      tasks: [
        { id: 'short', prompt: 'Say hi.' },
        { id: 'long', prompt: 'Review this. '.repeat(2_000), maxTurns: 1 },
      ],
    };
    const estimate = estimateRun(plan, new Map([['m', perToken]]), { defaultModel: 'm', synthesizes: true });
    const [short, long] = estimate.tasks;
    expect(short).toMatchObject({ id: 'short', model: 'm', turns: ESTIMATED_TURNS, outputTokens: ESTIMATED_TURNS * ESTIMATED_OUTPUT_PER_TURN });
    expect(long).toMatchObject({ turns: 1, outputTokens: ESTIMATED_OUTPUT_PER_TURN });
    // 26,000 characters of prompt are 6,500 tokens, in the system prompt and the user message, sent once.
    expect(long!.inputTokens - 13_000).toBeGreaterThan(0);
    expect(long!.inputTokens - 13_000).toBeLessThan(short!.inputTokens);
    expect(short!.costUsd).toBe(short!.inputTokens + 2 * short!.outputTokens);
    expect(estimate.synthesis).toMatchObject({ model: 'm' });
    const parts = [short!, long!, estimate.synthesis!];
    expect(estimate.inputTokens).toBe(parts.reduce((sum, part) => sum + part.inputTokens, 0));
    expect(estimate.costUsd).toBe(parts.reduce((sum, part) => sum + (part.costUsd ?? 0), 0));
    expect(estimate.assumptions).toMatch(/^prompts counted at ~4 characters a token/);
  });

  it('applies token caps, leaves the cost out when a price is unknown, and has no synthesis when there is none', () => {
    const plan = { model: 'm', maxTokens: 5_000, synthesis: false as const, tasks: [{ id: 'a', prompt: 'x', maxTokens: 3_000 }, { id: 'b', prompt: 'y', model: 'unpriced' }] };
    const estimate = estimateRun(plan, new Map([['m', perToken], ['unpriced', undefined]]), { defaultModel: 'm', synthesizes: true });
    expect(estimate.tasks[0]!.inputTokens + estimate.tasks[0]!.outputTokens).toBe(3_000);
    expect(estimate.inputTokens + estimate.outputTokens).toBe(5_000);
    expect(estimate.tasks[1]).not.toHaveProperty('costUsd');
    expect(estimate).not.toHaveProperty('costUsd');
    expect(estimate).not.toHaveProperty('synthesis');
  });
});

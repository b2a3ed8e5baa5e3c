import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isFanoutError } from '../contracts/errors.js';
import { createPriceTable, estimateCostUsd, findModelPrice, loadPriceOverrides } from './pricing.js';

const dir = mkdtempSync(path.join(tmpdir(), 'fanout-pricing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('findModelPrice', () => {
  it.each([
    ['anthropic:claude-sonnet-4-5', 3, 15],
    ['anthropic:claude-sonnet-4-5-20250929', 3, 15],
    ['anthropic:claude-sonnet-4-20250514', 3, 15],
    ['anthropic:claude-opus-4-1-20250805', 15, 75],
    ['anthropic:claude-opus-4-5-20251101', 5, 25],
    ['anthropic:claude-haiku-4-5', 1, 5],
    ['anthropic:claude-sonnet-5-5', 2, 10],
    ['anthropic:claude-sonnet-5', 2, 10],
    ['anthropic:claude-opus-5-5', 4, 20],
    ['anthropic:claude-opus-5', 5, 25],
    ['anthropic:claude-opus-4-8', 5, 25],
    ['anthropic:claude-haiku-5-5', 0.1, 0.5],
    ['anthropic:claude-3-5-haiku-20241022', 0.8, 4],
    ['anthropic:claude-sonnet-4-5@20250929', 3, 15],
    ['openai:gpt-4o', 2.5, 10],
    ['openai:gpt-4o-mini', 0.15, 0.6],
    ['openai:gpt-4o-2024-08-06', 2.5, 10],
    ['openai:gpt-4.1-mini', 0.4, 1.6],
    ['openai:gpt-4.1', 2, 8],
    ['openai:o3', 2, 8],
    ['openai:o4-mini', 1.1, 4.4],
    ['sim', 0, 0],
  ])('prices %s at $%s / $%s per MTok', (spec, input, output) => {
    expect(findModelPrice(spec)).toEqual({ inputPerMTok: input, outputPerMTok: output });
  });

  it('only matches a prefix up to a separator', () => {
    // "gpt-4" must not price "gpt-4.5-preview", nor "o3" price "o30".
    expect(findModelPrice('openai:gpt-4.5-preview')).toBeUndefined();
    expect(findModelPrice('openai:o30')).toBeUndefined();
    expect(findModelPrice('openai:llama3.1:8b')).toBeUndefined();
  });

  it('prefers a spec key over a model-id key of the same model', () => {
    const table = createPriceTable({ 'openai:gpt-4o': { inputPerMTok: 9, outputPerMTok: 9 } });
    expect(findModelPrice('openai:gpt-4o-2024-08-06', table)).toEqual({ inputPerMTok: 9, outputPerMTok: 9 });
    expect(findModelPrice('openai:gpt-4o-mini', table)).toEqual({ inputPerMTok: 0.15, outputPerMTok: 0.6 });
  });
});

describe('estimateCostUsd', () => {
  it('multiplies tokens by the per-million prices', () => {
    expect(estimateCostUsd('anthropic:claude-sonnet-4-5', { inputTokens: 1_000_000, outputTokens: 200_000 })).toBeCloseTo(6, 10);
    expect(estimateCostUsd('openai:gpt-4o-mini', { inputTokens: 10_000, outputTokens: 1_000 })).toBeCloseTo(0.0021, 10);
  });

  it('is 0 for the simulated model and undefined for an unknown model', () => {
    expect(estimateCostUsd('sim', { inputTokens: 5_000, outputTokens: 5_000 })).toBe(0);
    expect(estimateCostUsd('openai:my-local-model', { inputTokens: 1, outputTokens: 1 })).toBeUndefined();
  });

  it('uses the given table', () => {
    const table = createPriceTable({ 'my-local-model': { inputPerMTok: 1, outputPerMTok: 2 } });
    expect(estimateCostUsd('openai:my-local-model', { inputTokens: 1_000_000, outputTokens: 1_000_000 }, table)).toBe(3);
  });
});

describe('createPriceTable', () => {
  it('lets an override replace a built-in entry and keeps the others', () => {
    const table = createPriceTable({ 'claude-sonnet-4': { inputPerMTok: 1, outputPerMTok: 1 } });
    expect(findModelPrice('anthropic:claude-sonnet-4-5', table)).toEqual({ inputPerMTok: 1, outputPerMTok: 1 });
    expect(findModelPrice('openai:gpt-4o', table)).toEqual({ inputPerMTok: 2.5, outputPerMTok: 10 });
  });
});

describe('loadPriceOverrides', () => {
  it('reads YAML', () => {
    const file = writeConfig('prices.yaml', 'prices:\n  openai:llama3:\n    inputPerMTok: 0\n    outputPerMTok: 0.5\n');
    expect(loadPriceOverrides(file)).toEqual({ 'openai:llama3': { inputPerMTok: 0, outputPerMTok: 0.5 } });
  });

  it('reads JSON and ignores other top-level sections', () => {
    const file = writeConfig('config.json', JSON.stringify({ other: 1, prices: { 'gpt-4o': { inputPerMTok: 2, outputPerMTok: 8 } } }));
    expect(loadPriceOverrides(file)).toEqual({ 'gpt-4o': { inputPerMTok: 2, outputPerMTok: 8 } });
  });

  it.each([
    ['a missing file', undefined, 'cannot read the price file (ENOENT)'],
    ['bad syntax', 'prices: [1,\n', 'not valid JSON or YAML:'],
    ['no prices', 'other: 1\n', 'prices: expected an object'],
    ['not an object', '- 1\n', '(root): expected an object with a "prices" map'],
    ['a missing field', 'prices:\n  gpt-4o:\n    inputPerMTok: 1\n', 'prices.gpt-4o.outputPerMTok: expected number'],
    ['a negative price', 'prices:\n  gpt-4o:\n    inputPerMTok: -1\n    outputPerMTok: 1\n', 'prices.gpt-4o.inputPerMTok: expected a number >= 0'],
    ['a string price', 'prices:\n  "gpt-4.1":\n    inputPerMTok: "2"\n    outputPerMTok: 1\n', 'prices."gpt-4.1".inputPerMTok: expected number'],
    ['an unknown field', 'prices:\n  gpt-4o:\n    inputPerMTok: 1\n    outputPerMTok: 1\n    cachedPerMTok: 1\n', 'prices.gpt-4o: unknown field "cachedPerMTok"'],
  ])('rejects %s with one line naming the file and the field', (label, text, expected) => {
    const file = text === undefined ? path.join(dir, 'missing.yaml') : writeConfig(`${label.replaceAll(' ', '-')}.yaml`, text);
    let error: unknown;
    try {
      loadPriceOverrides(file);
    } catch (caught) {
      error = caught;
    }
    expect(isFanoutError(error, 'OPTION_INVALID')).toBe(true);
    expect((error as Error).message).toContain(`${file}: ${expected}`);
    expect((error as Error).message).not.toContain('\n');
  });
});

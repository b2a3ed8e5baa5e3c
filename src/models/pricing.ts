import { z } from 'zod';
import { FanoutError } from '../contracts/errors.js';
import { readConfigFile } from './config-file.js';
import type { Usage } from '../contracts/model.js';
import type { PriceLookup } from '../contracts/pricing.js';

/** The price of one model, in US dollars per million tokens. */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
}

/**
 * Prices keyed by model id (`claude-sonnet-5-5`) or by full spec
 * (`openai:gpt-4o`). A key also prices every id it is a prefix of up to a
 * `-`, `@` or `:` (`claude-sonnet-4-5` prices `claude-sonnet-4-5-20250929`);
 * the longest matching key wins, and a spec key beats a model-id key.
 */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

const price = (inputPerMTok: number, outputPerMTok: number): ModelPrice => ({ inputPerMTok, outputPerMTok });

/**
 * Built-in list prices (standard tier, no caching or batch discounts), from
 * the providers' public price pages. Estimates only: a config file can
 * override any entry (see {@link loadPriceOverrides}).
 */
export const BUILT_IN_PRICES: PriceTable = {
  sim: price(0, 0),
  // Anthropic (platform.claude.com/docs/en/models/<model>/overview). Opus 4 and 4.1 kept the
  // old Opus price; Opus 4.5 to 5 cost a third of it, and Opus 5.5 less again.
  'claude-opus-5-5': price(4, 20),
  'claude-opus-5': price(5, 25),
  'claude-opus-4': price(15, 75),
  'claude-opus-4-5': price(5, 25),
  'claude-opus-4-6': price(5, 25),
  'claude-opus-4-7': price(5, 25),
  'claude-opus-4-8': price(5, 25),
  'claude-sonnet-5-5': price(2, 10),
  'claude-sonnet-5': price(2, 10),
  'claude-sonnet-4': price(3, 15),
  // Haiku 5.5 is priced by prompt size: this is the rate of prompts up to 100k tokens (above: $0.50 / $2.50).
  'claude-haiku-5-5': price(0.1, 0.5),
  'claude-haiku-4': price(1, 5),
  'claude-3-7-sonnet': price(3, 15),
  'claude-3-5-sonnet': price(3, 15),
  'claude-3-5-haiku': price(0.8, 4),
  'claude-3-opus': price(15, 75),
  'claude-3-haiku': price(0.25, 1.25),
  // OpenAI.
  'gpt-5': price(1.25, 10),
  'gpt-5-mini': price(0.25, 2),
  'gpt-5-nano': price(0.05, 0.4),
  'gpt-4.1': price(2, 8),
  'gpt-4.1-mini': price(0.4, 1.6),
  'gpt-4.1-nano': price(0.1, 0.4),
  'gpt-4o': price(2.5, 10),
  'gpt-4o-mini': price(0.15, 0.6),
  o1: price(15, 60),
  'o1-mini': price(1.1, 4.4),
  'o1-pro': price(150, 600),
  o3: price(2, 8),
  'o3-mini': price(1.1, 4.4),
  'o3-pro': price(20, 80),
  'o4-mini': price(1.1, 4.4),
};

/** The built-in prices with `overrides` on top (an override replaces the entry with the same key). */
export function createPriceTable(overrides: PriceTable = {}): PriceTable {
  return { ...BUILT_IN_PRICES, ...overrides };
}

/** The price of a model spec (`anthropic:claude-sonnet-4-5-20250929`, `sim`), or undefined when no key matches. */
export function findModelPrice(spec: string, table: PriceTable = BUILT_IN_PRICES): ModelPrice | undefined {
  const colon = spec.indexOf(':');
  const modelId = colon === -1 ? spec : spec.slice(colon + 1);
  let best: { score: number; price: ModelPrice } | undefined;
  for (const [key, entry] of Object.entries(table)) {
    // A spec key is matched against the whole spec, a model-id key against the id;
    // the score is how much of the model id the key pins down.
    const isSpecKey = key.includes(':') && colon !== -1;
    const target = isSpecKey ? spec : modelId;
    if (!prefixMatches(key, target)) continue;
    const score = isSpecKey ? key.length - colon - 1 + 0.5 : key.length;
    if (best === undefined || score > best.score) best = { score, price: entry };
  }
  return best?.price;
}

/**
 * Estimated cost in US dollars of `usage` on the model `spec`, or undefined
 * when the table has no price for it (reports then show "n/a").
 */
export function estimateCostUsd(spec: string, usage: Usage, table: PriceTable = BUILT_IN_PRICES): number | undefined {
  const entry = findModelPrice(spec, table);
  return entry === undefined ? undefined : costOf(entry, usage);
}

/**
 * The engine's price lookup over `table` (see FanoutOptions.pricing). The
 * table is searched once per spec: its pricer then prices every call
 * against the one entry found, which keeps the per-call cost constant.
 */
export function priceLookup(table: PriceTable = BUILT_IN_PRICES): PriceLookup {
  return (spec) => {
    const price = findModelPrice(spec, table);
    return price === undefined ? undefined : (usage) => costOf(price, usage);
  };
}

/** The cost in US dollars of `usage` at `price`. */
export function costOf(price: ModelPrice, usage: Usage): number {
  return (usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000;
}

const priceSchema = z.strictObject({
  inputPerMTok: z.number().nonnegative().finite(),
  outputPerMTok: z.number().nonnegative().finite(),
});

// Other top-level sections are allowed: the prices may live in a wider config file.
const configSchema = z.looseObject({ prices: z.record(z.string().min(1), priceSchema) });

/**
 * Reads price overrides from a JSON or YAML file of the form
 * `{ prices: { "<spec or model id>": { inputPerMTok, outputPerMTok } } }`.
 * Throws FanoutError `OPTION_INVALID` with one line naming the file and the
 * field path (`prices.gpt-4o.inputPerMTok`) when it cannot be used.
 */
export function loadPriceOverrides(file: string): PriceTable {
  const fail = (what: string, cause?: unknown): never => {
    throw new FanoutError('OPTION_INVALID', `${file}: ${what}`, { cause, where: file });
  };
  const value = readConfigFile(file, 'price file');
  const result = configSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const at = issue === undefined || issue.path.length === 0 ? '(root)' : issue.path.map(formatPathSegment).join('.');
    fail(`${at}: ${describeIssue(issue)}`);
  }
  return (result.data as { prices: Record<string, ModelPrice> }).prices;
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (issue === undefined) return 'invalid';
  switch (issue.code) {
    case 'invalid_type':
      return issue.path.length === 0
        ? 'expected an object with a "prices" map'
        : `expected ${issue.expected === 'record' ? 'an object' : issue.expected}`;
    case 'too_small':
      return 'expected a number >= 0';
    case 'unrecognized_keys':
      return `unknown field ${issue.keys.map((key) => `"${key}"`).join(', ')} (expected inputPerMTok, outputPerMTok)`;
    default:
      return issue.message;
  }
}

function formatPathSegment(segment: PropertyKey): string {
  const text = String(segment);
  return /^[\w-]+$/.test(text) ? text : JSON.stringify(text);
}

function prefixMatches(key: string, target: string): boolean {
  if (!target.startsWith(key)) return false;
  const next = target.charAt(key.length);
  return next === '' || next === '-' || next === '@' || next === ':';
}

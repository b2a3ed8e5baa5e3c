import type { Usage } from './model.js';

/** The estimated cost in USD of some usage of one model. */
export type Pricer = (usage: Usage) => number;

/**
 * The pricer of a model spec (`anthropic:claude-sonnet-5-5`, `sim`), or
 * undefined when its price is unknown. The engine asks once per model a run
 * uses and prices every call of that model with the answer. The composition
 * root supplies fanout's price table (src/models/pricing.ts).
 */
export type PriceLookup = (spec: string) => Pricer | undefined;

import { FanoutError } from '../contracts/errors.js';
import type { Model, ProviderOptions } from '../contracts/model.js';
import { SIM_PROVIDER, type SimOptions } from '../contracts/sim-options.js';
import type { Clock } from '../contracts/clock.js';
import type { ModelGates } from './model-gate.js';
import type { Pricer } from '../contracts/pricing.js';
import type { SynthesisResult, TaskOutput } from '../contracts/records.js';

/** Instructions used when the plan gives none. */
export const DEFAULT_SYNTHESIS_INSTRUCTIONS = 'Combine the subagent outputs into one unified result';

/** Upper bound of output tokens of the synthesis call. */
export const SYNTHESIS_MAX_TOKENS = 8192;

/** A user-supplied synthesizer: task outputs by task id in, the unified result out. */
export type Synthesizer = (outputs: Record<string, TaskOutput>) => Promise<string>;

/** One succeeded task, as the synthesis sees it. */
export interface SynthesisInput {
  id: string;
  description?: string;
  output: TaskOutput;
}

/** Tells the simulated model to answer with its deterministic synthesis. */
const SYNTHESIS_PROVIDER_OPTIONS: ProviderOptions = { [SIM_PROVIDER]: { kind: 'synthesis' } satisfies SimOptions };

/** The synthesis system prompt: the plan's instructions and the exact answer format. */
export function synthesisSystemPrompt(instructions: string | undefined): string {
  const what = (instructions ?? DEFAULT_SYNTHESIS_INSTRUCTIONS).trim();
  return [
    'You are a synthesis specialist. Several subagents worked on parts of one request; their outputs follow.',
    what,
    '',
    'Answer in exactly this format:',
    '## Result',
    '<the unified result>',
    '## Disagreements',
    '- <one bullet per disagreement between outputs, or "- none">',
  ].join('\n');
}

/**
 * The synthesis user message: one section per succeeded task under a
 * `### <id> — <description, or the id>` heading (always with the dash: the
 * simulated model, and any reader, finds the sections by it), JSON outputs
 * pretty-printed.
 */
export function synthesisUserMessage(inputs: readonly SynthesisInput[]): string {
  return inputs
    .map(({ id, description, output }) => {
      const heading = `### ${id} — ${description?.trim() || id}`;
      const body = output.json === undefined ? output.text : `\`\`\`json\n${JSON.stringify(output.json, null, 2)}\n\`\`\``;
      return `${heading}\n\n${body}`;
    })
    .join('\n\n');
}

const DISAGREEMENTS_HEADING = /^#{1,6}[ \t]*Disagreements[ \t]*:?[ \t]*$/im;
const RESULT_HEADING = /^\s*#{1,6}[ \t]*Result[ \t]*:?[ \t]*\n?/i;
const NONE = /^(none|no disagreements)\.?$/i;

/**
 * Splits a synthesis answer into the unified result and its disagreements
 * (bullets under `## Disagreements`; `- none` means there are none). An
 * answer without the headings is taken whole as the result.
 */
export function parseSynthesis(answer: string): { text: string; disagreements: string[] } {
  const heading = DISAGREEMENTS_HEADING.exec(answer);
  const resultPart = heading === null ? answer : answer.slice(0, heading.index);
  const text = resultPart.replace(RESULT_HEADING, '').trim();
  if (heading === null) return { text, disagreements: [] };
  const rest = answer.slice(heading.index + heading[0].length);
  const nextHeading = /^#{1,6}\s/m.exec(rest);
  const section = nextHeading === null ? rest : rest.slice(0, nextHeading.index);
  const disagreements = section
    .split('\n')
    .map((line) => /^\s*[-*]\s+(.*\S)\s*$/.exec(line)?.[1])
    .filter((item): item is string => item !== undefined && !NONE.test(item));
  return { text, disagreements };
}

/** What {@link synthesize} needs. */
export interface SynthesisOptions {
  inputs: readonly SynthesisInput[];
  /** The plan's `synthesis` instructions. */
  instructions?: string;
  model: Model;
  gates: ModelGates;
  clock: Clock;
  signal: AbortSignal;
  /** Replaces the model call when given. */
  synthesizer?: Synthesizer;
  /** Most output tokens of the call. @default SYNTHESIS_MAX_TOKENS */
  maxTokens?: number;
  /** Prices the call; absent when the model's price is unknown. */
  pricer?: Pricer;
}

/**
 * Merges the succeeded tasks' outputs into one result: one model call
 * through the provider gate (or the user's synthesizer), parsed into the
 * result and its disagreements. Throws on failure; outputs are untouched.
 */
export async function synthesize(options: SynthesisOptions): Promise<SynthesisResult> {
  const { clock, signal } = options;
  const started = clock.monotonic();
  if (options.synthesizer !== undefined) {
    const outputs = Object.fromEntries(options.inputs.map((input) => [input.id, input.output]));
    const answer = await options.synthesizer(outputs);
    return { ...parseSynthesis(answer), inputTokens: 0, outputTokens: 0, costUsd: 0, durationMs: clock.monotonic() - started };
  }
  const response = await options.gates.call(options.model, {
    system: synthesisSystemPrompt(options.instructions),
    messages: [{ role: 'user', content: [{ type: 'text', text: synthesisUserMessage(options.inputs) }] }],
    tools: [],
    maxTokens: options.maxTokens ?? SYNTHESIS_MAX_TOKENS,
    signal,
    providerOptions: SYNTHESIS_PROVIDER_OPTIONS,
  });
  const answer = response.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
  if (answer.trim() === '') throw new FanoutError('OUTPUT_INVALID', 'the synthesis model returned an empty answer');
  return {
    ...parseSynthesis(answer),
    inputTokens: response.usage.inputTokens,
    outputTokens: response.usage.outputTokens,
    ...(options.pricer === undefined ? {} : { costUsd: options.pricer(response.usage) }),
    durationMs: clock.monotonic() - started,
  };
}

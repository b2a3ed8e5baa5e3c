import { FanoutError } from '../contracts/errors.js';
import type { Model, ModelRequest, ModelResponse, TextBlock, ToolUseBlock } from '../contracts/model.js';

/** One scripted answer: a response, an error to throw, or a function of the request. */
export type ScriptedStep =
  | ModelResponse
  | { error: FanoutError }
  | ((request: ModelRequest) => ModelResponse | Promise<ModelResponse>);

/**
 * A Model that plays scripted answers in order and records every request.
 * For unit tests of code above the Model contract (agent loop, engine); it
 * fails loudly on a call nobody scripted. Provider behaviour is tested
 * against the simulated server, not with this.
 */
export class ScriptedModel implements Model {
  readonly spec: string;
  readonly provider: string;
  readonly requests: ModelRequest[] = [];
  private readonly steps: ScriptedStep[];

  constructor(steps: ScriptedStep[], options: { spec?: string; provider?: string } = {}) {
    this.steps = [...steps];
    this.spec = options.spec ?? 'scripted';
    this.provider = options.provider ?? 'scripted';
  }

  /** Number of scripted steps not played yet. */
  get remaining(): number {
    return this.steps.length;
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    this.requests.push(request);
    if (request.signal.aborted) throw new FanoutError('ABORTED', 'model call aborted');
    const step = this.steps.shift();
    if (step === undefined) {
      throw new FanoutError('INTERNAL', `ScriptedModel: unexpected call #${this.requests.length}, no step left`);
    }
    if (typeof step === 'function') return step(request);
    if ('error' in step) throw step.error;
    return step;
  }
}

/** A final text answer. */
export function textResponse(text: string, usage = { inputTokens: 10, outputTokens: 5 }): ModelResponse {
  const block: TextBlock = { type: 'text', text };
  return { content: [block], stopReason: 'end_turn', usage };
}

/** An answer that calls tools. */
export function toolResponse(
  calls: Array<{ name: string; input: Record<string, unknown>; id?: string }>,
  usage = { inputTokens: 10, outputTokens: 5 },
): ModelResponse {
  const content: ToolUseBlock[] = calls.map((call, index) => ({
    type: 'tool_use',
    id: call.id ?? `toolu_${index}`,
    name: call.name,
    input: call.input,
  }));
  return { content, stopReason: 'tool_use', usage };
}

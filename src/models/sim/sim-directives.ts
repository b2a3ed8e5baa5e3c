import { FanoutError } from '../../contracts/errors.js';
import type { SimOptions, SimStep } from '../../contracts/sim-options.js';

/** Name of the tag that carries {@link SimOptions} inside a prompt: `<fanout-sim>{json}</fanout-sim>`. */
export const SIM_DIRECTIVE_TAG = 'fanout-sim';

const OPEN = `<${SIM_DIRECTIVE_TAG}>`;
const CLOSE = `</${SIM_DIRECTIVE_TAG}>`;
const DIRECTIVE_PATTERN = new RegExp(`\\s*${OPEN}[\\s\\S]*?${CLOSE}\\s*`, 'g');

/**
 * Encodes options as a prompt directive the simulated server reads.
 * `<` is escaped inside the JSON so text such as `</fanout-sim>` in an
 * `output` cannot end the directive early; JSON parsing restores it.
 */
export function encodeSimDirective(options: SimOptions): string {
  return `${OPEN}${JSON.stringify(options).replace(/</g, '\\u003c')}${CLOSE}`;
}

const REQUEST_DIRECTIVES = new WeakMap<SimOptions, string>();
const NO_OPTIONS_DIRECTIVE = encodeSimDirective({ kind: 'task' });

/**
 * The directive a provider adds to a request to the simulated model: the
 * request's options, `kind` defaulting to `task`. Encoded once per options
 * object: an agent sends its task's options with every call, and encoding
 * them (a script of tool calls) was a measurable part of each call. So an
 * options object must not be changed once it has been sent.
 */
export function requestSimDirective(sim: SimOptions | undefined): string {
  if (sim === undefined) return NO_OPTIONS_DIRECTIVE;
  let directive = REQUEST_DIRECTIVES.get(sim);
  if (directive === undefined) {
    directive = encodeSimDirective({ ...sim, kind: sim.kind ?? 'task' });
    REQUEST_DIRECTIVES.set(sim, directive);
  }
  return directive;
}

/** A directive found in a text, and the text without any directive. */
export interface ExtractedDirective {
  /** The options of the first directive, or undefined when the text holds none. */
  options: SimOptions | undefined;
  /** The text with every directive removed and trimmed. */
  text: string;
}

/**
 * Reads the first `<fanout-sim>` directive of `text` and strips all of them.
 * Throws FanoutError `OPTION_INVALID` with status 400 when the directive is
 * not valid JSON or not valid {@link SimOptions}.
 */
export function extractSimDirective(text: string): ExtractedDirective {
  const start = text.indexOf(OPEN);
  if (start < 0) return { options: undefined, text };
  const end = text.indexOf(CLOSE, start + OPEN.length);
  if (end < 0) throw directiveError(`<${SIM_DIRECTIVE_TAG}> has no closing ${CLOSE}`);
  const json = text.slice(start + OPEN.length, end);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw directiveError(`invalid JSON (${(error as Error).message})`);
  }
  return { options: checkSimOptions(parsed), text: text.replace(DIRECTIVE_PATTERN, '\n').trim() };
}

/**
 * Checks a parsed directive against {@link SimOptions} and returns it typed.
 * Unknown keys are rejected so a typo (`latency` for `latencyMs`) is not silently ignored.
 */
export function checkSimOptions(value: unknown): SimOptions {
  const options = asObject(value, 'the directive');
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) throw directiveError(`unknown key "${key}"; expected one of ${[...KNOWN_KEYS].join(', ')}`);
  }
  const { kind, latencyMs, script, output, fail, outputTokens } = options;
  if (kind !== undefined && kind !== 'task' && kind !== 'synthesis' && kind !== 'planner' && kind !== 'resolver') {
    throw directiveError('kind must be "task", "synthesis", "planner" or "resolver"');
  }
  if (latencyMs !== undefined) checkCount(latencyMs, 'latencyMs');
  if (outputTokens !== undefined) checkCount(outputTokens, 'outputTokens');
  if (output !== undefined && typeof output !== 'string') throw directiveError('output must be a string');
  if (script !== undefined) {
    if (!Array.isArray(script)) throw directiveError('script must be an array of steps');
    script.forEach((step, index) => checkStep(step, `script[${index}]`));
  }
  if (fail !== undefined) {
    const { status, times, retryAfterMs } = asObject(fail, 'fail');
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
      throw directiveError('fail.status must be an HTTP error status (400-599)');
    }
    checkCount(times, 'fail.times');
    if (retryAfterMs !== undefined) checkCount(retryAfterMs, 'fail.retryAfterMs');
  }
  return options as SimOptions;
}

const KNOWN_KEYS = new Set(['kind', 'latencyMs', 'script', 'output', 'fail', 'outputTokens']);

function checkStep(value: unknown, where: string): asserts value is SimStep {
  const { text, tools } = asObject(value, where);
  if (text !== undefined && typeof text !== 'string') throw directiveError(`${where}.text must be a string`);
  if (tools !== undefined) {
    if (!Array.isArray(tools)) throw directiveError(`${where}.tools must be an array`);
    tools.forEach((tool, index) => {
      const { name, input } = asObject(tool, `${where}.tools[${index}]`);
      if (typeof name !== 'string' || name === '') throw directiveError(`${where}.tools[${index}].name must be a non-empty string`);
      asObject(input, `${where}.tools[${index}].input`);
    });
  }
  if ((text === undefined || text === '') && (tools === undefined || tools.length === 0)) {
    throw directiveError(`${where} needs a non-empty text or at least one tool call`);
  }
}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw directiveError(`${where} must be a JSON object`);
  return value as Record<string, unknown>;
}

function checkCount(value: unknown, where: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw directiveError(`${where} must be a non-negative integer`);
  }
}

function directiveError(message: string): FanoutError {
  return new FanoutError('OPTION_INVALID', `${SIM_DIRECTIVE_TAG} directive: ${message}`, { status: 400 });
}

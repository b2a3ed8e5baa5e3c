import { FanoutError } from '../../contracts/errors.js';
import type { SimConversation } from './sim-conversation.js';

// `{{result[N].path}}` in a scripted tool input, step text or `output` stands for
// a value from the result of the conversation's N-th tool call (0-based, in the
// order the calls were made), read as JSON: a client's ids that the script
// cannot know in advance (a task handle a tool returned) flow into the next
// call. See docs/simulated-model.md, "Referring to tool results".

const REF = /\{\{result\[(\d+)\]((?:\.[A-Za-z_$][\w$-]*|\[(?:\d+|\*)\])*)\}\}/g;
const MARK = '{{result[';

/**
 * `value` with every result reference replaced: a string that is one
 * reference becomes the referenced value itself (an array, a number...);
 * references inside a longer string become text (JSON for non-strings).
 * Throws FanoutError `OPTION_INVALID` (status 400) naming the reference
 * when the call has no result yet or the path does not exist.
 */
export function fillResultRefs<T>(value: T, conversation: SimConversation): T {
  if (typeof value === 'string') return (value.includes(MARK) ? fillString(value, conversation) : value) as T;
  if (Array.isArray(value)) return value.map((item) => fillResultRefs(item, conversation)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillResultRefs(item, conversation)])) as T;
  }
  return value;
}

function fillString(text: string, conversation: SimConversation): unknown {
  const whole = new RegExp(`^${REF.source}$`).exec(text);
  if (whole !== null) return resolveRef(whole[0], Number(whole[1]), whole[2] ?? '', conversation);
  return text.replace(REF, (ref, index: string, path: string) => {
    const found = resolveRef(ref, Number(index), path, conversation);
    return typeof found === 'string' ? found : JSON.stringify(found);
  });
}

function resolveRef(ref: string, index: number, path: string, conversation: SimConversation): unknown {
  const call = conversation.toolCalls[index];
  const result = call === undefined ? undefined : conversation.toolResults.get(call.id);
  if (result === undefined) {
    throw refError(ref, `no result for call ${index} yet (the conversation has ${conversation.toolCalls.length} tool calls)`);
  }
  if (path === '') return result.content;
  let root: unknown;
  try {
    root = JSON.parse(result.content);
  } catch {
    throw refError(ref, `the result of call ${index} (${call?.name}) is not JSON`);
  }
  return walk(root, path.match(/\.[^.[]+|\[[^\]]+\]/g) ?? [], ref);
}

function walk(value: unknown, steps: readonly string[], ref: string): unknown {
  const [step, ...rest] = steps;
  if (step === undefined) return value;
  if (step === '[*]') {
    if (!Array.isArray(value)) throw refError(ref, '[*] needs an array');
    return value.map((item) => walk(item, rest, ref));
  }
  const key = step.startsWith('.') ? step.slice(1) : step.slice(1, -1);
  const next = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  if (next === undefined) throw refError(ref, `the result has no ${step}`);
  return walk(next, rest, ref);
}

function refError(ref: string, reason: string): FanoutError {
  return new FanoutError('OPTION_INVALID', `fanout-sim directive: ${ref}: ${reason}`, { status: 400 });
}

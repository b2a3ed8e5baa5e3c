import { FanoutError } from '../contracts/errors.js';
import { compileJsonSchema } from '../plan/json-schema.js';
import type { JsonSchema } from '../contracts/plan.js';

/** The outcome of checking a final answer against its JSON Schema. */
export type OutputCheck = { ok: true; value: unknown } | { ok: false; errors: string[] };

/**
 * Compiles `schema` into a checker of final answers: it extracts the JSON
 * (see {@link extractJson}) and validates it. Throws FanoutError
 * `OPTION_INVALID` when the schema itself does not compile.
 */
export function compileOutputCheck(schema: JsonSchema): (text: string) => OutputCheck {
  let validate: (value: unknown) => string[];
  try {
    validate = compileJsonSchema(schema);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FanoutError('OPTION_INVALID', `outputSchema is not a usable JSON Schema: ${reason}`, { cause: error });
  }
  return (text) => {
    const extracted = extractJson(text);
    if (!extracted.ok) return { ok: false, errors: [extracted.error] };
    const errors = validate(extracted.value);
    return errors.length === 0 ? { ok: true, value: extracted.value } : { ok: false, errors };
  };
}

/**
 * The JSON in a model's answer: the whole text, or else the first fenced
 * block that parses (```json blocks before untagged ``` ones).
 */
export function extractJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const whole = text.trim();
  if (whole === '') return { ok: false, error: 'the answer is empty; expected JSON' };
  const fenced = [...whole.matchAll(/```([^\n`]*)\n([\s\S]*?)```/g)]
    .map((match) => ({ info: (match[1] ?? '').trim().toLowerCase(), body: match[2] ?? '' }))
    .filter((block) => block.info === 'json' || block.info === '');
  const candidates = [
    whole,
    ...fenced.filter((block) => block.info === 'json').map((block) => block.body),
    ...fenced.filter((block) => block.info === '').map((block) => block.body),
  ];
  const parseErrors: string[] = [];
  for (const candidate of candidates) {
    try {
      return { ok: true, value: JSON.parse(candidate) };
    } catch (error) {
      // V8 quotes the start of the text, newlines included; the message must stay one line.
      parseErrors.push((error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' '));
    }
  }
  // With a fenced block, its parse error says more than the one of the whole prose answer.
  const reason = parseErrors[candidates.length > 1 ? 1 : 0];
  return {
    ok: false,
    error: `the answer is not JSON (${reason}); expected the whole answer, or a \`\`\`json block, to be JSON`,
  };
}

/** The user message of the one repair attempt after an invalid answer. */
export function repairRequest(errors: readonly string[], schema: JsonSchema): string {
  return [
    `Your answer does not match the required JSON Schema: ${errors.join('; ')}.`,
    `The schema is: ${JSON.stringify(schema)}`,
    'Reply with only the corrected JSON, no other text.',
  ].join('\n');
}

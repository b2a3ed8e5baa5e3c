import { Ajv, type ErrorObject, type Options } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { fastFormats } from 'ajv-formats/dist/formats.js';
import type { JsonSchema } from '../contracts/plan.js';
import { compileLinearRegex } from './linear-regex.js';

/**
 * `pattern` and `patternProperties` run in RE2 (linear time): a schema's
 * pattern comes from a plan or a model and is tested against a model's
 * output, so a backtracking pattern such as `^(a+)+$` must not pin the
 * event loop. `code` names the engine for ajv's standalone code, never used.
 */
const linearRegExp = Object.assign((pattern: string) => compileLinearRegex(pattern), { code: 'compileLinearRegex' });

// Shared instances: compiling is the expensive part and schemas are few.
// Draft 2020-12 needs its own Ajv class; every other schema goes to the default (draft-07).
// Formats: the standard ones are checked (ajv-formats' "fast" set); an unknown format is
// what JSON Schema says it is, an annotation, and is ignored without ajv's console warning.
const options: Options = {
  allErrors: true,
  strict: false,
  validateSchema: true,
  code: { regExp: linearRegExp },
  formats: fastFormats,
  // A library does not print; every problem ajv finds is returned or thrown.
  logger: false,
};
const ajvDefault = new Ajv(options);
const ajv2020 = new Ajv2020(options);

function ajvFor(schema: object): Ajv {
  const dialect = (schema as { $schema?: unknown }).$schema;
  return typeof dialect === 'string' && dialect.includes('2020-12') ? ajv2020 : ajvDefault;
}

// Ajv ignores unknown keywords (strict: false, so user schemas with `title`-like extras work),
// which would make any object a "schema" that accepts everything. A schema must constrain something,
// except `{}`, which deliberately means "any JSON value".
const CONSTRAINING_KEYWORDS = new Set([
  'type', 'properties', 'required', 'items', 'prefixItems', 'enum', 'const', '$ref', '$dynamicRef',
  'anyOf', 'oneOf', 'allOf', 'not', 'if', 'additionalProperties', 'patternProperties', 'minimum',
  'maximum', 'minLength', 'maxLength', 'pattern', 'format', 'minItems', 'maxItems', 'contains',
]);

/**
 * Checks that `schema` is a usable JSON Schema. Returns a one-line problem
 * description, or `undefined` when it is fine.
 */
export function checkJsonSchema(schema: unknown): string | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    return 'expected a JSON Schema object';
  }
  const keys = Object.keys(schema);
  if (keys.length > 0 && !keys.some((key) => CONSTRAINING_KEYWORDS.has(key))) {
    return `not a JSON Schema: it has none of the keywords that constrain a value (expected e.g. "type", "properties", "enum", "$ref")`;
  }
  const ajv = ajvFor(schema);
  try {
    const valid = ajv.validateSchema(schema as JsonSchema);
    if (!valid) return `not a valid JSON Schema: ${describeErrors(ajv.errors)}`;
    ajv.compile(schema as JsonSchema);
  } catch (error) {
    return `not a valid JSON Schema: ${error instanceof Error ? error.message : String(error)}`;
  }
  return undefined;
}

/**
 * Compiles a JSON Schema into a validator that returns the problems found in
 * a value, one line each (empty when the value is valid).
 */
export function compileJsonSchema(schema: JsonSchema): (value: unknown) => string[] {
  const validate = ajvFor(schema).compile(schema);
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map(formatError));
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map(formatError).join('; ') || 'unknown problem';
}

function formatError(error: ErrorObject): string {
  const at = error.instancePath === '' ? '(root)' : error.instancePath;
  return `${at} ${error.message ?? 'is invalid'}`;
}

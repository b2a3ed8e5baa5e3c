import { Ajv, type ErrorObject } from 'ajv';
import type { JsonSchema } from './types.js';

// One shared instance: compiling is the expensive part and schemas are few.
const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: true });

/**
 * Checks that `schema` is a usable JSON Schema. Returns a one-line problem
 * description, or `undefined` when it is fine.
 */
export function checkJsonSchema(schema: unknown): string | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    return 'expected a JSON Schema object';
  }
  const valid = ajv.validateSchema(schema as JsonSchema);
  if (!valid) return `not a valid JSON Schema: ${describeErrors(ajv.errors)}`;
  try {
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
  const validate = ajv.compile(schema);
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map(formatError));
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map(formatError).join('; ') || 'unknown problem';
}

function formatError(error: ErrorObject): string {
  const at = error.instancePath === '' ? '(root)' : error.instancePath;
  return `${at} ${error.message ?? 'is invalid'}`;
}

import { readFileSync } from 'node:fs';
import type { JsonSchema } from '../contracts/plan.js';

// Read, not generated: generating it costs ~15 ms of zod at import. The path is
// the same from src/plan/ and dist/plan/, both two levels below the package root.
/**
 * The JSON Schema (draft-07) of plan files, as plain data: the text of
 * `schema/plan.schema.json`, which ships in the package and is generated
 * from the plan schema (scripts/write-plan-schema.ts). For editors and
 * other tools that validate plans; checks that need code (unique ids,
 * globs, JSON Schema validity of `outputFormat`) are not in it, so
 * `parsePlan` remains the authority.
 */
export const PLAN_JSON_SCHEMA: JsonSchema = JSON.parse(
  readFileSync(new URL('../../schema/plan.schema.json', import.meta.url), 'utf8'),
) as JsonSchema;

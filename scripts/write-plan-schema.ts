/**
 * Writes schema/plan.schema.json from the zod plan schema, so editors can
 * validate and complete plan files. Run after changing src/plan/schema.ts:
 *   node --import tsx scripts/write-plan-schema.ts
 * src/plan/schema.test.ts fails while the committed file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderPlanJsonSchema } from '../src/plan/schema.js';

const target = fileURLToPath(new URL('../schema/plan.schema.json', import.meta.url));
writeFileSync(target, renderPlanJsonSchema());
process.stdout.write(`wrote ${target}\n`);

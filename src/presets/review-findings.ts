import type { JsonSchema } from '../contracts/plan.js';

/** How bad a finding is, worst first. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

/** How bad a finding is: `critical`, `high`, `medium`, `low` or `info`. */
export type Severity = (typeof SEVERITIES)[number];

/** One problem a reviewer found. */
export interface ReviewFinding {
  severity: Severity;
  title: string;
  /** Path relative to the working directory. */
  file?: string;
  /** 1-based line in `file`. */
  line?: number;
  detail: string;
  recommendation?: string;
}

/** The output of one reviewer task. */
export interface ReviewFindings {
  findings: ReviewFinding[];
}

/** The JSON Schema every reviewer's output must satisfy (its task's `outputFormat`). */
export const REVIEW_FINDINGS_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Review findings',
  type: 'object',
  required: ['findings'],
  properties: {
    findings: {
      type: 'array',
      description: 'Every problem found; an empty list when there is none.',
      items: {
        type: 'object',
        required: ['severity', 'title', 'detail'],
        properties: {
          severity: {
            enum: [...SEVERITIES],
            description:
              'critical: exploitable or data loss; high: likely bug or serious risk; medium: should fix; low: minor; info: note.',
          },
          title: { type: 'string', minLength: 1, description: 'One line naming the problem.' },
          file: { type: 'string', description: 'Path relative to the working directory.' },
          line: { type: 'integer', minimum: 1, description: '1-based line where the problem is.' },
          detail: { type: 'string', description: 'What is wrong and why it matters.' },
          recommendation: { type: 'string', description: 'How to fix it.' },
        },
      },
    },
  },
};

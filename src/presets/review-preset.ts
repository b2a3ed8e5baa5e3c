import { FanoutError } from '../contracts/errors.js';
import type { SimOptions } from '../contracts/sim-options.js';
import type { Plan, TaskSpec } from '../contracts/plan.js';
import { presetPlanFields, type PresetOptions } from './preset-options.js';
import { listPresetFiles, resolvePresetPaths, sampleFile } from './preset-paths.js';
import { REVIEW_FINDINGS_SCHEMA, type ReviewFinding } from './review-findings.js';
import { REVIEW_PERSPECTIVE_NAMES, REVIEW_PERSPECTIVES, type ReviewPerspectiveName } from './review-perspectives.js';

// Files looked at to pick the one simulated reviewers report on.
const SIM_FILE_LIMIT = 50;

/**
 * Checks perspective names (case-insensitive, duplicates dropped) against the
 * built-in ones; an empty list means all of them. Throws FanoutError
 * `OPTION_INVALID` on an unknown name.
 */
export function parsePerspectives(perspectives: readonly string[]): ReviewPerspectiveName[] {
  const names = perspectives.map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
  if (names.length === 0) return [...REVIEW_PERSPECTIVE_NAMES];
  const result: ReviewPerspectiveName[] = [];
  for (const name of names) {
    if (!isPerspectiveName(name)) {
      throw new FanoutError(
        'OPTION_INVALID',
        `unknown perspective "${name}" (expected: ${REVIEW_PERSPECTIVE_NAMES.join(', ')})`,
      );
    }
    if (!result.includes(name)) result.push(name);
  }
  return result;
}

/**
 * The pattern's "review from multiple perspectives" preset: one read-only
 * reviewer per perspective, each with its built-in role prompt, whose output
 * is JSON findings ({@link REVIEW_FINDINGS_SCHEMA}). The plan has no
 * synthesis: merge the outputs with `mergeReviewFindings`, whose merged
 * review is the result. `paths` default to the working directory.
 */
export function buildReviewPlan(paths: readonly string[], perspectives: readonly string[], options: PresetOptions = {}): Plan {
  const names = parsePerspectives(perspectives);
  const cwd = options.cwd ?? process.cwd();
  const targets = resolvePresetPaths(paths.length === 0 ? ['.'] : paths, cwd, false);
  const shown = targets.map((target) => target.relative).join(', ');
  const reviewed = sampleFile(targets.flatMap((target) => listPresetFiles(cwd, target.relative, SIM_FILE_LIMIT)));
  const tasks: TaskSpec[] = names.map((name) => {
    const perspective = REVIEW_PERSPECTIVES[name];
    return {
      id: `review-${name}`,
      description: perspective.label,
      role: perspective.role,
      prompt:
        `${perspective.instructions} Review ${shown}. Report only problems you can point to in the code, ` +
        'with the file and line where you can. Do not change any file.',
      context:
        names.length === 1
          ? `A ${name} review of ${shown}.`
          : `One of ${names.length} reviews of ${shown} running in parallel (${names.join(', ')}); ` +
            `stay on the ${name} perspective.`,
      files: targets.map((target) => target.glob),
      outputFormat: REVIEW_FINDINGS_SCHEMA,
      focus: [...perspective.focus],
      sim: reviewSim(name, reviewed),
    };
  });
  // No LLM synthesis: the merged review (mergeReviewFindings) is the result, deterministic and attributed.
  return { name: `review ${shown} (${names.join(', ')})`, ...presetPlanFields(options), synthesis: false, tasks };
}

/**
 * Findings the simulated reviewer of each perspective reports on `file`.
 * Security and testing report the same missing validation in different
 * words two lines apart, so that the merged review shows one finding with
 * both perspectives.
 */
export function simulatedFindings(perspective: ReviewPerspectiveName, file: string | undefined): ReviewFinding[] {
  const at = (line: number): Pick<ReviewFinding, 'file' | 'line'> => (file === undefined ? {} : { file, line });
  const where = file ?? 'the reviewed code';
  switch (perspective) {
    case 'security':
      return [
        {
          severity: 'high',
          title: 'Missing input validation on user-supplied data',
          ...at(12),
          detail: `Input that reaches ${where} is used without checking its type, length or format.`,
          recommendation: 'Validate the input at the boundary with a schema and reject what does not match.',
        },
        {
          severity: 'low',
          title: 'Error messages may reveal internal paths',
          ...at(40),
          detail: 'Errors are passed to the caller as they are, including file system paths.',
          recommendation: 'Map internal errors to generic messages at the boundary; log the details instead.',
        },
      ];
    case 'performance':
      return [
        {
          severity: 'medium',
          title: 'Synchronous file read on a request path',
          ...at(27),
          detail: 'A synchronous read blocks the event loop for every caller while it runs.',
          recommendation: 'Use the asynchronous API, or read once at start-up and cache the result.',
        },
      ];
    case 'testing':
      return [
        {
          severity: 'medium',
          title: 'Missing validation of user-supplied input',
          ...at(14),
          detail: 'No test sends malformed input, and the code does not validate it.',
          recommendation: 'Add validation and tests for empty, oversized and wrongly typed input.',
        },
        {
          severity: 'low',
          title: 'Error paths have no tests',
          detail: 'Only the successful path is exercised; failures of dependencies are never simulated.',
          recommendation: 'Add one test per error path, asserting the error code and message.',
        },
      ];
    case 'architecture':
      return [
        {
          severity: 'medium',
          title: 'I/O mixed with domain logic',
          ...at(1),
          detail: `${where} reads files and decides business rules in the same functions, so neither can be tested alone.`,
          recommendation: 'Move the I/O to the edges and pass plain data into the domain functions.',
        },
        {
          severity: 'info',
          title: 'Configuration values are hard-coded',
          detail: 'Limits and paths are literals in the code instead of options with defaults.',
        },
      ];
  }
}

function reviewSim(perspective: ReviewPerspectiveName, file: string | undefined): SimOptions {
  const output = JSON.stringify({ findings: simulatedFindings(perspective, file) }, null, 2);
  if (file === undefined) return { output };
  return { script: [{ text: `Reading ${file}.`, tools: [{ name: 'read_file', input: { path: file } }] }], output };
}

function isPerspectiveName(name: string): name is ReviewPerspectiveName {
  return (REVIEW_PERSPECTIVE_NAMES as string[]).includes(name);
}

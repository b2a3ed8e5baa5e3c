import type { RunResult } from '../../contracts/fanout.js';
import { FanoutError } from '../../contracts/errors.js';
import type { MergedReview } from '../../index.js';
import { runAndSummarize } from '../foreground-run.js';
import type { CliIo } from '../io.js';
import { withFanout } from '../library.js';
import type { PresetFlags } from '../preset-flags.js';
import { workingDirOf } from '../working-dir.js';

/** Flags of `fanout review`. */
export interface ReviewFlags extends PresetFlags {
  /** Comma-separated perspective names; absent: all of them. */
  perspectives?: string;
}

/**
 * The perspective names of `--perspectives LIST`; absent: all of them. A
 * list naming none (`--perspectives ''`, `,`) is an error, not "all".
 */
function perspectiveNames(list: string | undefined, known: readonly string[]): string[] {
  if (list === undefined) return [];
  const names = list.split(',').filter((name) => name.trim() !== '');
  if (names.length === 0) throw new FanoutError('OPTION_INVALID', `--perspectives: expected a comma-separated list of: ${known.join(', ')}`);
  return names;
}

/** A reviewer's line in the outputs summary, from its own findings: how many of which severity, or why they are unusable. */
function findingsCount(own: MergedReview): string[] {
  const problem = own.problems[0];
  if (problem !== undefined) return [problem.error];
  if (own.reported === 0) return ['no findings'];
  const counts = own.groups.map((group) => `${group.findings.length} ${group.severity}`).join(', ');
  return [`${own.reported} finding${own.reported === 1 ? '' : 's'} (${counts})`];
}

/**
 * `fanout review [paths...]`: one read-only reviewer per perspective, then
 * the merged review (findings by severity, duplicates found from several
 * perspectives merged and attributed), which is the command's result: there
 * is no LLM synthesis of the reviewers' JSON. On the simulated model the
 * merged review is labelled SIMULATED.
 */
export async function reviewCommand(paths: readonly string[], flags: ReviewFlags, io: CliIo): Promise<number> {
  const { buildReviewPlan, mergeReviewFindings, parsePerspectives, renderMergedReview, REVIEW_PERSPECTIVE_NAMES } = await import('../../presets/index.js');
  // Checked before anything else, so a typo in a name stops the command with one line.
  const perspectives = parsePerspectives(perspectiveNames(flags.perspectives, REVIEW_PERSPECTIVE_NAMES));
  const cwd = workingDirOf(io.cwd, flags.cwd);
  const plan = buildReviewPlan(paths, perspectives, { cwd, model: flags.model, concurrency: flags.concurrency });
  // buildReviewPlan makes one task per perspective, in the order given.
  const merge = (result: RunResult): MergedReview =>
    mergeReviewFindings(plan.tasks.map((task, index) => ({ perspective: perspectives[index] as string, json: result.outputs[task.id]?.json })));
  return withFanout(io, cwd, async (fanout) => {
    return runAndSummarize(
      fanout,
      await fanout.check(plan),
      {
        json: flags.json === true,
        resultLines: (result) => [{ type: 'review', ...merge(result) }],
        summary: (result) => ({
          describeOutput: (task, output) => findingsCount(mergeReviewFindings([{ perspective: task.taskId, json: output.json }])),
          sections: renderMergedReview(merge(result), { simulated: result.report.simulated }).trimEnd().split('\n'),
        }),
      },
      io,
    );
  });
}

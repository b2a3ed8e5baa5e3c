import { resolve } from 'node:path';
import type { RunResult } from '../../engine/api.js';
import type { MergedReview } from '../../presets/index.js';
import { runAndSummarize } from '../foreground-run.js';
import type { CliIo } from '../io.js';
import { withFanout } from '../library.js';
import { synthesisLines, type PresetFlags } from '../preset-flags.js';

/** Flags of `fanout review`. */
export interface ReviewFlags extends PresetFlags {
  /** Comma-separated perspective names; absent: all of them. */
  perspectives?: string;
}

/**
 * `fanout review [paths...]`: one read-only reviewer per perspective, then
 * the merged review (findings by severity, duplicates found from several
 * perspectives merged and attributed) beside the synthesis's summary.
 */
export async function reviewCommand(paths: readonly string[], flags: ReviewFlags, io: CliIo): Promise<number> {
  const { buildReviewPlan, mergeReviewFindings, parsePerspectives, renderMergedReview } = await import('../../presets/index.js');
  // Checked before anything else, so a typo in a name stops the command with one line.
  const perspectives = parsePerspectives(flags.perspectives?.split(',') ?? []);
  const cwd = resolve(io.cwd, flags.cwd ?? '.');
  const plan = buildReviewPlan(paths, perspectives, { cwd, model: flags.model, concurrency: flags.concurrency });
  // buildReviewPlan makes one task per perspective, in the order given.
  const merge = (result: RunResult): MergedReview =>
    mergeReviewFindings(plan.tasks.map((task, index) => ({ perspective: perspectives[index] as string, json: result.outputs[task.id]?.json })));
  return withFanout(io, cwd, (fanout) =>
    runAndSummarize(
      fanout,
      plan,
      {
        json: flags.json === true,
        resultLines: (result) => [...synthesisLines(result), { type: 'review', ...merge(result) }],
        summary: (result) => ({
          outputLines: 0,
          synthesisTitle: 'Summary',
          sections: renderMergedReview(merge(result)).trimEnd().split('\n'),
        }),
      },
      io,
    ),
  );
}

import { runAndSummarize } from '../foreground-run.js';
import type { CliIo } from '../io.js';
import { withFanout } from '../library.js';
import { synthesisLines, type PresetFlags } from '../preset-flags.js';
import { workingDirOf } from '../working-dir.js';

/**
 * `fanout analyze <dir>...`: one read-only analyst per directory, then one
 * unified analysis. Directories are relative to the working directory and
 * must lie inside it.
 */
export async function analyzeCommand(dirs: readonly string[], flags: PresetFlags, io: CliIo): Promise<number> {
  const { buildAnalyzePlan } = await import('../../presets/index.js');
  const cwd = workingDirOf(io.cwd, flags.cwd);
  const plan = buildAnalyzePlan(dirs, { cwd, model: flags.model, concurrency: flags.concurrency });
  return withFanout(io, cwd, async (fanout) => {
    return runAndSummarize(
      fanout,
      await fanout.check(plan),
      { json: flags.json === true, resultLines: synthesisLines, summary: () => ({ synthesisTitle: 'Unified analysis' }) },
      io,
    );
  });
}

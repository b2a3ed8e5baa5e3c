import { FanoutError } from '../contracts/errors.js';
import type { SimOptions, SimStep } from '../contracts/sim-options.js';
import type { Plan, TaskSpec } from '../contracts/plan.js';
import { pathTaskId, presetPlanFields, type PresetOptions } from './preset-options.js';
import { listPresetFiles, resolvePresetPaths, sampleFile } from './preset-paths.js';

const ANALYST_FOCUS = [
  'purpose and responsibilities of the directory',
  'structure: key files, entry points and public interfaces',
  'dependencies on other directories and external packages',
  'risks: complexity, error handling gaps, dead code, missing tests',
];

const ANALYSIS_FORMAT =
  'Markdown with the sections Purpose, Structure (key files and what each holds), Dependencies, ' +
  'Risks, Suggestions. Name files by their path; keep it under 400 words.';

const ANALYSIS_SYNTHESIS =
  'Combine the directory analyses into one unified analysis of the codebase: what each directory is for, ' +
  'how they depend on each other, the risks that cut across directories (most important first), and ' +
  'concrete next steps. Point out where the analyses contradict each other.';

// Files counted for a simulated answer; enough to describe a directory, cheap to list.
const SIM_FILE_LIMIT = 200;

/**
 * The pattern's "analyze multiple directories" preset: one read-only
 * codebase-analyst task per directory, then one unified analysis. Throws
 * FanoutError `OPTION_INVALID` naming the first directory that is missing,
 * not a directory or outside the working directory.
 */
export function buildAnalyzePlan(dirs: readonly string[], options: PresetOptions = {}): Plan {
  if (dirs.length === 0) throw new FanoutError('OPTION_INVALID', 'analyze: expected at least one directory');
  const cwd = options.cwd ?? process.cwd();
  const resolved = resolvePresetPaths(dirs, cwd, true);
  const all = resolved.map((dir) => dir.relative);
  const used = new Set<string>();
  const tasks: TaskSpec[] = resolved.map((dir) => ({
    id: pathTaskId('analyze', dir.relative, used),
    description: `Analyze ${dir.relative}`,
    role: 'codebase analyst',
    prompt:
      `Analyze the directory ${dir.relative}. List its files, read the important ones, and explain what the ` +
      'code does, how it is organized, what it depends on and where its risks are. Do not change any file.',
    context:
      all.length === 1
        ? 'This is the only directory being analyzed.'
        : `${all.length} directories are analyzed in parallel (${all.join(', ')}), one analyst each; ` +
          `stay inside ${dir.relative}.`,
    files: [dir.glob],
    outputFormat: ANALYSIS_FORMAT,
    focus: ANALYST_FOCUS,
    sim: analyzeSim(cwd, dir.relative),
  }));
  return { name: `analyze ${all.join(' ')}`, ...presetPlanFields(options), synthesis: ANALYSIS_SYNTHESIS, tasks };
}

/** The simulated analyst lists the directory, reads one source file and reports what it saw. */
function analyzeSim(cwd: string, dir: string): SimOptions {
  const files = listPresetFiles(cwd, dir, SIM_FILE_LIMIT);
  const script: SimStep[] = [{ text: `Listing ${dir}.`, tools: [{ name: 'list_files', input: { path: dir } }] }];
  const sample = sampleFile(files);
  if (sample !== undefined) script.push({ text: `Reading ${sample}.`, tools: [{ name: 'read_file', input: { path: sample } }] });
  const count = files.length >= SIM_FILE_LIMIT ? `${SIM_FILE_LIMIT}+` : String(files.length);
  const output = [
    `## ${dir} (simulated analysis)`,
    '',
    `**Purpose.** ${dir} holds ${count} file${count === '1' ? '' : 's'}; the simulated model does not read code for meaning.`,
    `**Structure.** ${describeExtensions(files)}.${sample === undefined ? '' : ` Read: ${sample}.`}`,
    '**Dependencies.** Not determined by the simulated model.',
    '**Risks.** None reported by the simulated model.',
    '**Suggestions.** Run this preset with a real model for a real analysis.',
  ].join('\n');
  return { script, output };
}

function describeExtensions(files: readonly string[]): string {
  if (files.length === 0) return 'No files';
  const counts = new Map<string, number>();
  for (const file of files) {
    const match = /\.[^./]+$/.exec(file);
    const extension = match === null ? '(none)' : match[0];
    counts.set(extension, (counts.get(extension) ?? 0) + 1);
  }
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 4);
  return `Files by type: ${top.map(([extension, n]) => `${extension} ${n}`).join(', ')}`;
}

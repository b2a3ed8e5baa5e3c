import { dirname } from 'node:path';
import type { Plan } from '../contracts/plan.js';
import type { ExecutionDag } from '../contracts/plan.js';
import { formatColumns } from './format.js';
import { independenceSummary } from './render-dag.js';
import { planTaskLines } from './render-plan.js';
import { SIMULATED_NOTICE } from './render-run-summary.js';

/** The request the demo's plan answers: the pattern's own example. */
export const DEMO_REQUEST = 'Implement user authentication with login, registration, and password reset';

/** The demo's opening: what runs, on which model, where the files go. */
export function renderDemoBanner(options: {
  model: string | undefined;
  simulated: boolean;
  workdir: string;
  /** Why the copy is not a git repository; undefined when it is one. */
  notRepository: string | undefined;
  /** Why the subagents get no shell; undefined when they run their tests. */
  noShell: string | undefined;
  taskCount: number;
}): string[] {
  const model = options.simulated
    ? 'SIMULATED model (fanout\'s built-in simulated server: no API key, no network)'
    : `model ${options.model} (real)`;
  const rule = '═'.repeat(72);
  const lines = [rule, ` fanout demo · ${model}`, rule];
  if (options.simulated) lines.push(...SIMULATED_NOTICE.slice(1));
  lines.push(
    '',
    `Request: "${DEMO_REQUEST}"`,
    `Plan:    examples/auth-demo.yaml → ${options.taskCount} subagents, one per task, each with its own role prompt and write scope`,
  );
  if (options.notRepository === undefined) {
    lines.push(
      `Files:   ${options.workdir}, a temporary git repository made from examples/auth-demo-starter/:`,
      '         each subagent works in its own worktree; their branches are merged into fanout/<run> and applied to main',
    );
  } else {
    lines.push(`Files:   ${options.workdir} (a copy of examples/auth-demo-starter/; ${options.notRepository}, so the subagents share it)`);
  }
  lines.push(
    options.noShell === undefined
      ? 'Shell:   each subagent runs the tests it wrote with the bash tool, sandboxed (bubblewrap)'
      : `Shell:   off: ${options.noShell}; the subagents write code and tests without running them`,
  );
  return lines;
}

/** The independence check as the demo shows it: the verdict, then each task's role and scopes. */
export function renderIndependence(plan: Plan, dag: ExecutionDag): string[] {
  return [`Independence check: ${independenceSummary(dag)}`, ...planTaskLines(plan)];
}

/** What the demo checked of the merged result: the merge, the tests run on it, the worktrees removed. */
export function renderDemoResult(options: {
  merge: { branch: string; merged: string[]; conflicts: readonly unknown[] };
  workdir: string;
  /** Counts of the test run, or why it did not run. */
  tests: { pass: number; fail: number } | string;
  command: string;
  removedWorktrees: number;
}): string[] {
  const { merge, tests } = options;
  const conflicts = merge.conflicts.length === 0 ? 'no conflicts' : `${merge.conflicts.length} conflicting file${merge.conflicts.length === 1 ? '' : 's'}`;
  const verdict =
    typeof tests === 'string'
      ? `tests ${tests}`
      : `${tests.fail === 0 ? 'tests pass' : 'TESTS FAIL'}: ${tests.pass} passed, ${tests.fail} failed (${options.command}, sandboxed)`;
  return [
    '',
    `Result:  ${merge.branch} holds the work of ${merge.merged.length} task${merge.merged.length === 1 ? '' : 's'} (${conflicts}), applied to main in ${options.workdir}`,
    `         ${verdict}`,
    `         ${options.removedWorktrees} worktree${options.removedWorktrees === 1 ? '' : 's'} removed with the merged branches (fanout clean); see the code: git -C ${options.workdir} log --stat`,
  ];
}

/** The demo's closing: the files the subagents wrote and how to get each output by handle. */
export function renderDemoFooter(options: {
  workdir: string;
  written: ReadonlyArray<{ path: string; bytes: number }>;
  handles: ReadonlyArray<{ id: string; handle: string }>;
  home: string;
  homeFromEnv: boolean;
}): string[] {
  const lines = ['', `Files written by the subagents, in ${options.workdir}:`];
  if (options.written.length === 0) lines.push('  (none)');
  lines.push(...formatColumns(options.written.map((file) => [file.path, `${file.bytes} bytes`]), new Set([1])).map((line) => `  ${line}`));
  const store = options.homeFromEnv ? `FANOUT_HOME=${options.home}` : `store: ${options.home}, found from ${dirname(options.home)} and every directory below it`;
  lines.push('', `Get any output by its handle (${store}):`);
  lines.push(...formatColumns(options.handles.map((task) => [`fanout output ${task.handle}`, `# ${task.id}`])).map((line) => `  ${line}`));
  lines.push('  fanout status        # the todo list of this run', '  fanout runs          # recent runs');
  return lines;
}

import type { Conflict, ExecutionDag } from '../contracts/plan.js';
import { formatColumns } from './format.js';

function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

/**
 * The conflict's glob pair as shown to users: `src/auth/** ~ src/auth/login.ts`,
 * with the file both reach through a link when the globs alone do not meet.
 */
export function globPair(conflict: Conflict): string {
  return `${conflict.firstGlob} ~ ${conflict.secondGlob}${conflict.file === undefined ? '' : ` (both reach ${conflict.file})`}`;
}

/**
 * One sentence with the result of the independence check, e.g.
 * `5 independent tasks, no conflicts: all 5 can start at once.`
 */
export function independenceSummary(dag: ExecutionDag): string {
  const tasks = dag.tasks.length;
  const dependencies = dag.edges.filter((edge) => edge.kind === 'dependency').length;
  const serialized = dag.conflicts.filter((conflict) => conflict.serialized).length;
  const firstLevel = dag.levels[0]?.length ?? 0;
  if (dependencies === 0 && dag.conflicts.length === 0) {
    return `${plural(tasks, 'independent task')}, no conflicts: ${tasks === 1 ? 'it can start at once' : `all ${tasks} can start at once`}.`;
  }
  const parts = [plural(tasks, 'task'), plural(dependencies, 'dependency', 'dependencies')];
  parts.push(dag.conflicts.length === 0 ? 'no conflicts' : `${plural(dag.conflicts.length, 'conflict')} (${serialized} serialized)`);
  return `${parts.join(', ')}: ${plural(dag.levels.length, 'level')}, ${firstLevel} can start at once.`;
}

/**
 * The execution DAG for `fanout check` and the demo: the levels (what can
 * run together), every edge with its kind (and the glob pair for conflict
 * edges), the conflicts and the critical path.
 */
export function renderDag(dag: ExecutionDag): string[] {
  const lines = [independenceSummary(dag), ''];
  lines.push('Levels (tasks on one level can run at the same time):');
  dag.levels.forEach((level, index) => lines.push(`  ${index + 1}. ${level.join(', ')}`));

  lines.push('', dag.edges.length === 0 ? 'Edges: none' : 'Edges (the second task starts after the first finishes):');
  if (dag.edges.length > 0) {
    const rows = dag.edges.map((edge) => [`${edge.from} → ${edge.to}`, edge.kind, edge.reason ?? '']);
    for (const line of formatColumns(rows)) lines.push(`  ${line}`);
  }

  lines.push('', dag.conflicts.length === 0 ? 'Conflicts: none' : 'Conflicts (overlapping scopes):');
  if (dag.conflicts.length > 0) {
    const rows = dag.conflicts.map((conflict) => [
      `${conflict.first} ~ ${conflict.second}`,
      conflict.kind,
      globPair(conflict),
      conflict.serialized ? `serialized: ${conflict.second} waits for ${conflict.first}` : 'already ordered by dependsOn',
    ]);
    for (const line of formatColumns(rows)) lines.push(`  ${line}`);
  }

  lines.push('', `Critical path: ${dag.criticalPath.join(' → ') || '-'} (${plural(dag.criticalPath.length, 'task')})`);
  return lines;
}

import { FanoutError } from '../contracts/errors.js';

/** An ordering constraint: `to` starts only after `from` has finished. */
export interface OrderEdge {
  from: string;
  to: string;
}

/**
 * Task ids in a topological order of `edges`, taking the earliest task in
 * `tasks` order whenever several are ready. Edges naming ids outside `tasks`
 * are ignored. Returns `undefined` when the edges form a cycle.
 */
export function topologicalOrder(tasks: readonly string[], edges: readonly OrderEdge[]): string[] | undefined {
  const index = new Map(tasks.map((id, position) => [id, position]));
  const successors = tasks.map((): number[] => []);
  const pendingPredecessors = tasks.map(() => 0);
  for (const edge of edges) {
    const from = index.get(edge.from);
    const to = index.get(edge.to);
    if (from === undefined || to === undefined) continue;
    successors[from]?.push(to);
    pendingPredecessors[to] = (pendingPredecessors[to] ?? 0) + 1;
  }
  // Ready positions, kept sorted descending so the earliest is popped from the end.
  const ready = tasks.map((_, position) => position).filter((position) => pendingPredecessors[position] === 0);
  ready.reverse();
  const order: string[] = [];
  for (let position = ready.pop(); position !== undefined; position = ready.pop()) {
    order.push(tasks[position] as string);
    for (const next of successors[position] ?? []) {
      const left = (pendingPredecessors[next] ?? 0) - 1;
      pendingPredecessors[next] = left;
      if (left === 0) insertDescending(ready, next);
    }
  }
  return order.length === tasks.length ? order : undefined;
}

function insertDescending(sorted: number[], value: number): void {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((sorted[middle] ?? 0) > value) low = middle + 1;
    else high = middle;
  }
  sorted.splice(low, 0, value);
}

/**
 * The heaviest chain of `edges` where each task weighs `weight(id)` (a
 * duration for the report, 1 to count tasks). Ties go to the task earliest in
 * `tasks`. Edges naming ids outside `tasks` are ignored; an empty task list
 * gives an empty path. Throws `INTERNAL` when the edges form a cycle.
 */
export function longestPath(
  tasks: string[],
  edges: Array<{ from: string; to: string }>,
  weight: (id: string) => number,
): { path: string[]; length: number } {
  const order = topologicalOrder(tasks, edges);
  if (order === undefined) throw new FanoutError('INTERNAL', 'longestPath: the edges form a cycle');
  const known = new Set(tasks);
  const position = new Map(tasks.map((id, at) => [id, at]));
  const predecessors = new Map<string, string[]>();
  for (const { from, to } of edges) {
    if (!known.has(from) || !known.has(to)) continue;
    const list = predecessors.get(to);
    if (list === undefined) predecessors.set(to, [from]);
    else list.push(from);
  }
  const total = new Map<string, number>();
  const previous = new Map<string, string>();
  for (const id of order) {
    let best: string | undefined;
    for (const candidate of predecessors.get(id) ?? []) {
      if (best === undefined || isBetter(candidate, best, total, position)) best = candidate;
    }
    total.set(id, weight(id) + (best === undefined ? 0 : (total.get(best) ?? 0)));
    if (best !== undefined) previous.set(id, best);
  }
  let end: string | undefined;
  for (const id of tasks) if (end === undefined || isBetter(id, end, total, position)) end = id;
  if (end === undefined) return { path: [], length: 0 };
  const path: string[] = [];
  for (let id: string | undefined = end; id !== undefined; id = previous.get(id)) path.push(id);
  path.reverse();
  return { path, length: total.get(end) ?? 0 };
}

/** Heavier wins; on a tie the task earlier in plan order wins. */
function isBetter(
  candidate: string,
  current: string,
  total: ReadonlyMap<string, number>,
  position: ReadonlyMap<string, number>,
): boolean {
  const difference = (total.get(candidate) ?? 0) - (total.get(current) ?? 0);
  if (difference !== 0) return difference > 0;
  return (position.get(candidate) ?? 0) < (position.get(current) ?? 0);
}

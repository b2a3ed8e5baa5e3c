import { FanoutError, isFanoutError } from '../contracts/errors.js';
import { longestPath, topologicalOrder } from './critical-path.js';
import { compileGlob, compiledGlobsOverlap, type CompiledGlob } from './glob-overlap.js';
import type { Conflict, DagEdge, ExecutionDag, Plan, TaskSpec } from '../contracts/plan.js';

/** Options of {@link analyzePlan}. */
export interface AnalyzeOptions {
  /** Reject conflicting tasks (`PLAN_CONFLICT`) instead of serializing them. Default false. */
  strict?: boolean;
  /** Label for messages, usually the plan file path. Default `plan`. */
  source?: string;
  /**
   * The repository's paths that lead to another file than their own name:
   * through a symbolic link (to a file, or to a directory: one entry per
   * file under it), with the file they reach (`real`), both relative to the
   * working directory. Two globs that cannot match one path still conflict
   * when they reach one file this way. Default: none.
   */
  aliases?: ReadonlyArray<{ path: string; real: string }>;
}

/** A task's scopes, compiled once for the pairwise checks. */
interface TaskScopes {
  writes: CompiledGlob[];
  files: CompiledGlob[];
  /** Per scope, the aliased files its globs reach (by real path), with the glob that reaches each. */
  reaches: { writes: Map<string, CompiledGlob>; files: Map<string, CompiledGlob> };
}

/** A conflict found between two tasks, with which scope each glob came from. */
interface ScopeOverlap {
  kind: Conflict['kind'];
  firstGlob: CompiledGlob;
  firstScope: 'writes' | 'files';
  secondGlob: CompiledGlob;
  secondScope: 'writes' | 'files';
  /** The aliased file both reach, when the globs themselves cannot overlap. */
  file?: string;
}

/**
 * The independence check: validates ids, dependencies and globs, then turns
 * the plan into an execution DAG. Two tasks conflict when one's `writes` can
 * match a path the other writes or reads (`files`). Unless a dependency path
 * already orders them, the later task in plan order waits for the earlier one
 * (a `conflict` edge), or with `strict` the plan is rejected.
 *
 * Throws FanoutError `PLAN_INVALID` (duplicate or unknown ids, self
 * dependencies, cycles, invalid globs) or `PLAN_CONFLICT` (strict mode).
 */
export function analyzePlan(plan: Plan, options: AnalyzeOptions = {}): ExecutionDag {
  const source = options.source ?? 'plan';
  const ids = checkIds(plan.tasks, source);
  const dependencies = dependencyEdges(plan.tasks, ids, source);
  checkAcyclic(plan.tasks, dependencies, source);
  const scopes = plan.tasks.map((task, at) => compileScopes(task, at, source, options.aliases ?? []));
  const { conflicts, edges: conflictEdges } = findConflicts(plan.tasks, scopes, dependencies);
  if (options.strict === true) rejectConflicts(conflicts, source);
  const edges = [...dependencies, ...conflictEdges];
  const tasks = plan.tasks.map((task) => task.id);
  // Conflict edges only join tasks no path orders yet, in plan direction: the graph stays acyclic.
  const order = topologicalOrder(tasks, edges) as string[];
  return {
    tasks,
    edges,
    conflicts: conflicts.map(({ conflict }) => conflict),
    order,
    criticalPath: longestPath(tasks, edges, () => 1).path,
    levels: levelsOf(order, edges),
  };
}

function fail(source: string, where: string, problem: string): never {
  const at = where === '' ? source : `${source}: ${where}`;
  throw new FanoutError('PLAN_INVALID', `${at}: ${problem}`, { where: at });
}

/** Maps each id to its position; duplicates are errors naming both positions. */
function checkIds(tasks: readonly TaskSpec[], source: string): Map<string, number> {
  const ids = new Map<string, number>();
  tasks.forEach((task, at) => {
    const first = ids.get(task.id);
    if (first !== undefined) {
      fail(source, `tasks[${at}].id`, `duplicate id ${JSON.stringify(task.id)} (already used by tasks[${first}])`);
    }
    ids.set(task.id, at);
  });
  return ids;
}

function dependencyEdges(tasks: readonly TaskSpec[], ids: ReadonlyMap<string, number>, source: string): DagEdge[] {
  const edges: DagEdge[] = [];
  const seen = new Set<string>();
  tasks.forEach((task, at) => {
    (task.dependsOn ?? []).forEach((dependency, position) => {
      const where = `tasks[${at}].dependsOn[${position}]`;
      if (dependency === task.id) fail(source, where, `task ${JSON.stringify(task.id)} depends on itself`);
      if (!ids.has(dependency)) {
        fail(
          source,
          where,
          `task ${JSON.stringify(task.id)} depends on unknown task ${JSON.stringify(dependency)}` +
            ` (known ids: ${listIds([...ids.keys()])})`,
        );
      }
      const key = `${dependency}\n${task.id}`;
      if (!seen.has(key)) {
        seen.add(key);
        edges.push({ from: dependency, to: task.id, kind: 'dependency' });
      }
    });
  });
  return edges;
}

function listIds(ids: string[]): string {
  const shown = ids.slice(0, 10).join(', ');
  return ids.length > 10 ? `${shown}, … ${ids.length - 10} more` : shown;
}

/**
 * Fails naming one cycle, `a → b → c → a`, where each task runs before the
 * next. An explicit stack rather than recursion: a chain of 20,000
 * dependencies must not overflow the call stack.
 */
function checkAcyclic(tasks: readonly TaskSpec[], edges: readonly DagEdge[], source: string): void {
  const successors = new Map<string, string[]>();
  for (const { from, to } of edges) pushTo(successors, from, to);
  const state = new Map<string, 'open' | 'done'>();
  for (const task of tasks) {
    if (state.has(task.id)) continue;
    const path: string[] = [task.id];
    const next: number[] = [0];
    state.set(task.id, 'open');
    while (path.length > 0) {
      const id = path[path.length - 1] as string;
      const position = next[next.length - 1] as number;
      const following = successors.get(id) ?? [];
      if (position === following.length) {
        state.set(id, 'done');
        path.pop();
        next.pop();
        continue;
      }
      next[next.length - 1] = position + 1;
      const successor = following[position] as string;
      const seen = state.get(successor);
      if (seen === 'open') {
        fail(source, 'tasks', describeCycle([...path.slice(path.indexOf(successor)), successor]));
      }
      if (seen === undefined) {
        state.set(successor, 'open');
        path.push(successor);
        next.push(0);
      }
    }
  }
}

/** `dependency cycle: a → b → a`; a long cycle shows its ends, so the line stays short. */
function describeCycle(cycle: readonly string[]): string {
  const tasks = cycle.length - 1;
  if (tasks <= 12) return `dependency cycle: ${cycle.join(' → ')}`;
  const shown = [...cycle.slice(0, 5), `… ${tasks - 9} more …`, ...cycle.slice(-5)];
  return `dependency cycle of ${tasks} tasks: ${shown.join(' → ')}`;
}

function pushTo(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function compileScopes(task: TaskSpec, at: number, source: string, aliases: ReadonlyArray<{ path: string; real: string }>): TaskScopes {
  const compile = (field: 'files' | 'writes') =>
    (task[field] ?? []).map((glob, position) => {
      try {
        return compileGlob(glob);
      } catch (error) {
        if (!isFanoutError(error)) throw error;
        return fail(source, `tasks[${at}].${field}[${position}]`, error.message);
      }
    });
  const files = compile('files');
  const writes = compile('writes');
  return { files, writes, reaches: { files: reachedFiles(files, aliases), writes: reachedFiles(writes, aliases) } };
}

/**
 * The real files of `aliases` the globs reach, by the alias or by the real
 * path itself. Only aliased files matter: for every other file, globs that
 * reach one file can match one path, which the glob check already finds.
 */
function reachedFiles(globs: readonly CompiledGlob[], aliases: ReadonlyArray<{ path: string; real: string }>): Map<string, CompiledGlob> {
  const reached = new Map<string, CompiledGlob>();
  if (globs.length === 0 || aliases.length === 0) return reached;
  const matches = (glob: CompiledGlob, file: string): boolean => {
    try {
      return compiledGlobsOverlap(glob, compileGlob(file));
    } catch {
      return false; // a name no glob can spell literally
    }
  };
  for (const { path, real } of aliases) {
    if (reached.has(real)) continue;
    const glob = globs.find((candidate) => matches(candidate, path) || matches(candidate, real));
    if (glob !== undefined) reached.set(real, glob);
  }
  return reached;
}

/**
 * Checks every pair in plan order and serializes unordered conflicting pairs.
 * Reachability is kept as bit sets and updated as edges are added, so each
 * pair's "already ordered?" question is answered in constant time.
 */
function findConflicts(
  tasks: readonly TaskSpec[],
  scopes: readonly TaskScopes[],
  dependencies: readonly DagEdge[],
): { conflicts: Array<{ conflict: Conflict; overlap: ScopeOverlap }>; edges: DagEdge[] } {
  const conflicts: Array<{ conflict: Conflict; overlap: ScopeOverlap }> = [];
  const edges: DagEdge[] = [];
  // Every overlap involves a write scope, so only pairs with a writer can conflict: a plan of
  // read-only tasks costs O(n), not O(n²) pair checks.
  const writers: number[] = [];
  scopes.forEach((scope, at) => {
    if (scope.writes.length > 0) writers.push(at);
  });
  if (writers.length === 0) return { conflicts, edges };
  const index = new Map(tasks.map((task, at) => [task.id, at]));
  const reach = new Reachability(tasks.length);
  for (const edge of dependencies) reach.add(index.get(edge.from) as number, index.get(edge.to) as number);
  const direct = new Set(dependencies.map((edge) => `${edge.from}\n${edge.to}`));
  const conflictsOf: Array<Array<{ conflict: Conflict; overlap: ScopeOverlap }>> = [];
  for (let second = 1; second < tasks.length; second += 1) {
    const found: Array<{ conflict: Conflict; overlap: ScopeOverlap }> = [];
    // Nearest earlier task first: once it is ordered before this one, every earlier task it
    // follows is too, so n tasks on one write glob make a chain of n - 1 edges, not n²/2.
    const writesToo = (scopes[second] as TaskScopes).writes.length > 0;
    const candidates = writesToo ? undefined : writers;
    for (let step = 1; ; step += 1) {
      const first = candidates === undefined ? second - step : latestBelow(candidates, second, step);
      if (first === undefined || first < 0) break;
      const to = (tasks[second] as TaskSpec).id;
      const from = (tasks[first] as TaskSpec).id;
      const ordered = reach.has(first, second) || reach.has(second, first);
      // A pair ordered through other tasks is no news: only direct dependencies are listed.
      if (ordered && !direct.has(`${from}\n${to}`) && !direct.has(`${to}\n${from}`)) continue;
      const overlap = findOverlap(scopes[first] as TaskScopes, scopes[second] as TaskScopes);
      if (overlap === undefined) continue;
      const via = overlap.file === undefined ? '' : ` (both reach ${overlap.file})`;
      if (!ordered) {
        reach.add(first, second);
        edges.push({ from, to, kind: 'conflict', reason: `${overlap.firstGlob.source} ~ ${overlap.secondGlob.source}${via}` });
      }
      found.push({
        conflict: {
          first: from,
          second: to,
          kind: overlap.kind,
          firstGlob: overlap.firstGlob.source,
          secondGlob: overlap.secondGlob.source,
          ...(overlap.file === undefined ? {} : { file: overlap.file }),
          serialized: !ordered,
        },
        overlap,
      });
    }
    // Listed in plan order of the earlier task, as before.
    conflictsOf[second] = found.reverse();
  }
  for (const found of conflictsOf) if (found !== undefined) conflicts.push(...found);
  return { conflicts, edges };
}

const OVERLAP_CHECKS: ReadonlyArray<[Conflict['kind'], 'writes' | 'files', 'writes' | 'files']> = [
  ['write-write', 'writes', 'writes'],
  ['write-read', 'writes', 'files'],
  ['write-read', 'files', 'writes'],
];

/**
 * The first overlapping glob pair of two tasks, write-write before
 * write-read: globs that can match one path, else globs that reach one
 * aliased file of the repository.
 */
function findOverlap(first: TaskScopes, second: TaskScopes): ScopeOverlap | undefined {
  for (const [kind, firstScope, secondScope] of OVERLAP_CHECKS) {
    for (const firstGlob of first[firstScope]) {
      for (const secondGlob of second[secondScope]) {
        if (compiledGlobsOverlap(firstGlob, secondGlob)) return { kind, firstGlob, firstScope, secondGlob, secondScope };
      }
    }
  }
  for (const [kind, firstScope, secondScope] of OVERLAP_CHECKS) {
    for (const [file, firstGlob] of first.reaches[firstScope]) {
      const secondGlob = second.reaches[secondScope].get(file);
      if (secondGlob !== undefined) return { kind, firstGlob, firstScope, secondGlob, secondScope, file };
    }
  }
  return undefined;
}

function rejectConflicts(conflicts: Array<{ conflict: Conflict; overlap: ScopeOverlap }>, source: string): void {
  const unordered = conflicts.filter(({ conflict }) => conflict.serialized);
  const [head] = unordered;
  if (head === undefined) return;
  const { conflict, overlap } = head;
  const rest = unordered.length - 1;
  const more = rest > 0 ? ` (and ${rest} more conflict${rest === 1 ? '' : 's'})` : '';
  throw new FanoutError(
    'PLAN_CONFLICT',
    `${source}: tasks ${JSON.stringify(conflict.first)} and ${JSON.stringify(conflict.second)} conflict ` +
      `(${conflict.kind}: ${overlap.firstScope} ${conflict.firstGlob} ~ ${overlap.secondScope} ${conflict.secondGlob}` +
      `${overlap.file === undefined ? '' : `, both reaching ${overlap.file}`}); ` +
      `strict mode rejects overlapping scopes: add a dependsOn between them or narrow their globs${more}`,
    { where: source },
  );
}

/** The `step`-th largest of the sorted `positions` below `limit`, or undefined. */
function latestBelow(positions: readonly number[], limit: number, step: number): number | undefined {
  let low = 0;
  let high = positions.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((positions[middle] as number) < limit) low = middle + 1;
    else high = middle;
  }
  return low - step >= 0 ? positions[low - step] : undefined;
}

/** Groups of tasks by depth: level k holds the tasks whose longest chain of predecessors has k tasks. */
function levelsOf(order: readonly string[], edges: readonly DagEdge[]): string[][] {
  const depth = new Map<string, number>();
  const predecessors = new Map<string, string[]>();
  for (const { from, to } of edges) pushTo(predecessors, to, from);
  for (const id of order) {
    let level = 0;
    for (const from of predecessors.get(id) ?? []) level = Math.max(level, (depth.get(from) ?? 0) + 1);
    depth.set(id, level);
  }
  const levels: string[][] = [];
  for (const id of order) {
    const level = depth.get(id) ?? 0;
    (levels[level] ??= []).push(id);
  }
  return levels;
}

/** Transitive reachability between task positions, as one bit set per task. */
class Reachability {
  private readonly rows: Uint32Array[];

  constructor(size: number) {
    this.rows = Array.from({ length: size }, () => new Uint32Array(Math.ceil(size / 32)));
  }

  /** True when a path leads from `from` to `to`. */
  has(from: number, to: number): boolean {
    const word = (this.rows[from] as Uint32Array)[to >>> 5] as number;
    return (word & (1 << (to & 31))) !== 0;
  }

  /** Records the edge `from → to`: whoever reaches `from` now reaches `to` and all it reaches. */
  add(from: number, to: number): void {
    const target = this.rows[to] as Uint32Array;
    this.rows.forEach((row, at) => {
      if (at !== from && !this.has(at, from)) return;
      row[to >>> 5] = (row[to >>> 5] as number) | (1 << (to & 31));
      for (let word = 0; word < row.length; word += 1) row[word] = (row[word] as number) | (target[word] as number);
    });
  }
}

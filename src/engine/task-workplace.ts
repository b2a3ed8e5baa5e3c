import path from 'node:path';
import { DEFAULT_SHELL_OUTPUT_BYTES, DEFAULT_SHELL_TIMEOUT_MS, SandboxRoot, type ShellPolicy } from '../agent/index.js';
import { FanoutError, toFanoutError } from '../contracts/errors.js';
import type { TaskSpec } from '../contracts/plan.js';
import { isWholeAgent } from '../contracts/whole-agent.js';
import type { FileChange } from '../contracts/workspace.js';
import { modelOfRun, type ExecutionContext, type ExecutionSetup } from './execution-setup.js';
import type { RunWorktrees } from './run-worktrees.js';
import { taskEnvironments, type TaskEnvironment } from './task-environment.js';

/** Where one task works: its directory, its shell (when it has one) and the directories it may never write. */
export interface Workplace {
  readonly cwd: SandboxRoot;
  readonly shell?: ShellPolicy;
  readonly protectedPaths: readonly string[];
}

/** What committing a task's worktree found: its changes, and what it wrote outside its write scope (put back). */
export interface LeftWorktree {
  changes: FileChange[];
  outside: string[];
}

/**
 * The workplaces of one run's tasks: the run's working directory (its real
 * location resolved once for all its tasks' sandboxes), or a worktree of
 * the task's own, each with the shell and isolation its task was given.
 */
export class TaskWorkplaces {
  /** The run's working directory. */
  readonly root: SandboxRoot;
  readonly #ctx: ExecutionContext;
  /** Each task's shell and isolation, or why they could not be decided (the repository changed since the check). */
  readonly #environments: Map<string, TaskEnvironment> | FanoutError;
  readonly #worktrees: RunWorktrees | undefined;
  /** The protected directories a task working in the run's directory keeps (the same for all of them). */
  readonly #rootProtectedPaths: readonly string[];
  /** The workplace of every task in the run's directory without a shell (most tasks): one object, never changed. */
  readonly #rootWorkplace: Workplace;

  constructor(ctx: ExecutionContext, setup: ExecutionSetup, worktrees: RunWorktrees | undefined) {
    this.#ctx = ctx;
    this.root = new SandboxRoot(setup.run.cwd);
    this.#environments = decideEnvironments(ctx, setup);
    this.#worktrees = worktrees;
    this.#rootProtectedPaths = protectedOutside(ctx.protectedPaths, this.root);
    this.#rootWorkplace = { cwd: this.root, protectedPaths: this.#rootProtectedPaths };
  }

  /** True when some task of the run works in a worktree of its own. */
  get isolated(): boolean {
    const environments = this.#environments;
    return environments instanceof Map && [...environments.values()].some((environment) => environment.isolation === 'worktree');
  }

  /**
   * Where task `spec` works: at once in the run's directory, or (a promise)
   * in its own worktree, made now. Throws (or rejects) when its environment
   * could not be decided or its worktree cannot be made; the task then fails
   * with that line.
   */
  enter(taskId: string, spec: TaskSpec, signal: AbortSignal): Workplace | Promise<Workplace> {
    const environments = this.#environments;
    if (environments instanceof FanoutError) throw environments;
    const environment = environments.get(taskId);
    if (environment?.isolation !== 'worktree' || this.#worktrees === undefined) return this.#workplace(this.root, spec, environment);
    return this.#worktrees
      .enter(taskId, spec.dependsOn ?? [], signal, environment.only)
      .then((cwd) => this.#workplace(new SandboxRoot(cwd), spec, environment));
  }

  /** Commits the worktree task `taskId` worked in; undefined when that failed. */
  async leave(taskId: string, spec: TaskSpec): Promise<LeftWorktree | undefined> {
    return this.#worktrees?.leave(taskId, spec.writes ?? []).catch(() => undefined);
  }

  #workplace(cwd: SandboxRoot, spec: TaskSpec, environment: TaskEnvironment | undefined): Workplace {
    if (environment?.shell !== true && cwd === this.root) return this.#rootWorkplace;
    const protectedPaths = cwd === this.root ? this.#rootProtectedPaths : protectedOutside(this.#ctx.protectedPaths, cwd);
    if (environment?.shell !== true) return { cwd, protectedPaths };
    const shell: ShellPolicy = {
      cwd: cwd.cwd,
      writes: spec.writes ?? [],
      // The store holds every run's worktrees: hidden whole, with the task's own bound back.
      hiddenPaths: [...this.#ctx.protectedPaths, ...(this.#worktrees === undefined ? [] : [this.#worktrees.root])],
      readPaths: this.#ctx.shellReadPaths,
      network: spec.shell?.network ?? [],
      timeoutMs: spec.shell?.timeoutMs ?? DEFAULT_SHELL_TIMEOUT_MS,
      maxOutputBytes: DEFAULT_SHELL_OUTPUT_BYTES,
      sandbox: this.#ctx.shellSandbox,
    };
    return { cwd, shell, protectedPaths };
  }
}

/** Each task's environment; a repository that changed since the check fails the tasks instead of the run. */
function decideEnvironments(ctx: ExecutionContext, setup: ExecutionSetup): Map<string, TaskEnvironment> | FanoutError {
  try {
    return taskEnvironments(setup.run.plan, setup.run.agents, {
      cwd: setup.run.cwd,
      workspaces: ctx.workspaces,
      shellSandbox: ctx.shellSandbox,
      source: setup.run.runId,
      wholeAgent: (spec) => isWholeAgent(modelOfRun(setup, spec.model).model),
    });
  } catch (error) {
    return toFanoutError(error);
  }
}

/**
 * The protected directories that a task working in `cwd` keeps: a worktree
 * lives in the store's directory, and a guard holding the whole workspace
 * would refuse every write.
 */
function protectedOutside(protectedPaths: readonly string[], cwd: SandboxRoot): readonly string[] {
  return protectedPaths.filter((dir) => path.relative(dir, cwd.cwd).startsWith('..'));
}

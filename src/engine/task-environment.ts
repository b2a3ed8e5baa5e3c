import { shellSandboxStatus } from '../agent/index.js';
import { FanoutError } from '../contracts/errors.js';
import type { Plan, TaskSpec } from '../contracts/plan.js';
import type { ResolvedAgent } from '../contracts/records.js';
import type { RepositoryState, WorktreeManager } from '../contracts/workspace.js';

/** How commands of a task's shell are run: under bubblewrap, or (only with `--no-sandbox`) unsandboxed. */
export type ShellSandboxMode = 'bwrap' | 'none';

/** Where and with what a task runs, beyond its spec's prompt and caps. */
export interface TaskEnvironment {
  /** Whether the task has the `bash` tool. */
  shell: boolean;
  /** Its own git worktree, or the run's working directory. */
  isolation: 'worktree' | 'none';
  /**
   * In a worktree, the globs of a lean checkout: the read and write scopes
   * of a task that names its read scope and has no shell (its file tools
   * then see only those files; commands would need the whole tree).
   */
  only?: readonly string[];
}

/** What deciding task environments needs. */
export interface EnvironmentContext {
  cwd: string;
  workspaces: WorktreeManager | undefined;
  shellSandbox: ShellSandboxMode;
  /** Names the plan in error messages. */
  source: string;
  /** Whether a task runs on a whole agent (Claude Code, a command), which acts in its directory as it likes. */
  wholeAgent?: (spec: TaskSpec) => boolean;
}

/** Whether a task asks for the shell: `shell` set, or `bash` among its tools or its agent's. */
export function wantsShell(spec: TaskSpec, agent: ResolvedAgent | undefined): boolean {
  return spec.shell !== undefined || (spec.tools ?? agent?.tools ?? []).includes('bash');
}

/**
 * Decides each task's shell and isolation, and refuses (one line naming
 * the field, nothing recorded) what cannot run here: a shell without a
 * sandbox (unless `--no-sandbox`) or, when it names network hosts, without
 * socat to reach them, `isolation: worktree` where the working directory is not
 * in a git repository on a branch. A task that writes, has a shell or runs
 * on a whole agent gets a worktree by default when the working directory
 * allows one, else none. A whole agent gets no shell of fanout's (it brings
 * its own), so the shell's checks do not apply to it.
 */
export function taskEnvironments(
  plan: Plan,
  agents: Readonly<Record<string, ResolvedAgent>> | undefined,
  ctx: EnvironmentContext,
): Map<string, TaskEnvironment> {
  let repository: RepositoryState | undefined;
  const repo = (): RepositoryState =>
    (repository ??= ctx.workspaces?.inspect(ctx.cwd) ?? { ok: false, problem: 'worktrees are not available in this fanout (no workspace was given to it)' });
  const environments = new Map<string, TaskEnvironment>();
  plan.tasks.forEach((spec, index) => {
    // Made only for an error: 10,000 tasks would build 10,000 strings that no one reads.
    const where = (): string => `${ctx.source}: tasks[${index}]`;
    const agent = spec.agent === undefined ? undefined : agents?.[spec.agent];
    // A whole agent brings its own shell (Claude Code's Bash): fanout's sandboxed one is not asked for.
    const whole = ctx.wholeAgent?.(spec) === true;
    const shell = !whole && wantsShell(spec, agent);
    if (shell) {
      const sandbox = shellSandboxStatus({ network: (spec.shell?.network ?? []).length > 0 });
      if (ctx.shellSandbox === 'bwrap' && !sandbox.available) {
        throw new FanoutError('SANDBOX_UNAVAILABLE', `${where()}: task ${spec.id} asks for a shell, but ${sandbox.problem}`, { where: where() });
      }
    }
    const asked = spec.isolation ?? plan.isolation;
    let isolation: TaskEnvironment['isolation'] = 'none';
    if (asked === 'worktree') {
      const state = repo();
      if (!state.ok) {
        const field = spec.isolation === undefined ? `${ctx.source}: isolation` : `${where()}.isolation`;
        throw new FanoutError('WORKSPACE_INVALID', `${field}: worktree isolation needs a git repository on a branch: ${state.problem}`, { where: field });
      }
      isolation = 'worktree';
    } else if (asked === undefined && (shell || whole || (spec.writes ?? []).length > 0) && repo().ok) {
      isolation = 'worktree';
    }
    const files = spec.files ?? [];
    const lean = isolation === 'worktree' && !shell && files.length > 0;
    environments.set(spec.id, { shell, isolation, ...(lean ? { only: [...files, ...(spec.writes ?? [])] } : {}) });
  });
  return environments;
}

/** What a task's shell may do. */
export interface ShellPolicy {
  /** Where commands run (the task's worktree or working directory), absolute. */
  cwd: string;
  /** Globs (relative to `cwd`) the task may write; the shell may write in the directories that hold them. */
  writes: readonly string[];
  /** Absolute paths a command may neither read nor write: fanout's store, other tasks' worktrees. */
  hiddenPaths: readonly string[];
  /**
   * Absolute paths a command may also read, bound read-only after the
   * private `/tmp` (and before hidden paths, which still win).
   */
  readPaths?: readonly string[];
  /**
   * Host names a command may reach. Empty: no network at all (the command
   * gets its own network namespace with only a loopback device).
   */
  network: readonly string[];
  /** Most time one command may take unless it asks for less, ms. */
  timeoutMs: number;
  /** Most bytes of output (stdout and stderr together) kept; the rest is counted and dropped. */
  maxOutputBytes: number;
  /**
   * `bwrap`: every command runs under bubblewrap. `none`: unsandboxed, only
   * when the user passed `--no-sandbox` explicitly.
   */
  sandbox: 'bwrap' | 'none';
}

/** Default time limit of one shell command, ms. */
export const DEFAULT_SHELL_TIMEOUT_MS = 120_000;
/** Default output cap of one shell command, bytes. */
export const DEFAULT_SHELL_OUTPUT_BYTES = 30_000;

/** The directories under `cwd` that hold each write glob's fixed part (`src/auth/**` → `src/auth`), relative. */
export function writeRoots(writes: readonly string[]): string[] {
  const roots = new Set<string>();
  for (const glob of writes) {
    const segments = glob.split('/');
    const fixed: string[] = [];
    for (const segment of segments) {
      if (/[*?[\]{}()!+@]/.test(segment)) break;
      fixed.push(segment);
    }
    // A glob with no wildcard names a file: its directory is the narrowest mount.
    if (fixed.length === segments.length) fixed.pop();
    roots.add(fixed.filter((segment) => segment !== '' && segment !== '.').join('/') || '.');
  }
  // A root inside another root adds nothing.
  const sorted = [...roots].sort();
  return sorted.filter((root) => !sorted.some((other) => other !== root && (other === '.' || root.startsWith(`${other}/`))));
}

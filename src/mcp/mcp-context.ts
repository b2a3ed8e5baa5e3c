import type { Fanout } from '../index.js';

/** What the MCP tools run on: the library, and how a recorded run is started in the background. */
export interface McpContext {
  fanout: Fanout;
  /**
   * Starts a prepared run (`Fanout.prepare`) in a process of its own that
   * outlives the server: MCP clients stop their servers whenever they like,
   * and the tasks must finish anyway. The CLI passes `fanout __execute`.
   * With `resume`, that process continues the run (`Fanout.resume`) instead.
   * Resolves once that process has recorded itself as the run's executor.
   */
  startDetached(runId: string, options?: { resume?: boolean }): Promise<void>;
  /** Directory relative plan paths are resolved against (the server's cwd). */
  cwd: string;
  /**
   * Longest a tool blocks before it returns the current status instead,
   * ms. Kept under the usual client request timeout (60 s). Default 50,000.
   */
  maxBlockMs?: number;
  /** Server version reported to clients. */
  version: string;
}

/** The default of {@link McpContext.maxBlockMs}. */
export const DEFAULT_MAX_BLOCK_MS = 50_000;

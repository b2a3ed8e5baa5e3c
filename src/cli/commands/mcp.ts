import { awaitDetachedStart, spawnDetachedRun } from '../detach.js';
import { ExitCode } from '../exit-codes.js';
import { untilStopSignal } from '../interrupt.js';
import type { CliIo } from '../io.js';
import { homeOf, withFanout } from '../library.js';
import { readVersion } from '../version.js';
import { workingDirOf } from '../working-dir.js';

/** Flags of `fanout mcp`. */
export interface McpFlags {
  /** Serve Streamable HTTP on this port (0: any free one) instead of stdio. */
  http?: number;
  cwd?: string;
}

/**
 * `fanout mcp`: fanout's tools as an MCP server, over stdio (the default)
 * or Streamable HTTP on 127.0.0.1. The tasks of each spawn run in a
 * detached `fanout __execute` process, as `run --detach` does, so they
 * finish even when the client stops this server.
 */
export async function mcpCommand(flags: McpFlags, io: CliIo): Promise<number> {
  const cwd = workingDirOf(io.cwd, flags.cwd);
  const home = await homeOf(io);
  const mcp = await import('../../mcp/index.js');
  // The runs' processes get the server's environment (API keys, base URLs) but not its token.
  const { FANOUT_MCP_TOKEN: _token, ...runEnv } = io.env;
  return withFanout(io, cwd, async (fanout) => {
    const context = {
      fanout,
      cwd,
      version: readVersion(),
      startDetached: (runId: string, options: { resume?: boolean } = {}) =>
        awaitDetachedStart(fanout, runId, spawnDetachedRun({ runId, home, cwd, env: runEnv, ...options })),
    };
    const log = (line: string) => io.stderr.write(`${line}\n`);
    if (flags.http === undefined) {
      await mcp.serveMcpStdio(context, log);
      return ExitCode.ok;
    }
    const fromEnv = io.env.FANOUT_MCP_TOKEN;
    const token = fromEnv || mcp.newMcpToken();
    const server = await mcp.serveMcpHttp(context, { port: flags.http, token });
    log(`fanout: MCP server (Streamable HTTP) on ${server.url}`);
    log(fromEnv ? 'fanout: bearer token from FANOUT_MCP_TOKEN' : `fanout: bearer token: ${token}`);
    await untilStopSignal();
    await server.close();
    log('fanout: MCP server stopped');
    return ExitCode.ok;
  });
}

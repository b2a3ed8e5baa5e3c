import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { createMcpServer } from './create-mcp-server.js';
import type { McpContext } from './mcp-context.js';

/**
 * Serves MCP over this process's stdin/stdout until the client closes
 * stdin (or the process is signalled). stdout carries protocol messages
 * only: anything else goes to `log` (stderr).
 */
export async function serveMcpStdio(context: McpContext, log: (line: string) => void): Promise<void> {
  const handle = serveStdio(() => createMcpServer(context), { onerror: (error) => log(`fanout mcp: ${error.message}`) });
  await new Promise<void>((resolve) => {
    process.stdin.once('close', resolve);
    process.stdin.once('end', resolve);
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await handle.close();
}

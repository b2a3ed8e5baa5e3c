import { McpServer } from '@modelcontextprotocol/server';
import type { McpContext } from './mcp-context.js';
import { registerResultTools } from './result-tools.js';
import { registerRunTools } from './run-tools.js';
import { registerTasksExtension } from './tasks-extension.js';

/**
 * One MCP server instance over the library: the tools and the Tasks
 * extension. Instances hold no state of their own (everything lives in the
 * store behind `context.fanout`), so a transport may build one per
 * connection or per request.
 */
export function createMcpServer(context: McpContext): McpServer {
  const server = new McpServer(
    { name: 'fanout', version: context.version },
    {
      instructions:
        'fanout runs subagents in parallel in the background. Put every independent task in ONE spawn call, ' +
        'then wait for the handles and read each result with task_output. Handles survive restarts.',
    },
  );
  registerRunTools(server, context);
  registerResultTools(server, context);
  registerTasksExtension(server, context.fanout);
  return server;
}

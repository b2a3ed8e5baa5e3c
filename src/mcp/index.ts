/** The MCP adapter: fanout's tools over stdio or Streamable HTTP, on the library API only. */
export { createMcpServer } from './create-mcp-server.js';
export { DEFAULT_MAX_BLOCK_MS, type McpContext } from './mcp-context.js';
export { serveMcpStdio } from './serve-stdio.js';
export { MCP_HTTP_PATH, newMcpToken, serveMcpHttp, type McpHttpServer } from './serve-http.js';
export { TASKS_EXTENSION } from './tasks-extension.js';

import type { ChildProcess } from 'node:child_process';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { cliEnv, outputMatches, REPO_ROOT, type BuiltCli, type CliChild } from '../../cli/test-support/cli-process.js';

/** The official MCP client connected to `fanout mcp` over stdio, started as a host starts it. */
export async function connectStdio(cli: BuiltCli, home: string): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cli.entry, 'mcp'],
    cwd: REPO_ROOT,
    env: cliEnv(home) as Record<string, string>,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'fanout-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

/** `fanout mcp --http 0` started with a token; resolves once it printed its URL. */
export async function startHttpServer(cli: BuiltCli, home: string, token: string): Promise<{ child: CliChild; url: string }> {
  const child = cli.start(['mcp', '--http', '0'], home, { FANOUT_MCP_TOKEN: token });
  await outputMatches(child.output, (output) => /on (http:\S+)/.test(output.stderr), 60_000);
  const url = /on (http:\S+)/.exec(child.output.stderr)?.[1] as string;
  return { child, url };
}

/** The official MCP client over Streamable HTTP with the bearer token. */
export async function connectHttp(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'fanout-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

/** Stops a server process and waits for it to exit. */
export async function stopProcess(child: ChildProcess & { exited: Promise<unknown> }): Promise<void> {
  child.kill('SIGTERM');
  await child.exited;
}

/** The structured result of a tool call, failing the test on an error result. */
export async function callTool<T = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown>): Promise<T> {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}

/** What ext-tasks' raw dispatch resolves with. */
export type RawOutcome = { kind: 'result'; result: Record<string, unknown> } | { kind: 'error'; error: { code: number; message: string } };

/** The per-request envelope of the 2026-07-28 protocol, declaring the Tasks extension. */
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'fanout-test', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } },
};

/**
 * Sends one JSON-RPC request of the 2026-07-28 protocol straight over HTTP: the SDK
 * client's codec refuses the Tasks extension's shapes (`resultType: "task"`), so
 * ext-tasks asks its host for a raw dispatch, which this is. Requests without an
 * envelope get one that declares the Tasks extension.
 */
export function rawHttpDispatch(url: string, token: string): (request: { method: string; params?: Record<string, unknown> }) => Promise<RawOutcome> {
  let id = 1_000;
  return async (request) => {
    const name = request.params?.taskId ?? request.params?.name;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': request.method,
        ...(typeof name === 'string' ? { 'mcp-name': name } : {}),
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: id++, method: request.method, params: { ...request.params, _meta: { ...ENVELOPE, ...(request.params?._meta as object) } } }),
    });
    const text = await response.text();
    // A JSON body, or an SSE stream whose last data line with an id is the response.
    const json = text.startsWith('{')
      ? JSON.parse(text)
      : JSON.parse(
          text
            .split('\n')
            .filter((line) => line.startsWith('data:') && line.includes('"id"'))
            .pop()
            ?.slice(5) ?? '{}',
        );
    return json.error !== undefined ? { kind: 'error', error: json.error } : { kind: 'result', result: json.result };
  };
}

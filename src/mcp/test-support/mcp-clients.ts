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
  await outputMatches(child.output, (output) => /on (http:\S+)/.test(output.stderr));
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

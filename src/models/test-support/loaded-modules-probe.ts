/**
 * Run as a child process (`node --import tsx loaded-modules-probe.ts <spec>`):
 * resolves `<spec>` with a fresh resolver, makes one model call against a
 * canned local server, and prints as JSON which of fanout's model modules
 * and which model SDKs the process loaded. A loader hook records every
 * module load, so the answer does not depend on any cache's internals.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const HOOKS = `
let port;
export function initialize(data) {
  port = data.port;
  port.on('message', () => port.postMessage({ flushed: true }));
}
export async function load(url, context, next) {
  port.postMessage({ url });
  return next(url, context);
}`;

const { port1, port2 } = new MessageChannel();
const urls: string[] = [];
let flushed: () => void = () => {};
port1.on('message', (message: { url?: string; flushed?: boolean }) => {
  if (message.url !== undefined) urls.push(message.url);
  if (message.flushed === true) flushed();
});
register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { port: port2 }, transferList: [port2] });

/** Answers both wire formats with a short text, whatever was asked. */
const server = http.createServer((req, res) => {
  req.resume().on('end', () => {
    const body = req.url?.endsWith('/chat/completions')
      ? { id: 'c', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] }
      : { id: 'm', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const { createModelResolver } = await import('../resolver.js');
const resolver = createModelResolver({
  env: { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: url, OPENAI_API_KEY: 'k', OPENAI_BASE_URL: `${url}/v1` },
});
const response = await resolver.resolve(process.argv[2] ?? '').generate({
  system: 'You are a probe.',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Which modules?' }] }],
  tools: [],
  maxTokens: 16,
  signal: new AbortController().signal,
});
await resolver.close();
server.close();
// A round trip through the hooks' port: every load message sent before it has arrived after it.
await new Promise<void>((resolve) => {
  flushed = resolve;
  port1.postMessage('flush');
});
port1.close();

const models = new URL('../', import.meta.url).href;
const packages = new Set<string>();
for (const loaded of urls) {
  const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(loaded);
  if (match?.[1] !== undefined) packages.add(match[1]);
}
process.stdout.write(
  `${JSON.stringify({
    answered: response.content.length > 0,
    models: urls.filter((loaded) => loaded.startsWith(models)).map((loaded) => loaded.slice(models.length)),
    sdks: [...packages].filter((name) => name === '@anthropic-ai/sdk' || name === 'openai').sort(),
  })}\n`,
);

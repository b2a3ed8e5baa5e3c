/**
 * Raw-HTTP helpers for the simulated server's tests: they talk to it with
 * plain `fetch`, the way any client on the wire would.
 */

/** One server-sent event: the `event:` line (null when absent) and the parsed `data:` JSON (or the raw string). */
export interface SseEvent {
  event: string | null;
  data: unknown;
}

/** POSTs a JSON body with an API key unless `headers` overrides it. */
export function postJson(url: string, body: unknown, headers: Record<string, string> = { 'x-api-key': 'test' }): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Splits an event stream into events; `data: [DONE]` stays a string. */
export function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      let event: string | null = null;
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        if (line.startsWith('data: ')) data = line.slice(6);
      }
      return { event, data: data === '[DONE]' ? data : JSON.parse(data) };
    });
}

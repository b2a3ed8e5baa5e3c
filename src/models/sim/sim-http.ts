import type { IncomingMessage, ServerResponse } from 'node:http';
import { FanoutError } from '../../contracts/errors.js';

/** Largest request body accepted; a synthesis over many long outputs stays far below it. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Reads the whole request body; rejects with status 413 above
 * {@link MAX_BODY_BYTES}. An oversized body is still drained (not kept) so
 * the 413 reaches the client over the same connection.
 */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        reject(new FanoutError('OPTION_INVALID', `request body is larger than ${MAX_BODY_BYTES} bytes`, { status: 413 }));
      } else {
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      }
    });
    req.on('error', reject);
  });
}

/** Parses a JSON body; invalid JSON is a 400. */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new FanoutError('OPTION_INVALID', `request body is not valid JSON: ${(error as Error).message}`, { status: 400 });
  }
}

/** Sends a complete body with an explicit length, so the answer leaves in one write. */
export function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/** Sends a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  send(res, status, 'application/json', JSON.stringify(body), headers);
}

/**
 * `retry-after` (whole seconds, rounded up) and `retry-after-ms`. 429 and
 * 529 always carry them (0 when no wait was given); other statuses only
 * when a wait was given.
 */
export function retryHeaders(status: number, retryAfterMs: number | undefined): Record<string, string> {
  if (retryAfterMs === undefined && status !== 429 && status !== 529) return {};
  const ms = retryAfterMs ?? 0;
  return { 'retry-after': String(Math.ceil(ms / 1000)), 'retry-after-ms': String(ms) };
}

/** True when the request carries an API key in `x-api-key` or `Authorization: Bearer`; any value is accepted. */
export function hasApiKey(req: IncomingMessage): boolean {
  const key = req.headers['x-api-key'];
  if (typeof key === 'string' && key !== '') return true;
  const authorization = req.headers.authorization;
  return typeof authorization === 'string' && /^bearer\s+\S/i.test(authorization);
}

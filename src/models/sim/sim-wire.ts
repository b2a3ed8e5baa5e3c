import { FanoutError } from '../../contracts/errors.js';
import type { SimConversation } from './sim-conversation.js';
import type { RateLimitState } from './rate-limiter.js';
import type { SimAnswer } from './sim-responder.js';

/** A request of one wire format after parsing. */
export interface SimRequest {
  conversation: SimConversation;
  /** The model name the client asked for, echoed back. */
  model: string;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`: send a usage chunk before `[DONE]`. */
  includeUsage: boolean;
}

/** One API dialect the simulated server speaks; the server's request flow is shared. */
export interface SimWire {
  /** Normalises a parsed JSON body; throws FanoutError with status 400 when it is malformed. */
  parse(body: unknown): SimRequest;
  /** The non-streaming response body. */
  json(answer: SimAnswer, request: SimRequest): unknown;
  /** The whole server-sent-event stream of the answer. */
  sse(answer: SimAnswer, request: SimRequest): string;
  /** The error body for an HTTP error status. */
  error(status: number, message: string): unknown;
  /** The rate-limit headers of this API for the limits' state at `nowEpochMs`. */
  limitHeaders(state: RateLimitState, nowEpochMs: number): Record<string, string>;
}

/**
 * Cuts `text` into pieces of at most `size` UTF-16 units without splitting
 * a surrogate pair, so each piece is valid on its own inside JSON.
 */
export function splitFragments(text: string, size: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end++;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

/** Size of the text deltas: a few words each, like a real stream. */
export const TEXT_FRAGMENT_SIZE = 48;

/** Tool-call arguments arrive in this many pieces (fewer when short). */
const JSON_FRAGMENTS = 3;

/** A tool call's input as the JSON pieces a stream sends it in. */
export function jsonFragments(input: Record<string, unknown>): string[] {
  const json = JSON.stringify(input);
  return splitFragments(json, Math.max(1, Math.ceil(json.length / JSON_FRAGMENTS)));
}

/** What both wire formats read alike from a request body. */
export interface SimEnvelope {
  /** The body's fields, for the format's own reading. */
  fields: Record<string, unknown>;
  /** `messages`, checked to be a non-empty array. */
  messages: unknown[];
  model: string;
  stream: boolean;
}

/** Reads the fields both formats share; throws the 400 error when the body or its `messages` is malformed. */
export function parseEnvelope(body: unknown): SimEnvelope {
  const fields = requireObject(body, 'request body');
  const messages = requireArray(fields.messages, 'messages');
  if (messages.length === 0) throw invalidRequest('messages: expected at least one message');
  return { fields, messages, model: typeof fields.model === 'string' ? fields.model : 'sim', stream: fields.stream === true };
}

/** The error for a malformed request: the server answers it with 400 and its message. */
export function invalidRequest(message: string): FanoutError {
  return new FanoutError('OPTION_INVALID', message, { status: 400 });
}

/** Checks that `value` is a JSON object; `where` names it in the error. */
export function requireObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidRequest(`${where}: expected a JSON object`);
  return value as Record<string, unknown>;
}

/** Checks that `value` is an array; `where` names it in the error. */
export function requireArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw invalidRequest(`${where}: expected an array`);
  return value;
}

/** An optional count such as `max_tokens`: absent, or an integer >= 1. */
export function optionalTokenLimit(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw invalidRequest(`${where}: expected an integer >= 1`);
  return value;
}

/** The object at `path` inside `value`, or undefined when any step is missing or not an object. */
export function objectAt(value: unknown, ...path: string[]): Record<string, unknown> | undefined {
  let node = value;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as Record<string, unknown>) : undefined;
}

import type { ServerContext } from '@modelcontextprotocol/server';

/** Sends MCP progress notifications for one request, when the client asked for them. */
export interface ProgressSender {
  report(message: string): void;
  /** Stops the heartbeat. */
  close(): void;
}

/** Heartbeat period: a client that resets its timeout on progress keeps waiting. */
const HEARTBEAT_MS = 5_000;

/**
 * Progress for a blocking tool call: a notification on every change, and a
 * heartbeat every 5 s repeating the last message, so clients that reset
 * their request timeout on progress do not give up on a long wait.
 * `progress` counts notifications (it must only increase); the message says
 * what happened. Silent when the request has no progress token.
 */
export function progressSender(ctx: ServerContext): ProgressSender {
  const token = ctx.mcpReq._meta?.progressToken;
  if (token === undefined) return { report: () => undefined, close: () => undefined };
  let progress = 0;
  let message = 'waiting';
  const send = () => {
    progress += 1;
    // A client that went away cannot be told anything; the wait itself ends on its abort signal.
    ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress, message } }).catch(() => undefined);
  };
  const timer = setInterval(send, HEARTBEAT_MS);
  timer.unref();
  return {
    report(next) {
      message = next;
      send();
    },
    close: () => clearInterval(timer),
  };
}

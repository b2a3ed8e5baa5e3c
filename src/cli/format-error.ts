import { isFanoutError } from '../contracts/errors.js';

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * The line printed when a command fails: `fanout: <message>`, one line.
 * With `debug`, the stack and the chain of causes follow it.
 */
export function formatError(error: unknown, debug: boolean): string {
  let message = error instanceof Error ? error.message : String(error);
  if (isFanoutError(error) && error.where && !message.includes(error.where)) {
    message = `${error.where}: ${message}`;
  }
  const line = `fanout: ${oneLine(message) || 'unknown error'}`;
  if (!debug) return `${line}\n`;
  const details: string[] = [line];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth += 1) {
    if (current instanceof Error) {
      details.push(depth === 0 ? (current.stack ?? '') : `caused by: ${current.stack ?? current.message}`);
      current = current.cause;
    } else {
      details.push(`caused by: ${String(current)}`);
      current = undefined;
    }
  }
  return `${details.join('\n')}\n`;
}

/** Commander's own error text (`error: unknown option '--x'`, possibly with a hint line) as one line. */
export function formatCommanderMessage(text: string): string {
  return `fanout: ${oneLine(text.replace(/^error:\s*/i, ''))}\n`;
}

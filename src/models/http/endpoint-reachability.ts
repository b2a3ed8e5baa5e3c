import net from 'node:net';
import { FanoutError } from '../../contracts/errors.js';

/** How long a reachability probe waits for the TCP handshake. */
export const PREFLIGHT_TIMEOUT_MS = 3_000;

/** What a failed probe is reported with. */
export interface EndpointDescription {
  /** The base URL as configured, named in the message. */
  url: string;
  /** The model spec that needs it. */
  spec: string;
  /** The environment variable (or option) the URL came from, named as the thing to check. */
  source?: string;
}

/** Checks that endpoints accept TCP connections; remembers those that did. */
export interface EndpointReachability {
  /**
   * Resolves once a TCP connection to the URL's host and port succeeded (at
   * once when one already did through this object). Throws FanoutError
   * `MODEL_CONFIG` (`cannot reach <url> for model "<spec>" (connection
   * refused) — check <source>`), or `ABORTED` when the signal fires.
   */
  check(endpoint: EndpointDescription, signal?: AbortSignal): Promise<void>;
}

/**
 * A TCP-level reachability check with a cache of successes per host and
 * port. Only a connection is opened (and closed at once): it catches a
 * server that is down, a wrong port and an unknown host before any work is
 * recorded, without spending a model call. Failures are not cached, so a
 * server started later is found on the next check.
 */
export function createEndpointReachability(timeoutMs: number = PREFLIGHT_TIMEOUT_MS): EndpointReachability {
  const reached = new Set<string>();
  return {
    async check(endpoint, signal) {
      const target = tcpTarget(endpoint);
      const key = `${target.host}:${target.port}`;
      if (reached.has(key)) return;
      try {
        await connectOnce(target, timeoutMs, signal);
      } catch (error) {
        if (signal?.aborted === true) {
          throw new FanoutError('ABORTED', `reaching ${endpoint.url} for model "${endpoint.spec}" was aborted`, { cause: error });
        }
        const hint = endpoint.source === undefined ? '' : ` — check ${endpoint.source}`;
        throw new FanoutError('MODEL_CONFIG', `cannot reach ${endpoint.url} for model "${endpoint.spec}" (${reason(error, timeoutMs)})${hint}`, {
          cause: error,
        });
      }
      reached.add(key);
    },
  };
}

function tcpTarget(endpoint: EndpointDescription): { host: string; port: number } {
  let url: URL;
  try {
    url = new URL(endpoint.url);
  } catch (error) {
    const from = endpoint.source === undefined ? '' : ` (from ${endpoint.source})`;
    throw new FanoutError('MODEL_CONFIG', `model "${endpoint.spec}": "${endpoint.url}"${from} is not a URL`, { cause: error });
  }
  // `URL.hostname` keeps the brackets of an IPv6 address; net.connect wants it bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return { host, port };
}

/** Why the probe failed, in a few words: refused, unknown host, timeout, else the system error code. */
function reason(error: unknown, timeoutMs: number): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unknown host';
  if (code === 'ETIMEDOUT') return `no answer within ${timeoutMs / 1000} s`;
  return code ?? (error instanceof Error ? error.message : String(error));
}

function connectOnce(target: { host: string; port: number }, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const socket = net.connect({ host: target.host, port: target.port });
    const finish = (error?: unknown): void => {
      socket.destroy();
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = (): void => finish(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.setTimeout(timeoutMs, () => finish(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })));
    socket.once('connect', () => finish());
    socket.once('error', finish);
  });
}

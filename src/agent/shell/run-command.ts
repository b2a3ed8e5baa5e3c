import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { systemClock } from '../../contracts/clock.js';
import { FanoutError } from '../../contracts/errors.js';
import { bwrapArgs } from './bwrap-args.js';
import { hostAllowed, startNetworkProxy } from './network-proxy.js';
import { shellEnvironment } from './shell-env.js';
import { writeRoots, type ShellPolicy } from './shell-policy.js';

/** How a shell command ended. */
export interface CommandResult {
  /** Exit code; undefined when it was killed. */
  exitCode: number | undefined;
  /** stdout and stderr interleaved as they came, cut at the policy's cap. */
  output: string;
  /** Bytes of output dropped past the cap. */
  droppedBytes: number;
  /** Why it was killed, when it was: the time limit or an abort. */
  killed: 'timeout' | 'aborted' | undefined;
  /** `host:port` of each connection the network proxy refused (a host not in `ShellPolicy.network`), each once. */
  refusedHosts: string[];
  durationMs: number;
}

/** Grace between SIGTERM to the process group and SIGKILL, ms. */
const KILL_GRACE_MS = 200;

/** The TCP port, inside a command's own network namespace, where socat bridges to the network proxy. */
const PROXY_PORT = 3128;
/** Loopback names a command reaches in its own namespace, not through the proxy, unless the task names them. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
/** The proxy port's line in /proc/net/tcp once socat listens: 127.0.0.1:port, no peer, state LISTEN. */
const LISTENING = `0100007F:${PROXY_PORT.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A`;
/**
 * Run inside the sandbox before the command when the task names hosts:
 * socat listens on the proxy port and bridges each connection to the
 * proxy's unix socket ($2). The command starts once the port is listening
 * (read from /proc/net/tcp, without a probe connection), or after 2 s with
 * a warning; `exec` keeps its exit code the command's.
 */
const BRIDGE_SCRIPT = [
  `socat TCP-LISTEN:${PROXY_PORT},bind=127.0.0.1,fork,reuseaddr "UNIX-CONNECT:$2" </dev/null >/dev/null 2>&1 &`,
  `for _ in {1..200}; do read -r -d '' t </proc/net/tcp; [[ $t == *"${LISTENING}"* ]] && break; sleep 0.01; done`,
  `[[ $t == *"${LISTENING}"* ]] || echo "fanout: the network bridge (socat) did not start; commands cannot reach the task's hosts" >&2`,
  'exec bash -c "$1"',
].join('\n');

/**
 * Runs `command` with `bash -c` under the policy's sandbox. The command and
 * everything it starts share one process group (and, sandboxed, one PID
 * namespace whose init dies with it): on the time limit, an abort or
 * fanout's exit the whole group is killed, so no forked process outlives
 * the command. Sandboxed, it has its own network namespace; when the policy
 * names hosts, an allow-list proxy (see `startNetworkProxy`) serves this one
 * command, reached through `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY`, and is
 * closed when it ends. Never throws for the command's own failure; rejects
 * with `SANDBOX_UNAVAILABLE` when bubblewrap cannot be started.
 */
export async function runShellCommand(
  command: string,
  policy: ShellPolicy,
  options: { timeoutMs?: number; signal: AbortSignal },
): Promise<CommandResult> {
  // Before the sandbox's arguments: it binds only write roots that exist.
  for (const root of writeRoots(policy.writes)) mkdirSync(path.join(policy.cwd, root), { recursive: true });
  if (policy.sandbox !== 'bwrap') return spawnCommand('bash', ['-c', command], {}, policy, options);
  if (policy.network.length === 0) return spawnCommand('bwrap', [...bwrapArgs(policy), '--', 'bash', '-c', command], {}, policy, options);
  const proxy = await startNetworkProxy(policy.network, { signal: options.signal });
  try {
    const url = `http://127.0.0.1:${PROXY_PORT}`;
    const direct = LOOPBACK_NAMES.filter((name) => !hostAllowed(name, policy.network)).join(',');
    const env: Record<string, string> = { NODE_USE_ENV_PROXY: '1' };
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY']) {
      const value = name === 'NO_PROXY' ? direct : url;
      env[name] = value;
      env[name.toLowerCase()] = value;
    }
    const args = [...bwrapArgs(policy, { proxySocket: proxy.socketPath }), '--', 'bash', '-c', BRIDGE_SCRIPT, 'fanout-net', command, proxy.socketPath];
    const result = await spawnCommand('bwrap', args, env, policy, options);
    return { ...result, refusedHosts: [...proxy.refused] };
  } finally {
    proxy.close();
  }
}

function spawnCommand(
  file: string,
  args: string[],
  extraEnv: Readonly<Record<string, string>>,
  policy: ShellPolicy,
  options: { timeoutMs?: number; signal: AbortSignal },
): Promise<CommandResult> {
  const timeoutMs = Math.min(options.timeoutMs ?? policy.timeoutMs, policy.timeoutMs);
  const env = shellEnvironment(process.env, extraEnv);
  const started = systemClock.monotonic();
  return new Promise<CommandResult>((resolve, reject) => {
    if (options.signal.aborted) {
      reject(new FanoutError('ABORTED', 'shell command aborted'));
      return;
    }
    const child = spawn(file, args, { cwd: policy.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const chunks: Buffer[] = [];
    let kept = 0;
    let droppedBytes = 0;
    let killed: CommandResult['killed'];
    let spawnError: Error | undefined;
    const take = (chunk: Buffer): void => {
      const room = policy.maxOutputBytes - kept;
      if (room > 0) chunks.push(chunk.subarray(0, room));
      kept += Math.min(room > 0 ? room : 0, chunk.length);
      droppedBytes += Math.max(0, chunk.length - Math.max(room, 0));
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const killGroup = (why: 'timeout' | 'aborted'): void => {
      killed ??= why;
      signalGroup(child.pid, 'SIGTERM');
      setTimeout(() => signalGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS).unref();
    };
    const timer = setTimeout(() => killGroup('timeout'), timeoutMs);
    const onAbort = (): void => killGroup('aborted');
    options.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      spawnError = error;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      // The group may still hold processes that closed their output: they go with it.
      signalGroup(child.pid, 'SIGKILL');
      if (spawnError !== undefined) {
        reject(
          policy.sandbox === 'bwrap'
            ? new FanoutError('SANDBOX_UNAVAILABLE', `cannot start bubblewrap: ${spawnError.message}`, { cause: spawnError })
            : new FanoutError('TOOL_FAILED', `cannot start bash: ${spawnError.message}`, { cause: spawnError }),
        );
        return;
      }
      const output = Buffer.concat(chunks).toString('utf8');
      resolve({ exitCode: killed === undefined ? (code ?? undefined) : undefined, output, droppedBytes, killed, refusedHosts: [], durationMs: systemClock.monotonic() - started });
    });
  });
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

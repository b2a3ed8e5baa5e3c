import { spawnSync } from 'node:child_process';

/** Whether commands can be sandboxed here, and if not what to install. */
export interface ShellSandboxStatus {
  available: boolean;
  /** One line: what is missing and how to get it (empty when available). */
  problem: string;
}

let cached: ShellSandboxStatus | undefined;
let socat: ShellSandboxStatus | undefined;

/**
 * Checks once per process that bubblewrap is installed and can create the
 * namespaces fanout asks for (it cannot in some containers without user
 * namespaces), by running `true` under the same isolation. With
 * `network: true` (a task that names hosts), also that socat, which
 * bridges a command's namespace to the network proxy, is installed.
 */
export function shellSandboxStatus(options: { network?: boolean } = {}): ShellSandboxStatus {
  const status = bwrapStatus();
  if (!status.available || options.network !== true) return status;
  if (socat === undefined) {
    const probe = spawnSync('socat', ['-V'], { stdio: 'ignore', timeout: 10_000 });
    socat =
      probe.error === undefined && probe.status === 0
        ? status
        : { available: false, problem: 'commands reach named hosts through socat: install it (apt-get install socat, dnf install socat) or pass --no-sandbox' };
  }
  return socat;
}

function bwrapStatus(): ShellSandboxStatus {
  if (cached !== undefined) return cached;
  if (process.platform !== 'linux') {
    cached = { available: false, problem: `the shell sandbox needs Linux with bubblewrap; this is ${process.platform} (pass --no-sandbox to run commands unsandboxed)` };
    return cached;
  }
  const probe = spawnSync('bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-pid', '--unshare-net', '--die-with-parent', '--', 'true'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 10_000,
    encoding: 'utf8',
  });
  if (probe.error !== undefined && (probe.error as NodeJS.ErrnoException).code === 'ENOENT') {
    cached = { available: false, problem: 'the shell sandbox needs bubblewrap: install it (apt-get install bubblewrap, dnf install bubblewrap) or pass --no-sandbox' };
  } else if (probe.status !== 0) {
    const why = (probe.stderr ?? '').trim().split('\n')[0] || probe.error?.message || `exit code ${String(probe.status)}`;
    cached = { available: false, problem: `bubblewrap cannot create a sandbox here (${why}); enable unprivileged user namespaces or pass --no-sandbox` };
  } else {
    cached = { available: true, problem: '' };
  }
  return cached;
}

import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { writeRoots, type ShellPolicy } from './shell-policy.js';

/** Files and directories under the home directory that hold credentials: hidden from every command. */
const SECRET_HOME_PATHS = [
  '.ssh',
  '.gnupg',
  '.aws',
  '.azure',
  '.kube',
  '.docker',
  '.netrc',
  '.npmrc',
  '.pypirc',
  '.git-credentials',
  '.config/gh',
  '.config/gcloud',
  '.claude',
  '.claude.json',
  '.anthropic',
];

/**
 * The bubblewrap arguments that confine one command: the whole file system
 * read-only, a private `/tmp`, secrets and `hidden` paths replaced by empty
 * ones, the working directory readable and its write roots writable (`.git`
 * and `.claude` never), its own network namespace (only a loopback device;
 * with `proxySocket`, the network proxy's unix socket bound in, the one way
 * out), its own PID namespace and session, and death with fanout. Mounts
 * apply in order, so a path hidden inside the working directory is hidden
 * after the directory is bound.
 */
export function bwrapArgs(policy: ShellPolicy, options: { home?: string; proxySocket?: string } = {}): string[] {
  const { home = homedir(), proxySocket } = options;
  const cwd = path.resolve(policy.cwd);
  const hidden = [...SECRET_HOME_PATHS.map((name) => path.join(home, name)), ...policy.hiddenPaths.map((dir) => path.resolve(dir))];
  const inside = (target: string): boolean => target === cwd || target.startsWith(`${cwd}${path.sep}`);
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp'];
  const hide = (target: string): void => {
    if (!existsSync(target)) return;
    if (statSync(target).isDirectory()) args.push('--tmpfs', target);
    else args.push('--ro-bind', '/dev/null', target);
  };
  for (const target of policy.readPaths ?? []) if (existsSync(target)) args.push('--ro-bind', path.resolve(target), path.resolve(target));
  // Hidden paths that contain the working directory (the store holds the worktrees) are hidden first, then cwd is bound back.
  for (const target of hidden) if (!inside(target)) hide(target);
  args.push('--ro-bind', cwd, cwd);
  for (const root of writeRoots(policy.writes)) {
    const dir = path.join(cwd, root);
    if (existsSync(dir)) args.push('--bind', dir, dir);
  }
  // .claude like .git: later runs load its agent definitions as trusted prompts.
  for (const reserved of ['.git', '.claude']) {
    const dir = path.join(cwd, reserved);
    if (existsSync(dir)) args.push('--ro-bind', dir, dir);
  }
  for (const target of hidden) if (inside(target) && target !== cwd) hide(target);
  // After the private /tmp, which would hide it: the proxy's socket usually lives under /tmp.
  if (proxySocket !== undefined) args.push('--bind', proxySocket, proxySocket);
  args.push('--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--unshare-net');
  args.push('--new-session', '--die-with-parent', '--chdir', cwd);
  return args;
}

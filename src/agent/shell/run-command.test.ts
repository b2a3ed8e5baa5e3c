import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { executeToolCalls } from '../tools/index.js';
import { bashTool } from '../tools/bash.js';
import { createSandbox } from '../sandbox.js';
import { useTempDirs } from '../test-support/temp-workspace.js';
import { runShellCommand } from './run-command.js';
import { shellSandboxStatus } from './sandbox-probe.js';
import { DEFAULT_SHELL_OUTPUT_BYTES, writeRoots, type ShellPolicy } from './shell-policy.js';

const makeDir = useTempDirs();
const never = new AbortController().signal;

function policy(cwd: string, overrides: Partial<ShellPolicy> = {}): ShellPolicy {
  return { cwd, writes: ['out/**'], hiddenPaths: [], network: [], timeoutMs: 10_000, maxOutputBytes: DEFAULT_SHELL_OUTPUT_BYTES, sandbox: 'bwrap', ...overrides };
}

/** Runs one bash tool call the way the agent loop does. */
async function bash(shell: ShellPolicy, command: string, timeoutMs?: number) {
  const [result] = await executeToolCalls(
    [{ type: 'tool_use', id: 't1', name: 'bash', input: timeoutMs === undefined ? { command } : { command, timeoutMs } }],
    { tools: [bashTool], sandbox: createSandbox({ cwd: shell.cwd, writes: shell.writes }), signal: never, shell },
  );
  return result as { content: string; isError: boolean };
}

describe('shell sandbox', () => {
  it('is available on this machine, with socat for named hosts (CI installs bubblewrap and socat)', () => {
    expect(shellSandboxStatus()).toEqual({ available: true, problem: '' });
    expect(shellSandboxStatus({ network: true })).toEqual({ available: true, problem: '' });
  });

  it('runs a command in the task directory and writes inside the write scope', async () => {
    const cwd = await makeDir({ 'src/a.ts': 'export {};\n' });
    const result = await bash(policy(cwd), 'cat src/a.ts && echo built > out/result.txt && pwd');
    expect(result.isError).toBe(false);
    expect(result.content).toBe(`export {};\n${cwd}\n\n[exit code 0]`);
    expect(readFileSync(path.join(cwd, 'out/result.txt'), 'utf8')).toBe('built\n');
  });

  it('refuses writes outside the write scope, to .git, and outside the directory, and reports them', async () => {
    const top = await makeDir({ 'task/src/a.ts': 'a\n', 'task/.git/HEAD': 'ref\n', 'task/.claude/agents/a.md': 'trusted\n', 'elsewhere/keep.txt': 'k\n' });
    const cwd = path.join(top, 'task');
    for (const target of ['src/a.ts', '.git/HEAD']) {
      const result = await bash(policy(cwd), `echo changed > ${target}`);
      expect(result).toMatchObject({ isError: true });
      expect(result.content).toMatch(/^command refused by the sandbox \(exit code 1\): .*Read-only file system/);
    }
    // Outside the task directory, /tmp is the sandbox's own: the sibling directory is not even there.
    const outside = await bash(policy(cwd), 'echo changed > ../elsewhere/keep.txt');
    expect(outside.content).toMatch(/No such file or directory[\s\S]*\[exit code 1\]$/);
    expect(readFileSync(path.join(cwd, 'src/a.ts'), 'utf8')).toBe('a\n');
    expect(readFileSync(path.join(top, 'elsewhere/keep.txt'), 'utf8')).toBe('k\n');
    const whole = await bash(policy(cwd, { writes: ['**'] }), 'echo changed > .git/HEAD');
    expect(whole.isError).toBe(true);
    expect(readFileSync(path.join(cwd, '.git/HEAD'), 'utf8')).toBe('ref\n');
    const agents = await bash(policy(cwd, { writes: ['**'] }), 'echo evil > .claude/agents/a.md');
    expect(agents.isError).toBe(true);
    expect(readFileSync(path.join(cwd, '.claude/agents/a.md'), 'utf8')).toBe('trusted\n');
  });

  it('hides ~/.ssh and the hidden paths (the store, other worktrees)', async () => {
    const top = await makeDir({ 'home/.ssh/id_ed25519': 'PRIVATE KEY\n', 'store/runs.db': 'db\n', 'task/a.txt': 'a\n' });
    const previous = process.env['HOME'];
    process.env['HOME'] = path.join(top, 'home');
    try {
      const shell = policy(path.join(top, 'task'), { hiddenPaths: [path.join(top, 'store')] });
      const result = await bash(shell, `cat ~/.ssh/id_ed25519; cat ${path.join(top, 'store/runs.db')}; ls -A ~/.ssh ${path.join(top, 'store')}; cat a.txt`);
      expect(result.content).not.toContain('PRIVATE KEY');
      expect(result.content).not.toContain('db\n');
      expect(result.content).toContain('No such file or directory');
      expect(result.content).toContain('a\n');
    } finally {
      process.env['HOME'] = previous;
    }
  });

  it('reads what readPaths name under /tmp, which its private /tmp hides otherwise, and cannot write there', async () => {
    const top = await makeDir({ 'deps/tsx/index.js': 'export {};\n', 'task/a.txt': 'a\n' });
    expect(top.startsWith(`${path.sep}tmp${path.sep}`)).toBe(true);
    const deps = path.join(top, 'deps');
    const command = `cat ${deps}/tsx/index.js; echo x > ${deps}/new.txt`;
    const hidden = await bash(policy(path.join(top, 'task')), command);
    expect(hidden.content).toContain(`${deps}/tsx/index.js: No such file or directory`);
    const readable = await bash(policy(path.join(top, 'task'), { readPaths: [deps] }), command);
    expect(readable.content).toContain('export {};');
    expect(readable.content).toMatch(/Read-only file system/);
    expect(existsSync(path.join(deps, 'new.txt'))).toBe(false);
  });

  describe('network', () => {
    let server: Server | undefined;
    afterEach(() => server?.close());

    /** A TCP server on 127.0.0.1 that says hello and counts connections. */
    async function tcpServer(): Promise<{ port: number; connections: () => number }> {
      let connections = 0;
      const tcp = createServer((socket) => {
        connections += 1;
        socket.end('hello\n');
      });
      server = tcp;
      await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
      return { port: (tcp.address() as { port: number }).port, connections: () => connections };
    }

    it('cannot reach the network, not even 127.0.0.1, when the task names no hosts', async () => {
      const { port, connections } = await tcpServer();
      const cwd = await makeDir();
      const result = await bash(policy(cwd), `exec 3<>/dev/tcp/127.0.0.1/${port} && cat <&3`);
      expect(result.content).toMatch(/Connection refused|Network is unreachable/);
      expect(result.content).not.toContain('hello');
      expect(connections()).toBe(0);
      // The same command unsandboxed does connect: the refusal is the sandbox's.
      const open = await runShellCommand(`exec 3<>/dev/tcp/127.0.0.1/${port} && head -1 <&3`, policy(cwd, { sandbox: 'none' }), { signal: never });
      expect(open.output).toBe('hello\n');
    });

    /** An HTTP server on 127.0.0.1 that answers with the path it was asked for and counts requests. */
    async function httpServer(): Promise<{ port: number; paths: string[] }> {
      const paths: string[] = [];
      const http = createHttpServer((req, res) => {
        paths.push(req.url ?? '');
        res.end(`hello ${req.url ?? ''}\n`);
      });
      server = http;
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      return { port: (http.address() as { port: number }).port, paths };
    }

    it('reaches a host the task names through the proxy, plain HTTP and CONNECT, with the proxy variables set', async () => {
      const { port, paths } = await httpServer();
      const cwd = await makeDir();
      const result = await bash(
        policy(cwd, { network: ['localhost'] }),
        `echo "$HTTPS_PROXY $all_proxy"; curl -sS http://localhost:${port}/plain && curl -sS --proxytunnel http://localhost:${port}/tunnel`,
      );
      expect(result).toEqual({
        isError: false,
        content: `http://127.0.0.1:3128 http://127.0.0.1:3128\nhello /plain\nhello /tunnel\n\n[exit code 0]`,
        type: 'tool_result',
        toolUseId: 't1',
      });
      expect(paths).toEqual(['/plain', '/tunnel']);
    });

    it('refuses a host the task does not name (though it resolves to 127.0.0.1 too) with a 403, and reports it', async () => {
      const { port, paths } = await httpServer();
      const cwd = await makeDir();
      // Loopback names go straight to the command's own loopback unless named: clearing NO_PROXY sends them to the proxy.
      const result = await bash(
        policy(cwd, { network: ['localhost', '*.example.com'] }),
        `export NO_PROXY= no_proxy=; curl -sS http://127.0.0.1:${port}/plain; curl -sS --proxytunnel http://127.0.0.1:${port}/tunnel`,
      );
      expect(result.isError).toBe(true);
      expect(result.content).toBe(
        `command refused network access to 127.0.0.1:${port} (not in this task's shell.network: localhost, *.example.com) (exit code 56): ` +
          `fanout: 127.0.0.1 is not in this task's shell.network (localhost, *.example.com); connection refused ` +
          'curl: (56) CONNECT tunnel failed, response 403',
      );
      expect(paths).toEqual([]);
    });

    it('gives a command that names hosts no direct connection: only the proxy leads out', async () => {
      const { port, connections } = await tcpServer();
      const cwd = await makeDir();
      const result = await runShellCommand(`exec 3<>/dev/tcp/127.0.0.1/${port} && cat <&3`, policy(cwd, { network: ['localhost'] }), { signal: never });
      expect(result.output).toMatch(/Connection refused/);
      expect(result.exitCode).not.toBe(0);
      expect(connections()).toBe(0);
    });

    it('keeps the command\'s exit code and stops the proxy when the command ends', async () => {
      const cwd = await makeDir();
      const before = readdirSync(tmpdir()).filter((name) => name.startsWith('fanout-net-')).length;
      const result = await runShellCommand('exit 3', policy(cwd, { network: ['localhost'] }), { signal: never });
      expect(result).toMatchObject({ exitCode: 3, output: '', refusedHosts: [] });
      expect(readdirSync(tmpdir()).filter((name) => name.startsWith('fanout-net-')).length).toBeLessThanOrEqual(before);
    });
  });

  it('kills every process a command started at its time limit, forked ones included', async () => {
    const cwd = await makeDir();
    const result = await bash(policy(cwd, { writes: ['**'] }), '(sleep 1; echo late > late.txt) & sleep 30', 300);
    expect(result.isError).toBe(true);
    expect(result.content).toMatch(/^command killed with every process it started after its time limit of 300 ms/);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(existsSync(path.join(cwd, 'late.txt'))).toBe(false);
  });

  it('kills the command and what it forked when the task is stopped', async () => {
    const cwd = await makeDir();
    const controller = new AbortController();
    const running = runShellCommand('(sleep 1; echo late > late.txt) & sleep 30', policy(cwd, { writes: ['**'] }), { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    expect(await running).toMatchObject({ killed: 'aborted', exitCode: undefined });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(existsSync(path.join(cwd, 'late.txt'))).toBe(false);
  });

  it('removes API keys and tokens from the environment', async () => {
    const cwd = await makeDir();
    process.env['ANTHROPIC_API_KEY'] = 'sk-test-secret';
    process.env['MY_SERVICE_TOKEN'] = 'tok-secret';
    try {
      const result = await bash(policy(cwd), 'env');
      expect(result.content).not.toContain('secret');
      expect(result.content).toContain('PATH=');
    } finally {
      delete process.env['ANTHROPIC_API_KEY'];
      delete process.env['MY_SERVICE_TOKEN'];
    }
  });

  it('caps the output and says how much was dropped', async () => {
    const cwd = await makeDir();
    const result = await runShellCommand('head -c 50000 /dev/zero | tr "\\0" x', policy(cwd, { maxOutputBytes: 1000 }), { signal: never });
    expect(result.output).toBe('x'.repeat(1000));
    expect(result.droppedBytes).toBe(49_000);
  });

  it('mounts write globs at the directories holding their fixed part', () => {
    expect(writeRoots(['src/auth/**', 'src/auth/login.ts', 'test/*.test.ts', 'package.json'])).toEqual(['.']);
    expect(writeRoots(['src/auth/**', 'src/auth/deep/x.ts', 'test/*.test.ts'])).toEqual(['src/auth', 'test']);
    expect(writeRoots([])).toEqual([]);
  });
});

describe('bash tool without a shell', () => {
  it('is refused', async () => {
    const cwd = await makeDir();
    mkdirSync(path.join(cwd, 'x'));
    writeFileSync(path.join(cwd, 'x/y'), '');
    const [result] = await executeToolCalls([{ type: 'tool_use', id: 't', name: 'bash', input: { command: 'true' } }], {
      tools: [bashTool],
      sandbox: createSandbox({ cwd, writes: [] }),
      signal: never,
    });
    expect(result).toMatchObject({ isError: true, content: 'the shell is not enabled for this task (tools: [bash] or shell: {...} in the plan)' });
  });
});

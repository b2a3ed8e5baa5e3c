import { FanoutError } from '../../contracts/errors.js';
import { runShellCommand } from '../shell/run-command.js';
import { defineTool } from './tool.js';

/** What a refused write or read looks like in a sandboxed command's output. */
const REFUSAL = /(Read-only file system|Permission denied|Operation not permitted)/;

/**
 * `bash {command, timeoutMs?}`: runs a command with `bash -c` in the task's
 * directory under its shell policy (see `ShellPolicy`): sandboxed, with a
 * time limit and an output cap. The output and exit code go back to the
 * model; a command killed at its time limit, one the network proxy refused
 * a host (whatever its exit code), or one whose failure is the sandbox
 * refusing a write or read, is a failed tool call, so the run lists it
 * among refused commands.
 */
export const bashTool = defineTool<{ command: string; timeoutMs?: number }>(
  {
    name: 'bash',
    description:
      "Run a shell command with bash -c in the task's working directory, sandboxed: it may write only inside this task's write scope, reach no network unless the task names hosts (then only those, through the HTTP(S) proxy set in HTTP_PROXY/HTTPS_PROXY), and is killed with everything it started at its time limit.",
    inputSchema: {
      type: 'object',
      properties: {
        command: { type: 'string', description: 'The command line, run with bash -c.' },
        timeoutMs: { type: 'integer', minimum: 1, description: "Time limit in ms (at most the task's limit)." },
      },
      required: ['command'],
    },
  },
  async ({ command, timeoutMs }, { shell, signal }) => {
    if (shell === undefined) {
      throw new FanoutError('TOOL_DENIED', 'the shell is not enabled for this task (tools: [bash] or shell: {...} in the plan)');
    }
    const result = await runShellCommand(command, shell, { timeoutMs, signal });
    const dropped = result.droppedBytes > 0 ? `\n[${result.droppedBytes} more bytes of output dropped]` : '';
    if (result.killed === 'timeout') {
      const limit = Math.min(timeoutMs ?? shell.timeoutMs, shell.timeoutMs);
      throw new FanoutError('TOOL_FAILED', `command killed with every process it started after its time limit of ${limit} ms; output so far: ${result.output}${dropped}`);
    }
    if (result.killed === 'aborted') throw new FanoutError('ABORTED', 'shell command stopped');
    if (result.refusedHosts.length > 0) {
      const hosts = `${result.refusedHosts.join(', ')} (not in this task's shell.network: ${shell.network.join(', ')})`;
      throw new FanoutError('TOOL_DENIED', `command refused network access to ${hosts} (exit code ${String(result.exitCode)}): ${result.output}${dropped}`);
    }
    if (result.exitCode !== 0 && shell.sandbox === 'bwrap' && REFUSAL.test(result.output)) {
      throw new FanoutError('TOOL_DENIED', `command refused by the sandbox (exit code ${String(result.exitCode)}): ${result.output}${dropped}`);
    }
    return `${result.output}${dropped}\n[exit code ${String(result.exitCode)}]`;
  },
  // The command is killed at the shell's limit; the call gets a moment more to report it.
  { ownTimeLimitMs: ({ shell }) => (shell === undefined ? undefined : shell.timeoutMs + BASH_REPORT_GRACE_MS) },
);

/**
 * Time a bash call has past its command's limit to kill the process group
 * and answer. The command's own timer kills the group (SIGKILL 200 ms after
 * SIGTERM), so this is only a backstop; on a starved machine (CI under a full
 * test run) reaping the group took over 5 s, and the backstop then answered
 * first with its own, misleading limit instead of the command's.
 */
const BASH_REPORT_GRACE_MS = 30_000;

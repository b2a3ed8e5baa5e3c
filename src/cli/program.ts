import { Command, CommanderError, Option } from 'commander';
import { ExitCode, exitCodeForError } from './exit-codes.js';
import { formatCommanderMessage, formatError } from './format-error.js';
import type { CliIo } from './io.js';
import { MODEL_FLAG_HELP, REAL_MODEL_EXAMPLE } from './model-spec.js';
import { parseAge, parseFaultKinds, parseNonNegativeInt, parsePort, parsePositiveInt, parsePositiveNumber, parseProviderLimit, parseShare } from './parse-flags.js';
import { readVersion } from './version.js';

/** The real process as a {@link CliIo}. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // A getter: touching process.stdin creates its stream, which only `do` on a terminal needs.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
    debug: process.argv.includes('--debug'),
  };
}

/** The run caps of `run` and `do`: they set the plan's top-level `maxTokens`, `budgetUsd` and `timeoutMs`. */
function withCapOptions(command: Command): Command {
  return command
    .option('--max-tokens <n>', "most tokens (input + output) the whole run may use (the plan's maxTokens)", parsePositiveInt)
    .option('--budget <usd>', "most estimated US dollars the whole run may spend (the plan's budgetUsd)", parsePositiveNumber)
    .option('--timeout <ms>', "limit of the whole run's elapsed time, in ms (the plan's timeoutMs)", parsePositiveInt)
    .option(
      '--provider-limit <caps>',
      "static caps of a provider's calls, never exceeded, e.g. anthropic=rpm:50,tpm:40000 (also maxConcurrent); repeat per provider (the plan's providers)",
      parseProviderLimit,
    );
}


/**
 * Builds the commander program. Every action loads its command module on
 * demand, so `--help` never pays for the engine, the store or the SDKs.
 * `setExitCode` receives each action's exit code.
 */
export function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('fanout')
    .description('Run many LLM subagents in parallel and turn their work into one result.')
    .version(readVersion(), '-V, --version', 'print the version')
    .option('--debug', 'print stack traces of errors')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(formatCommanderMessage(text)),
    })
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Exit codes: 0 all tasks succeeded, 1 a task failed, 2 invalid input, 130 interrupted.
Try: fanout demo   (no API key needed: it runs on the simulated model)
Docs: docs/cli.md`,
    );

  const runAction = async (load: () => Promise<number>): Promise<void> => setExitCode(await load());

  withCapOptions(
    program
      .command('run')
      .description('check a plan, run its tasks in parallel with live progress, print outputs, synthesis and timing')
      .argument('<plan>', 'plan file (YAML or JSON)')
      .option('--concurrency <n>', 'most tasks running at once', parsePositiveInt)
      .option('--model <spec>', `model for every task and the synthesis; ${MODEL_FLAG_HELP}`)
      .option('--strict', 'reject conflicting tasks instead of serializing them')
      .option('--strict-writes', "a write or command the sandbox refuses fails its task (the plan's strictWrites)")
      .option('--detach', 'record the run, print its handles and run it in the background')
      .option('--json', 'print one JSON event per line, then a run-end summary line')
      .option('--cwd <dir>', 'working directory the subagents are confined to (default: the current one)')
      .option('--apply', "move your branch to the merged result of the tasks' worktrees when the run ends")
      .option('--resolve', 'give each conflicting file of the merge to a resolver subagent; its answer is committed only if it parses')
      .option('--no-sandbox', 'run shell commands of tasks WITHOUT the OS sandbox (only when you mean it)')
      .option('--ui', 'serve the live dashboard of this run on 127.0.0.1 while it runs (its URL, with its token, on stderr)')
      .option('--ui-port <n>', 'with --ui: port of the dashboard (default: any free one)', parsePort)
      .option('--open', 'with --ui: open the dashboard in a browser'),
  ).action((plan: string, options) => runAction(async () => (await import('./commands/run.js')).runCommand(plan, options, io)));
  withCapOptions(
    program
      .command('do')
      .description('turn a request into a plan with one planner call, print it with its DAG, then run it like run')
      .argument('<request...>', 'what to do, e.g. "Add CSV export to the reports page"')
      .option('--model <spec>', `model of the planner, every task and the synthesis; ${MODEL_FLAG_HELP}`)
      .option('--concurrency <n>', 'most tasks running at once', parsePositiveInt)
      .option('--strict', 'reject a plan with conflicting tasks instead of serializing them')
      .option('--strict-writes', "a write or command the sandbox refuses fails its task (the plan's strictWrites)")
      .option('--plan-only <file>', 'write the plan as YAML to this file and stop (edit it, then: fanout run <file>)')
      .option('--force', 'with --plan-only: overwrite the file if it exists')
      .option('--yes', 'run without asking (it only asks on a terminal)')
      .option('--json', 'print the plan, one JSON event per line, then a run-end summary line')
      .option('--cwd <dir>', 'working directory the subagents are confined to (default: the current one)')
      .option('--ui', 'serve the live dashboard of the run on 127.0.0.1 while it runs (its URL, with its token, on stderr)')
      .option('--ui-port <n>', 'with --ui: port of the dashboard (default: any free one)', parsePort)
      .option('--open', 'with --ui: open the dashboard in a browser'),
  ).action((request: string[], options) => runAction(async () => (await import('./commands/do.js')).doCommand(request, options, io)));
  program
    .command('analyze')
    .description('one read-only analyst subagent per directory, then one unified analysis')
    .argument('<dirs...>', 'directories to analyze, inside the working directory')
    .option('--model <spec>', `model for every task and the synthesis; ${MODEL_FLAG_HELP}`)
    .option('--concurrency <n>', 'most tasks running at once', parsePositiveInt)
    .option('--json', 'print one JSON event per line, the synthesis, then a run-end summary line')
    .option('--cwd <dir>', 'working directory (default: the current one)')
    .action((dirs: string[], options) => runAction(async () => (await import('./commands/analyze.js')).analyzeCommand(dirs, options, io)));
  program
    .command('review')
    .description('one reviewer subagent per perspective, then one merged review grouped by severity')
    .argument('[paths...]', 'files or directories to review (default: the working directory)')
    .option('--perspectives <list>', 'comma-separated: security, performance, testing, architecture (default: all)')
    .option('--model <spec>', `model for every task and the synthesis; ${MODEL_FLAG_HELP}`)
    .option('--concurrency <n>', 'most tasks running at once', parsePositiveInt)
    .option('--json', 'print one JSON event per line, the summary and the merged review, then a run-end summary line')
    .option('--cwd <dir>', 'working directory (default: the current one)')
    .action((paths: string[], options) => runAction(async () => (await import('./commands/review.js')).reviewCommand(paths, options, io)));
  program
    .command('agents')
    .description('list the agent definitions (Claude Code format) found in .claude/agents and ~/.claude/agents')
    .option('--json', 'print directories, agents and warnings as one JSON object')
    .option('--cwd <dir>', 'working directory whose .claude/agents is read (default: the current one)')
    .action((options) => runAction(async () => (await import('./commands/agents.js')).agentsCommand(options, io)));

  program
    .command('check')
    .description('check a plan as run would (agents, models and their endpoints, budgets): print the execution DAG; runs nothing')
    .argument('<plan>', 'plan file (YAML or JSON)')
    .option('--strict', 'treat conflicting tasks as an error')
    .option('--model <spec>', `check the plan as run --model would run it; ${MODEL_FLAG_HELP}`)
    .option('--cwd <dir>', 'working directory whose .claude/agents task agents come from (default: the current one)')
    .option('--json', 'print the execution DAG as JSON')
    .action((plan: string, options) => runAction(async () => (await import('./commands/check.js')).checkCommand(plan, options, io)));

  program
    .command('output')
    .description("print a task's output by its handle (from this or any other process)")
    .argument('<handle>', 'task handle, as printed by run/spawn')
    .option('--block', 'wait until the task has finished')
    .option('--timeout <ms>', 'with --block: give up waiting after this many ms', parseNonNegativeInt)
    .option('--json', 'print JSON: a JSON Schema task\'s parsed output; otherwise the whole result (handle, status, done, output, error)')
    .action((handle: string, options) => runAction(async () => (await import('./commands/output.js')).outputCommand(handle, options, io)));

  program
    .command('resume')
    .description('continue an interrupted, stopped or failed run: succeeded tasks are kept, the others run again')
    .argument('<run>', 'run id')
    .option('--detach', 'continue it in the background and return at once')
    .option('--json', 'print one JSON event per line, then a run-end summary line')
    .action((run: string, options) => runAction(async () => (await import('./commands/resume.js')).resumeCommand(run, options, io)));

  program
    .command('prune')
    .description('delete finished runs older than an age, with their events, outputs and logs (live runs are kept)')
    .requiredOption('--older-than <age>', 'age such as 30d, 12h, 90m or 3600s', parseAge)
    .option('--json', 'print {pruned, live} as JSON')
    .action((options) => runAction(async () => (await import('./commands/prune.js')).pruneCommand(options, io)));

  program
    .command('status')
    .description('show the todo list and task states of a run (default: the latest run)')
    .argument('[run]', 'run id (or a task handle of the run)')
    .option('--json', 'print run, tasks and todos as JSON')
    .option('--verbose', 'also list per task the files it wrote and the tool calls the sandbox refused')
    .action((run: string | undefined, options) =>
      runAction(async () => (await import('./commands/status.js')).statusCommand(run, options, io)),
    );

  program
    .command('logs')
    .description("print the stored events of a task or a run as readable lines (model turns, tool calls, retries, waits)")
    .argument('<target>', 'task handle or run id')
    .option('--follow', 'keep printing new events until the task or run has ended')
    .option('--json', 'print the events as NDJSON, each with its seq')
    .action((target: string, options) => runAction(async () => (await import('./commands/logs.js')).logsCommand(target, options, io)));

  program
    .command('report')
    .description('write the picture of a run: one self-contained HTML file, or a Markdown summary for a pull request')
    .argument('<run>', 'run id (or a task handle of the run)')
    .option('--html <file>', 'write the HTML report (timeline, timing, outputs, synthesis) to this file')
    .option('--md <file>', 'write the Markdown summary (timing table, text timeline) to this file')
    .action((run: string, options) => runAction(async () => (await import('./commands/report.js')).reportCommand(run, options, io)));

  program
    .command('ui')
    .argument('[run]', 'a run id or task handle: the URL opens that run')
    .description('serve the live dashboard on 127.0.0.1 (runs, timeline, transcripts, outputs, stop) and print its URL with its token')
    .option('--port <n>', 'port to listen on (0: any free port)', parsePort, 0)
    .option('--open', 'open the dashboard in a browser')
    .action((run: string | undefined, options) => runAction(async () => (await import('./commands/ui.js')).uiCommand(run, options, io)));

  program
    .command('runs')
    .description('list recent runs')
    .option('--limit <n>', 'how many runs', parsePositiveInt, 20)
    .option('--json', 'print the runs as JSON')
    .action((options) => runAction(async () => (await import('./commands/runs.js')).runsCommand(options, io)));

  program
    .command('stop')
    .description('stop a task (by handle) or every task of a run (by run id), in any process')
    .argument('<target>', 'task handle or run id')
    .action((target: string) => runAction(async () => (await import('./commands/stop.js')).stopCommand(target, io)));

  program
    .command('diff')
    .description("print the diff of a task's worktree branch (by handle) or of a run's merged result (by run id)")
    .argument('<target>', 'task handle or run id')
    .action((target: string) => runAction(async () => (await import('./commands/worktrees.js')).diffCommand(target, io)));
  program
    .command('merge')
    .description("merge a run's task branches into fanout/<run> again (after you fixed a branch), reporting conflicts")
    .argument('<run>', 'run id')
    .option('--resolve', 'give each conflicting file to a resolver subagent; its answer is committed only if it parses')
    .action((run: string, options) => runAction(async () => (await import('./commands/worktrees.js')).mergeCommand(run, options, io)));
  program
    .command('apply')
    .description("move your branch to a run's merged result (refused with uncommitted changes)")
    .argument('<run>', 'run id')
    .action((run: string) => runAction(async () => (await import('./commands/worktrees.js')).applyCommand(run, io)));
  program
    .command('clean')
    .description("remove finished runs' worktrees and merged branches; unmerged work only with --force")
    .argument('[run]', 'run id (default: every finished run)')
    .option('--force', 'also delete branches whose work is merged nowhere, after listing them')
    .action((run: string | undefined, options) =>
      runAction(async () => (await import('./commands/worktrees.js')).cleanCommand(run, options, io)),
    );

  program
    .command('demo')
    .description('run the authentication example: 5 subagents in parallel (simulated model unless --model)')
    .option('--model <spec>', `use this model instead of the simulated one (e.g. ${REAL_MODEL_EXAMPLE}); ${MODEL_FLAG_HELP}`)
    .option('--json', 'print one JSON event per line, then a run-end summary line')
    .action((options) => runAction(async () => (await import('./commands/demo.js')).demoCommand(options, io)));

  program
    .command('sim')
    .description('run the simulated model server (Anthropic Messages + OpenAI Chat Completions) in the foreground')
    .option('--port <n>', 'port to listen on (0: any free port)', parsePort, 0)
    .option('--latency <ms>', 'delay before each answer', parseNonNegativeInt)
    .option('--rpm <n>', 'requests per minute allowed (429 with retry-after beyond; limit headers on every answer)', parsePositiveInt)
    .option('--tpm <n>', 'tokens per minute allowed, input and output together', parsePositiveInt)
    .option('--max-concurrent <n>', 'requests answered at once (429 beyond)', parsePositiveInt)
    .option('--fault-rate <share>', 'share of calls failing, from 0 to 1', parseShare)
    .option('--faults <kinds>', 'what failing calls get, comma-separated: 429, 500, 529, reset, cut, stall (default: 500,529,reset)', parseFaultKinds)
    .action((options) => runAction(async () => (await import('./commands/sim.js')).simCommand(options, io)));

  program
    .command('mcp')
    .description('serve fanout as an MCP server (stdio; --http for Streamable HTTP on 127.0.0.1, path /mcp): spawn, wait, task_output, ...')
    .option('--http <port>', 'serve Streamable HTTP on this port (0: any free one); needs FANOUT_MCP_TOKEN or prints a token', parsePort)
    .option('--cwd <dir>', 'working directory the subagents are confined to (default: the current one)')
    .action((options) => runAction(async () => (await import('./commands/mcp.js')).mcpCommand(options, io)));

  program
    .command('__execute', { hidden: true })
    .argument('<runId>')
    .addOption(new Option('--cwd <dir>'))
    .addOption(new Option('--resume'))
    .action((runId: string, options) =>
      runAction(async () => (await import('./commands/execute.js')).executeCommand(runId, options, io)),
    );

  return program;
}

/**
 * Runs the CLI on `argv` (without `node` and the script) and returns the
 * exit code. Never throws: every error becomes one line on stderr (with a
 * stack under `--debug`) and an exit code.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // With exitOverride, commander reports help and version as "errors" too: `--help`, `help [command]`
      // and `--version` with exit code 0, the usage printed for a missing command with 1.
      if (error.exitCode === 0) return ExitCode.ok;
      // Bad flags, unknown commands, missing arguments; commander already printed one line.
      return ExitCode.invalidInput;
    }
    io.stderr.write(formatError(error, io.debug));
    return exitCodeForError(error);
  }
}

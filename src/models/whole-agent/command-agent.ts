import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FanoutError } from '../../contracts/errors.js';
import type { ModelRequest, ModelResponse, ProviderOptions } from '../../contracts/model.js';
import type { CommandTemplate } from '../../contracts/plan.js';
import { COMMAND_PROVIDER, type WholeAgent, type WholeAgentResult, type WholeAgentTask } from '../../contracts/whole-agent.js';
import { exitFailure, runAgentProcess } from './agent-process.js';
import { findProgram, refuseSingleCall, TurnCounter } from './whole-agent-base.js';

/** The placeholders of a command template's `run`. */
const PROMPT = '{prompt}';
const SYSTEM = '{system}';
const OUTPUT_FILE = '{outputFile}';

/**
 * `model: command`: any CLI agent (Codex's `codex exec`, Aider, Gemini CLI,
 * a script) as a subagent, run once per task from the task's `command`
 * template, else the named one of `command:<name>` (see
 * {@link CommandTemplate} and docs/agents.md) in the task's
 * directory, in a process group of its own. Its answer is its stdout or
 * its `{outputFile}`, or a field of either read as JSON; a non-zero exit
 * fails the task with the exit code and the last line of its stderr.
 * The agent gets fanout's environment (it needs its own credentials).
 */
export class CommandAgent implements WholeAgent {
  readonly kind = 'whole-agent';
  readonly provider = COMMAND_PROVIDER;

  /** `named`: the template of `command:<name>`, used by tasks without a `command` field of their own. */
  constructor(
    readonly spec: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly named?: CommandTemplate,
  ) {}

  /** When its template points at a cost in the agent's output (`usage.costUsd`). */
  reportsCost(options: ProviderOptions | undefined): boolean {
    return (templateOf(options) ?? this.named)?.usage?.costUsd !== undefined;
  }

  generate(_request: ModelRequest): Promise<ModelResponse> {
    return refuseSingleCall(this.spec);
  }

  checkTask(options: ProviderOptions | undefined, cwd: string): string | undefined {
    const template = templateOf(options) ?? this.named;
    if (template === undefined) return `model "${this.spec}" needs the task's command field: the program to run (see docs/agents.md)`;
    const program = template.run[0] as string;
    if (findProgram(program, this.env, cwd) === undefined) return `command.run[0]: program "${program}" not found (not on PATH, or not executable)`;
    return undefined;
  }

  async runTask(task: WholeAgentTask): Promise<WholeAgentResult> {
    const template = templateOf(task.providerOptions) ?? this.named;
    if (template === undefined) throw new FanoutError('MODEL_CONFIG', `model "${this.spec}": the task has no command template`);
    const uses = (placeholder: string): boolean => template.run.some((arg) => arg.includes(placeholder));
    const scratch = uses(OUTPUT_FILE) ? mkdtempSync(join(tmpdir(), 'fanout-command-')) : undefined;
    const outputFile = scratch === undefined ? undefined : join(scratch, 'output');
    const prompt = uses(SYSTEM) || task.system === '' ? task.prompt : `${task.system}\n\n${task.prompt}`;
    const [program, ...args] = template.run.map((arg) =>
      arg.replaceAll(PROMPT, prompt).replaceAll(SYSTEM, task.system).replaceAll(OUTPUT_FILE, outputFile ?? ''),
    ) as [string, ...string[]];
    try {
      const result = await runAgentProcess({
        command: program,
        args,
        cwd: task.cwd,
        env: this.env,
        ...(uses(PROMPT) ? {} : { stdin: prompt }),
        signal: task.signal,
        label: `command ${template.run[0]}`,
      });
      if (result.code !== 0) throw exitFailure(`command ${template.run[0]}`, result);
      const output = outputFile === undefined ? result.stdout : readOutputFile(outputFile, template);
      return answerOf(output, template, new TurnCounter(task.onEvent));
    } finally {
      if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    }
  }
}

function templateOf(options: ProviderOptions | undefined): CommandTemplate | undefined {
  return options?.[COMMAND_PROVIDER] as CommandTemplate | undefined;
}

function readOutputFile(path: string, template: CommandTemplate): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new FanoutError('MODEL_ERROR', `command ${template.run[0]} exited without writing its {outputFile}`);
  }
}

/** The answer and the usage the template points at; reports the usage as one turn when there is any. */
function answerOf(output: string, template: CommandTemplate, counter: TurnCounter): WholeAgentResult {
  const paths = [template.result, template.usage?.inputTokens, template.usage?.outputTokens, template.usage?.costUsd];
  const json = paths.some((path) => path !== undefined) ? jsonHolding(output, template.result) : undefined;
  let text = output.trim();
  if (template.result !== undefined) {
    const value = json === undefined ? undefined : fieldAt(json, template.result);
    if (value === undefined) {
      throw new FanoutError('OUTPUT_INVALID', `command ${template.run[0]}: its output has no field ${template.result} (the command's result path)`);
    }
    text = typeof value === 'string' ? value : JSON.stringify(value);
  }
  const number = (path: string | undefined): number | undefined => {
    const value = path === undefined || json === undefined ? undefined : fieldAt(json, path);
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  };
  const inputTokens = number(template.usage?.inputTokens);
  const outputTokens = number(template.usage?.outputTokens);
  const costUsd = number(template.usage?.costUsd);
  const usage = { inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0 };
  if (inputTokens !== undefined || outputTokens !== undefined) counter.turn(usage.inputTokens, usage.outputTokens);
  return { text, turns: counter.turns, usage, ...(costUsd === undefined ? {} : { costUsd }) };
}

/** The output as JSON; for JSON Lines, the last line that holds `path` (or the last JSON line). */
function jsonHolding(output: string, path: string | undefined): unknown {
  const whole = parse(output);
  if (whole !== undefined) return whole;
  const lines = output
    .split('\n')
    .map(parse)
    .filter((value) => value !== undefined);
  return lines.findLast((value) => path === undefined || fieldAt(value, path) !== undefined) ?? lines.at(-1);
}

function parse(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The value at a dotted path (`a.b.0.c`), or undefined. */
export function fieldAt(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

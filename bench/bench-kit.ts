/**
 * What every benchmark leg shares, so the legs differ only in the client
 * path they measure: the workload (same calls, same bodies), the task pool,
 * and the measurement of wall time, CPU and peak RSS.
 */
import type { ToolSpec } from '../src/contracts/model.js';
import type { SimOptions } from '../src/contracts/sim-options.js';
import type { TaskSpec } from '../src/contracts/plan.js';
import { agentToolSpecs, DEFAULT_MAX_TOKENS_PER_CALL, encodeSimDirective, renderSystemPrompt } from './fanout-lib.js';

export { measureLeg, measureTasks, type LegResult } from './measure.js';

/** One benchmark workload: `tasks` agent-like conversations of `callsPerTask` model calls each. */
export interface LegArgs {
  /** Base URL of the simulated server. */
  url: string;
  tasks: number;
  callsPerTask: number;
  /** Server-side latency of every call. */
  latencyMs: number;
  /** Most tasks in flight at once. */
  concurrency: number;
  /**
   * The fanout leg's model: `sim` (default), or `anthropic` / `openai`
   * specs pointed at the simulated server through their base URLs, the
   * sim options then travelling in the task prompt (the rate-limit scenario S5).
   */
  model?: 'sim' | 'anthropic' | 'openai';
  /** The fanout leg counts tasks that did not succeed (`failed`) instead of failing (the rate-limit scenarios). */
  countFailures?: boolean;
}

/** The figures of fanout's RunReport a benchmark reports (see `RunReport` in src/contracts/fanout.ts). */
export interface EngineFigures {
  /** First task start to last task end. */
  wallMs: number;
  /** Sum of task durations. */
  sequentialMs: number;
  /** Longest chain of the DAG weighted by measured durations. */
  criticalPathMs: number;
  /** sequentialMs ÷ wallMs. */
  speedup: number;
  /** criticalPathMs ÷ wallMs. */
  efficiency: number;
}

/**
 * The tools every call sends: the agent's own five, so the hand-written legs
 * send exactly what fanout's agent loop sends.
 */
export const BENCH_TOOLS: readonly ToolSpec[] = agentToolSpecs;

/** Content of every tool result, the size of a short file excerpt (the fanout leg's workspace files hold it). */
export const BENCH_TOOL_RESULT = 'export function handler(request) {\n  return respond(request);\n}\n'.repeat(6);

/** Output tokens per call fanout's agent asks for; every leg sends the same. */
export const BENCH_MAX_TOKENS = DEFAULT_MAX_TOKENS_PER_CALL;

/** The workspace file task `task` reads (relative to the fanout leg's workspace). */
export function benchFile(task: number): string {
  return `src/module-${task}.ts`;
}

/** The first user message of task `task`. */
export function benchPrompt(task: number): string {
  return `Task ${task}: review the module ${benchFile(task)} for error handling and report what is missing.`;
}

/**
 * Sim options of one task: every call but the last asks for `read_file` on
 * the task's file, the last answers, so a task is a short agent loop of
 * `callsPerTask` calls.
 */
export function benchSim(args: LegArgs, task: number): SimOptions {
  const script = Array.from({ length: args.callsPerTask - 1 }, () => ({
    tools: [{ name: 'read_file', input: { path: benchFile(task) } }],
  }));
  return { latencyMs: args.latencyMs, script, output: `Task ${task}: two unchecked promise rejections found.` };
}

/** Task `task` as a plan task: what the fanout leg runs, and what the other legs render their prompts from. */
export function benchTask(args: LegArgs, task: number): TaskSpec {
  return {
    id: `t${task}`,
    role: 'careful code reviewer',
    prompt: benchPrompt(task),
    context: 'the project is a TypeScript library with a CLI and an HTTP API. '.repeat(12).trim(),
    maxTurns: args.callsPerTask,
    sim: benchSim(args, task),
  };
}

/** The role prompt of task `task`, rendered as fanout renders it for its subagent. */
export function benchSystem(args: LegArgs, task: number): string {
  return renderSystemPrompt(benchTask(args, task));
}

/** Anthropic wire shapes the raw-HTTP and SDK legs build, equal to what fanout's provider sends. */
export interface WireBlock {
  type: string;
  [key: string]: unknown;
}

/** A Messages API request body. */
export interface WireRequest {
  model: string;
  max_tokens: number;
  system: Array<{ type: 'text'; text: string }>;
  messages: Array<{ role: 'user' | 'assistant'; content: WireBlock[] }>;
  tools: Array<{ name: string; description: string; input_schema: Record<string, unknown> }>;
}

/**
 * Runs one task as a conversation over the Messages API wire format: send,
 * and while the answer calls tools, append it and a tool result per call.
 * Returns the number of calls made.
 */
export async function runWireConversation(
  args: LegArgs,
  task: number,
  send: (body: WireRequest) => Promise<{ content: WireBlock[] }>,
): Promise<number> {
  const body: WireRequest = {
    model: 'sim',
    max_tokens: BENCH_MAX_TOKENS,
    system: [
      { type: 'text', text: benchSystem(args, task) },
      { type: 'text', text: encodeSimDirective({ ...benchSim(args, task), kind: 'task' }) },
    ],
    messages: [{ role: 'user', content: [{ type: 'text', text: benchPrompt(task) }] }],
    tools: BENCH_TOOLS.map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.inputSchema })),
  };
  for (let call = 1; ; call++) {
    const answer = await send(body);
    const toolUses = answer.content.filter((block) => block.type === 'tool_use');
    if (toolUses.length === 0 || call >= args.callsPerTask) return call;
    body.messages.push(
      { role: 'assistant', content: answer.content },
      {
        role: 'user',
        content: toolUses.map((use) => ({ type: 'tool_result', tool_use_id: use.id, content: BENCH_TOOL_RESULT, is_error: false })),
      },
    );
  }
}

/** Runs `tasks` tasks with at most `concurrency` in flight; resolves with the total of their call counts. */
export async function runTaskPool(
  tasks: number,
  concurrency: number,
  runTask: (task: number) => Promise<number>,
): Promise<number> {
  let next = 0;
  let calls = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks) {
      const made = await runTask(next++);
      calls += made;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks) }, worker));
  return calls;
}

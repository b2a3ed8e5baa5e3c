/**
 * What every benchmark leg shares, so the legs differ only in the client
 * path they measure: the workload (same calls, same bodies), the task pool,
 * and the measurement of wall time, CPU and peak RSS.
 */
import type { SimOptions, ToolSpec } from '../src/models/model.js';
import { encodeSimDirective } from '../src/models/sim/index.js';

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
}

/** What a leg measured, in its own process. */
export interface LegResult {
  wallMs: number;
  /** User + system CPU time of the leg's process during the run. */
  cpuMs: number;
  /** Peak resident set size of the leg's process (includes its start-up). */
  peakRssMb: number;
  /** Model calls made; a leg whose count differs from tasks × callsPerTask did not do the work. */
  calls: number;
}

/** The role prompt every bench call carries, about the size of a rendered fanout role prompt. */
export const BENCH_SYSTEM =
  'ROLE: You are a careful code reviewer working as one subagent of many.\n' +
  'Work only inside the task workspace. Report findings as a concise list.\n' +
  'Context: the project is a TypeScript library with a CLI and an HTTP API. '.repeat(12);

/** Tool definitions sent with every call, like an agent's read/grep tools. */
export const BENCH_TOOLS: ToolSpec[] = [
  {
    name: 'read_file',
    description: 'Read a file of the workspace, optionally a line range.',
    inputSchema: {
      type: 'object',
      properties: { path: { type: 'string' }, from: { type: 'integer' }, to: { type: 'integer' } },
      required: ['path'],
    },
  },
  {
    name: 'grep',
    description: 'Search the workspace for a regular expression.',
    inputSchema: { type: 'object', properties: { pattern: { type: 'string' } }, required: ['pattern'] },
  },
];

/** Content of every tool result, the size of a short file excerpt. */
export const BENCH_TOOL_RESULT = 'export function handler(request) {\n  return respond(request);\n}\n'.repeat(6);

/** The first user message of task `task`. */
export function benchPrompt(task: number): string {
  return `Task ${task}: review the module src/module-${task}.ts for error handling and report what is missing.`;
}

/**
 * Sim options of one task: every call but the last asks for a tool, the
 * last answers, so a task is a short agent loop of `callsPerTask` calls.
 */
export function benchSim(args: LegArgs, task: number): SimOptions {
  const script = Array.from({ length: args.callsPerTask - 1 }, (_, turn) => ({
    tools: [{ name: 'read_file', input: { path: `src/module-${task}.ts`, from: turn * 40 + 1, to: turn * 40 + 40 } }],
  }));
  return { latencyMs: args.latencyMs, script, output: `Task ${task}: two unchecked promise rejections found.` };
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
    max_tokens: 1024,
    system: [
      { type: 'text', text: BENCH_SYSTEM },
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

/** Measures `run` (which returns its call count) in the current process. */
export async function measureLeg(run: () => Promise<number>): Promise<LegResult> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const calls = await run();
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return {
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    calls,
  };
}

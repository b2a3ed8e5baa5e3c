import { SIM_PROVIDER, type SimOptions } from '../contracts/sim-options.js';
import type { Message, ProviderOptions } from '../contracts/model.js';

/** Options of the planner prompt. */
export interface PlannerPromptOptions {
  /** Facts about the project the planner should know (layout, conventions), added to the request. */
  context?: string;
  /** Most tasks the plan may have. Default 8. */
  maxTasks?: number;
}

/** The parts of the planner's model request that do not depend on the call. */
export interface PlannerRequest {
  system: string;
  messages: Message[];
  /** Tells the simulated model to answer with its deterministic plan. */
  providerOptions: ProviderOptions;
}

const DEFAULT_MAX_TASKS = 8;

const PLANNER_PROVIDER_OPTIONS: ProviderOptions = { [SIM_PROVIDER]: { kind: 'planner' } satisfies SimOptions };

/**
 * The planner's system prompt and first message: the rules of the parallel
 * execution pattern and the plan format, and the request inside
 * `<request>` tags. The model is asked for the plan alone, as JSON in a
 * fenced block.
 */
export function buildPlannerRequest(request: string, options: PlannerPromptOptions = {}): PlannerRequest {
  const parts = [`<request>\n${request.trim()}\n</request>`];
  if (options.context !== undefined && options.context.trim() !== '') {
    parts.push(`<context>\n${options.context.trim()}\n</context>`);
  }
  parts.push('Answer with the plan as JSON in one ```json block, and nothing else.');
  return {
    system: plannerSystemPrompt(options.maxTasks ?? DEFAULT_MAX_TASKS),
    messages: [{ role: 'user', content: [{ type: 'text', text: parts.join('\n\n') }] }],
    providerOptions: PLANNER_PROVIDER_OPTIONS,
  };
}

function plannerSystemPrompt(maxTasks: number): string {
  return `You are the planner of fanout, which runs many subagents at once and then synthesizes their outputs into one result. Turn the user's request into a plan.

Rules:
1. Split the work into tasks that can all run at the same time: one task per separable piece of work, at most ${maxTasks} tasks.
2. Write scopes must be disjoint: a task that changes files lists them in "writes" (globs), and no other task may write or read a path matching them. A task that only reads has no "writes".
3. When a task needs another task's result, say so in its "dependsOn"; never rely on the order of the list. Use dependencies only where they are real: every one makes the run slower.
4. Every task gets a "role" (the specialist it needs, e.g. "backend engineer") and a self-contained "prompt": a subagent sees only its own task, never the request or the other tasks.
5. "synthesis" says how to combine the outputs into one result.

Plan format, JSON:
- top level: "name" (short), "synthesis" (string), "tasks" (list, required)
- task: "id" (required, unique; letters, digits, -, _ or .), "prompt" (required), "description" (short label), "role", "context" (facts the subagent needs), "files" (globs it reads), "writes" (globs it may write), "outputFormat" (what its answer must contain), "focus" (list, highest priority first), "dependsOn" (list of task ids)
No other fields.

Example:
\`\`\`json
{"name": "Add CSV export", "synthesis": "Summarize the changes and how to use the export.", "tasks": [
  {"id": "export-module", "description": "CSV export module", "role": "backend engineer", "prompt": "Write src/export/csv.ts: a function toCsv(rows) that ...", "files": ["src/models/**"], "writes": ["src/export/**"], "focus": ["RFC 4180 quoting"]},
  {"id": "export-docs", "description": "Export docs", "role": "technical writer", "prompt": "Document the CSV export in docs/export.md ...", "writes": ["docs/export.md"]}
]}
\`\`\``;
}

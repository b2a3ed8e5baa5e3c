import { FanoutError } from '../contracts/errors.js';
import type { Model, ProviderOptions } from '../contracts/model.js';
import type { Plan } from '../contracts/plan.js';
import { SIM_PROVIDER, type SimOptions } from '../contracts/sim-options.js';
import type { ConflictResolveRequest, ConflictResolver } from '../contracts/workspace.js';
import type { ModelGates } from './model-gate.js';

/** Most output tokens of one resolver call: a whole file comes back. */
export const RESOLVER_MAX_TOKENS = 16_384;

/** Tells the simulated model to answer as a resolver (both sides kept, see models/sim). */
const RESOLVER_PROVIDER_OPTIONS: ProviderOptions = { [SIM_PROVIDER]: { kind: 'resolver' } satisfies SimOptions };

/** The tag around the merged file in the resolver's prompt; the simulated resolver finds the file by it. */
export const MERGED_FILE_TAG = 'merged-file';

const SYSTEM_PROMPT = [
  'You resolve a git merge conflict in one file. Subagents worked in parallel on separate tasks, each in its own branch, and both sides changed the same lines of this file.',
  "Write the file as it must be for both tasks' work to hold: keep what each side added, combine the changed lines, and drop nothing either task needed.",
  'Answer with the complete content of the resolved file and nothing else: no explanation, no code fence, no conflict markers.',
].join('\n');

/** What {@link modelConflictResolver} calls models with. */
export interface ModelResolverOptions {
  /** The run's plan: the tasks' prompts, and which model each task used. */
  plan: Pick<Plan, 'tasks'>;
  /** The model a task called: the resolver of a conflict calls the model of the task whose branch conflicted. */
  modelOf(taskId: string): Model;
  gates: ModelGates;
  /** Stops every resolver call. */
  signal?: AbortSignal;
}

/**
 * A resolver subagent per conflicting file: one model call (through the
 * process's provider gates, with their retries and rate limits) given both
 * tasks' prompts, the file at the common base, on both sides and as git
 * merged it; its answer is the resolved file. The workspace checks it
 * before anything is committed.
 */
export function modelConflictResolver(options: ModelResolverOptions): ConflictResolver {
  const promptOf = new Map(options.plan.tasks.map((task) => [task.id, task.prompt]));
  return async (request) => {
    const signal = request.signal ?? options.signal;
    const response = await options.gates.call(options.modelOf(request.conflict.task), {
      system: SYSTEM_PROMPT,
      messages: [{ role: 'user', content: [{ type: 'text', text: resolverMessage(request, (task) => promptOf.get(task)) }] }],
      tools: [],
      maxTokens: RESOLVER_MAX_TOKENS,
      signal: signal ?? new AbortController().signal,
      providerOptions: RESOLVER_PROVIDER_OPTIONS,
    });
    if (response.stopReason === 'max_tokens') throw new FanoutError('OUTPUT_INVALID', `the answer was cut at ${RESOLVER_MAX_TOKENS} output tokens`);
    const answer = response.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    if (answer.trim() === '') throw new FanoutError('OUTPUT_INVALID', 'the resolver returned an empty answer');
    return withoutFence(answer, request.ours);
  };
}

/** The resolver's user message: who wanted what, then the file at the base, on each side, and merged with markers. */
export function resolverMessage(request: ConflictResolveRequest, promptOf: (task: string) => string | undefined): string {
  const { conflict } = request;
  const task = (id: string): string => `### Task ${id}\n${promptOf(id)?.trim() ?? '(prompt not recorded)'}`;
  const file = (title: string, text: string | undefined): string =>
    text === undefined ? `## ${title}\n(the file did not exist)` : `## ${title}\n\`\`\`\`\n${text}\n\`\`\`\``;
  return [
    `# Conflict in ${conflict.file}`,
    `The result so far holds the work of ${conflict.withTasks.length === 0 ? 'earlier tasks' : `task ${conflict.withTasks.join(', task ')}`} ("ours"); task ${conflict.task} ("theirs") is being merged into it.`,
    '',
    '## What the tasks were asked',
    ...(conflict.withTasks.length === 0 ? [] : conflict.withTasks.map(task)),
    task(conflict.task),
    '',
    file('The file at the common base', request.base),
    file('Ours', request.ours),
    file('Theirs', request.theirs),
    `## As git merged it, with conflict markers`,
    `<${MERGED_FILE_TAG}>`,
    request.merged,
    `</${MERGED_FILE_TAG}>`,
  ].join('\n');
}

/**
 * The answer without a code fence around the whole of it (models add one
 * despite being told not to), ending with a newline when the file did.
 */
function withoutFence(answer: string, ours: string): string {
  const fenced = /^\s*(`{3,}|~{3,})[^\n]*\n([\s\S]*?)\n?\1\s*$/.exec(answer);
  const body = fenced?.[2] ?? answer;
  return ours.endsWith('\n') && !body.endsWith('\n') ? `${body}\n` : body;
}

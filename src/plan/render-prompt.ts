import type { TaskSpec } from '../contracts/plan.js';

/** The role used when a task names none. */
export const DEFAULT_ROLE = 'general-purpose';

/** Options of {@link renderSystemPrompt}. */
export interface RenderSystemPromptOptions {
  /**
   * A prompt that takes the place of the role sentence, e.g. the body of a
   * Claude Code agent definition; the template's other sections follow it.
   */
  rolePrompt?: string;
}

/**
 * The subagent's system prompt: the role-prompt template of the parallel
 * execution pattern (role, task, context, files, output format, focus areas),
 * with empty sections left out, followed by the task's write scope.
 */
export function renderSystemPrompt(task: TaskSpec, options: RenderSystemPromptOptions = {}): string {
  const role = task.role?.trim() || DEFAULT_ROLE;
  const rolePrompt = options.rolePrompt?.trim();
  const sections = [
    rolePrompt ? `${rolePrompt}
` : `You are a ${role} specialist for this specific task.`,
    `Task: ${(task.description?.trim() || task.prompt).trim()}`,
    section('Context:', task.context?.trim()),
    section('Files to work with:', bullets(task.files)),
    section('Output format:', renderOutputFormat(task.outputFormat)),
    section('Focus areas:', bullets(task.focus)),
    renderWriteScope(task.writes),
  ];
  return sections.filter((part) => part !== undefined).join('\n');
}

/** The first user message of the subagent: the task's prompt. */
export function renderTaskPrompt(task: TaskSpec): string {
  return task.prompt.trim();
}

function section(heading: string, body: string | undefined): string | undefined {
  return body === undefined || body === '' ? undefined : `${heading}\n${body}`;
}

function bullets(items: readonly string[] | undefined): string | undefined {
  const kept = (items ?? []).map((item) => item.trim()).filter((item) => item !== '');
  return kept.length === 0 ? undefined : kept.map((item) => `- ${item}`).join('\n');
}

function renderOutputFormat(format: TaskSpec['outputFormat']): string | undefined {
  if (format === undefined) return undefined;
  if (typeof format === 'string') return format.trim();
  return [
    'Reply with only a JSON value that validates against this JSON Schema:',
    JSON.stringify(format, null, 2),
  ].join('\n');
}

/** Tells the agent what it may change, so it does not learn the scope from refused tool calls. */
function renderWriteScope(writes: readonly string[] | undefined): string {
  const scope = bullets(writes);
  const finalAnswer = 'Use the tools to read what you need. Your final message is your output.';
  if (scope === undefined) {
    return `Tools and write scope:\nYou are read-only: do not write or edit files. ${finalAnswer}`;
  }
  return [
    'Tools and write scope:',
    'You may write and edit only paths matching:',
    scope,
    `Writes anywhere else are refused. ${finalAnswer}`,
  ].join('\n');
}

import type { SimConversation, SimToolCall, SimToolResult } from './sim-conversation.js';

const MAX_LINES = 20;
const MAX_LABEL = 100;
/** Claude Code puts these blocks before the user's prompt in the first user message. */
const SYSTEM_REMINDER = /<system-reminder>[\s\S]*?<\/system-reminder>/g;

/**
 * The default final answer of a task: a short markdown summary labelled
 * "(simulated)" that names the role and the task and lists what the tool
 * calls of the conversation did, judged by their results.
 *
 * The first line is `(simulated) <role> finished: <task>`, so a synthesis
 * that quotes first lines stays readable.
 */
export function taskSummary(conversation: Pick<SimConversation, 'system' | 'firstUserText' | 'toolCalls' | 'toolResults'>): string {
  const role = findRole(conversation.system);
  const task = findTask(conversation.system) ?? firstLine(conversation.firstUserText.replace(SYSTEM_REMINDER, '')) ?? 'the task';
  const lines = activityLines(conversation.toolCalls, conversation.toolResults);
  const shown = lines.length > MAX_LINES ? [...lines.slice(0, MAX_LINES), `… and ${lines.length - MAX_LINES} more`] : lines;
  const bullets = shown.length > 0 ? shown : ['No tool calls were made.'];
  return [`(simulated) ${role} finished: ${task}`, '', ...bullets.map((line) => `- ${line}`)].join('\n');
}

type ToolKind = 'write' | 'edit' | 'read' | 'list' | 'search' | 'shell' | 'other';

/** Lines in call order; reads are counted into one line, since agents read many files. */
function activityLines(calls: SimToolCall[], results: Map<string, SimToolResult>): string[] {
  const lines: string[] = [];
  const reads: string[] = [];
  let readLine = -1;
  for (const call of calls) {
    const result = results.get(call.id);
    if (result === undefined) continue;
    if (result.isError) {
      lines.push(`${call.name} failed: ${clip(firstLine(result.content) ?? 'no message')}`);
      continue;
    }
    const kind = toolKind(call.name);
    if (kind === 'read') {
      reads.push(inputString(call.input, PATH_KEYS) ?? call.name);
      if (readLine < 0) readLine = lines.push('') - 1;
      continue;
    }
    lines.push(describe(kind, call));
  }
  if (readLine >= 0) lines[readLine] = reads.length === 1 ? `Read ${reads[0]}` : `Read ${reads.length} files`;
  return lines;
}

function describe(kind: ToolKind, call: SimToolCall): string {
  const path = inputString(call.input, PATH_KEYS);
  switch (kind) {
    case 'write':
      return `Wrote ${path ?? 'a file'}`;
    case 'edit':
      return `Edited ${path ?? 'a file'}`;
    case 'list':
      return `Listed ${path ?? '.'}`;
    case 'search': {
      const pattern = inputString(call.input, ['pattern', 'query', 'regex']);
      return pattern === undefined ? `Searched with ${call.name}` : `Searched for "${clip(pattern)}"`;
    }
    case 'shell': {
      const command = inputString(call.input, ['command', 'cmd']);
      return command === undefined ? `Ran ${call.name}` : `Ran \`${clip(command)}\``;
    }
    default:
      return `Called ${call.name}`;
  }
}

/** Classifies tool names of fanout's agent (`write_file`) and of Claude Code (`Write`, `MultiEdit`, `Bash`). */
function toolKind(name: string): ToolKind {
  const lower = name.toLowerCase();
  const words = lower.split(/[^a-z0-9]+/);
  if (/write|create/.test(lower)) return 'write';
  if (/edit|replace|patch/.test(lower)) return 'edit';
  if (/read|view/.test(lower) || words.includes('cat')) return 'read';
  if (/list|glob/.test(lower) || words.includes('ls')) return 'list';
  if (/grep|search|find/.test(lower)) return 'search';
  if (/bash|shell|exec|command/.test(lower) || words.includes('run')) return 'shell';
  return 'other';
}

const PATH_KEYS = ['path', 'file_path', 'filePath', 'file', 'filename', 'dir', 'directory'];

function inputString(input: Record<string, unknown>, keys: string[]): string | undefined {
  for (const key of keys) {
    const value = input[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** `Role: X`, a `# Role` heading, or "You are a X specialist"; else a neutral name. */
function findRole(system: string): string {
  const labelled = labelledValue(system, 'role');
  if (labelled !== undefined) return clip(labelled);
  // fanout's role prompt says "You are a backend specialist for this specific task."
  const match = /\byou are (?:an?|the) (.+?)(?: specialist\b[^.,;:!\n]*)?(?:[.,;:!\n]|$)/i.exec(system);
  return match?.[1] !== undefined ? clip(match[1].trim()) : 'Subagent';
}

function findTask(system: string): string | undefined {
  const labelled = labelledValue(system, 'task');
  return labelled === undefined ? undefined : clip(labelled);
}

/** The value after `Label:` on one line, or the first line under a `# Label` heading. */
function labelledValue(text: string, label: string): string | undefined {
  const inline = new RegExp(`^[ \\t]*(?:#+[ \\t]*)?\\**${label}\\**[ \\t]*:[ \\t]*(\\S.*)$`, 'im').exec(text);
  if (inline?.[1] !== undefined) return inline[1].trim();
  const heading = new RegExp(`^[ \\t]*#+[ \\t]*${label}[ \\t]*$`, 'im').exec(text);
  if (heading === null) return undefined;
  return firstLine(text.slice(heading.index + heading[0].length));
}

function firstLine(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed !== '') return clip(trimmed);
  }
  return undefined;
}

function clip(text: string): string {
  return text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;
}

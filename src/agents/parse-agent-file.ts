import { parse as parseYaml, YAMLParseError } from 'yaml';
import { FanoutError } from '../contracts/errors.js';
import { TASK_ID_PATTERN } from '../plan/schema.js';
import { AGENT_TOOL_NAMES, DEFAULT_AGENT_TOOLS, type AgentDefinition, type AgentScope, type AgentToolName } from './agent-definition.js';
import { mapClaudeCodeModel, mapClaudeCodeTools } from './claude-code-names.js';

/**
 * Parses the text of one agent file (`---` YAML frontmatter `---`, then the
 * system prompt). Throws FanoutError `PLAN_INVALID` with the one-line message
 * `<source>: frontmatter: <what>` when the frontmatter is missing or wrong.
 */
export function parseAgentFile(text: string, source: string, scope: AgentScope): AgentDefinition {
  const fail = (what: string): never => {
    throw new FanoutError('PLAN_INVALID', `${source}: frontmatter: ${what}`, { where: source });
  };
  const { yaml, body } = splitFrontmatter(text) ?? fail('missing (expected it between two "---" lines at the top of the file)');
  const data = parseFrontmatterYaml(yaml, fail);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return fail('expected "key: value" lines with at least name and description');
  }
  const fields = data as Record<string, unknown>;
  const warnings: string[] = [];
  const warn = (what: string): void => {
    warnings.push(`${source}: ${what}`);
  };

  const name = requiredString(fields, 'name', fail);
  if (!TASK_ID_PATTERN.test(name)) {
    warn(`name: "${name}" cannot be named by a task's agent field (expected letters, digits, -, _ or .)`);
  }
  const description = requiredString(fields, 'description', fail);
  const tools = resolveTools(fields, fail, warn);
  const model = optionalString(fields, 'model', fail);
  const maxTurns = optionalPositiveInteger(fields, 'maxTurns', fail);
  const systemPrompt = body.trim();
  if (systemPrompt === '') warn('the body is empty, so the agent has no system prompt of its own');

  const definition: AgentDefinition = { name, description, systemPrompt, source, scope, warnings };
  if (tools !== undefined) definition.tools = tools;
  const spec = model === undefined ? undefined : mapClaudeCodeModel(model);
  if (spec !== undefined) definition.model = spec;
  if (maxTurns !== undefined) definition.maxTurns = maxTurns;
  return definition;
}

/**
 * The `name` a file's frontmatter declares, read as leniently as possible:
 * used to tell which agent a file that {@link parseAgentFile} rejects was
 * meant to define. Undefined when no name can be made out.
 */
export function declaredAgentName(text: string): string | undefined {
  const frontmatter = splitFrontmatter(text);
  if (frontmatter === undefined) return undefined;
  let fields: unknown;
  try {
    fields = parseFrontmatterYaml(frontmatter.yaml, (what) => {
      throw new Error(what);
    });
  } catch {
    // YAML too broken to parse: a plain `name: x` line still says what it was meant to be.
    const line = /^name:[ \t]*(["']?)(.*?)\1[ \t]*$/m.exec(frontmatter.yaml);
    return line?.[2]?.trim() || undefined;
  }
  const name = typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>).name : undefined;
  return typeof name === 'string' && name.trim() !== '' ? name.trim() : undefined;
}

function splitFrontmatter(text: string): { yaml: string; body: string } | undefined {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trimEnd() !== '---') return undefined;
  const end = lines.findIndex((line, index) => index > 0 && line.trimEnd() === '---');
  if (end === -1) return undefined;
  return { yaml: lines.slice(1, end).join('\n'), body: lines.slice(end + 1).join('\n') };
}

/**
 * Parses the frontmatter as YAML. Many agent files in the wild have
 * descriptions with unquoted `: ` in them (`Examples: <example>Context: ...`),
 * which strict YAML rejects but Claude Code loads; so when strict parsing
 * fails, top-level plain values are quoted and parsing is tried once more.
 */
function parseFrontmatterYaml(yaml: string, fail: (what: string) => never): unknown {
  try {
    return parseYaml(yaml);
  } catch (strictError) {
    try {
      return parseYaml(quotePlainValues(yaml));
    } catch {
      return fail(describeYamlError(strictError));
    }
  }
}

function quotePlainValues(yaml: string): string {
  return yaml
    .split('\n')
    .map((line) => {
      const match = /^([A-Za-z_][\w-]*):[ \t]+(.*\S)\s*$/.exec(line);
      if (match === null || /^["'[{|>&*!]/.test(match[2] ?? '')) return line;
      return `${match[1]}: ${JSON.stringify(match[2])}`;
    })
    .join('\n');
}

function describeYamlError(error: unknown): string {
  if (!(error instanceof YAMLParseError)) return `not valid YAML: ${String(error)}`;
  const first = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  const at = error.linePos?.[0];
  // +1 for the opening "---" line, so the number matches the file.
  return at === undefined ? `not valid YAML: ${first}` : `not valid YAML at line ${at.line + 1}: ${first}`;
}

function requiredString(fields: Record<string, unknown>, key: string, fail: (what: string) => never): string {
  const value = optionalString(fields, key, fail);
  if (value === undefined || value.trim() === '') return fail(`${key}: required, a non-empty string`);
  return value.trim();
}

function optionalString(fields: Record<string, unknown>, key: string, fail: (what: string) => never): string | undefined {
  const value = fields[key] ?? undefined;
  if (value === undefined || typeof value === 'string') return value;
  return fail(`${key}: expected a string, got ${JSON.stringify(value)}`);
}

function optionalPositiveInteger(
  fields: Record<string, unknown>,
  key: string,
  fail: (what: string) => never,
): number | undefined {
  const value = fields[key] ?? undefined;
  if (value === undefined || (typeof value === 'number' && Number.isInteger(value) && value > 0)) return value;
  return fail(`${key}: expected a positive integer, got ${JSON.stringify(value)}`);
}

/** `tools` narrows the tool set (all tools when absent); `disallowedTools` then removes from it. */
function resolveTools(
  fields: Record<string, unknown>,
  fail: (what: string) => never,
  warn: (what: string) => void,
): AgentToolName[] | undefined {
  const allowed = toolList(fields, 'tools', fail, warn);
  const denied = toolList(fields, 'disallowedTools', fail, warn);
  if (denied === undefined) return allowed;
  return (allowed ?? [...DEFAULT_AGENT_TOOLS]).filter((tool) => !denied.includes(tool));
}

function toolList(
  fields: Record<string, unknown>,
  key: string,
  fail: (what: string) => never,
  warn: (what: string) => void,
): AgentToolName[] | undefined {
  const value = fields[key] ?? undefined;
  if (value === undefined) return undefined;
  let names: string[];
  if (typeof value === 'string') {
    // Commas inside a permission pattern such as `Bash(a, b)` do not separate tools.
    names = value.split(/,(?![^(]*\))/).map((name) => name.trim()).filter((name) => name !== '');
  } else if (Array.isArray(value) && value.every((name) => typeof name === 'string')) {
    names = value.map((name: string) => name.trim());
  } else {
    return fail(`${key}: expected a comma-separated string or a list of tool names, got ${JSON.stringify(value)}`);
  }
  const { tools, unknown } = mapClaudeCodeTools(names);
  if (unknown.length > 0) {
    warn(`${key}: ignored ${unknown.join(', ')}: fanout has no such tool (it has ${AGENT_TOOL_NAMES.join(', ')})`);
  }
  return tools;
}

import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { FanoutError } from '../errors.js';
import type { AgentDefinition, AgentScope } from './agent-definition.js';
import { parseAgentFile } from './parse-agent-file.js';

/** Where to look for agent definitions. */
export interface AgentLookupOptions {
  /** The working directory; project definitions live in `<cwd>/.claude/agents/`. Default: process.cwd(). */
  cwd?: string;
  /** The home directory; user definitions live in `<home>/.claude/agents/`. Default: os.homedir(). */
  home?: string;
}

/** What {@link loadAgentDefinitions} found. */
export interface LoadedAgentDefinitions {
  /** Project definitions first, then user ones; each group sorted by name. */
  agents: AgentDefinition[];
  /** Things fanout ignored, one line each, naming the file. */
  warnings: string[];
}

/** The directories searched, project first: `<cwd>/.claude/agents` and `<home>/.claude/agents`. */
export function agentDirectories(options: AgentLookupOptions = {}): Array<{ dir: string; scope: AgentScope }> {
  const project = path.resolve(options.cwd ?? process.cwd(), '.claude', 'agents');
  const user = path.resolve(options.home ?? homedir(), '.claude', 'agents');
  // Run from the home directory, both are the same folder: read it once, as the project's.
  const dirs: Array<{ dir: string; scope: AgentScope }> = [{ dir: project, scope: 'project' }];
  if (user !== project) dirs.push({ dir: user, scope: 'user' });
  return dirs;
}

/**
 * Reads every `*.md` file of the project's and the user's agent directories.
 * A project definition hides a user definition with the same name, as in
 * Claude Code. Throws FanoutError `PLAN_INVALID` on the first file with bad
 * frontmatter: a broken definition must not be silently skipped.
 */
export function loadAgentDefinitions(options: AgentLookupOptions = {}): LoadedAgentDefinitions {
  const byName = new Map<string, AgentDefinition>();
  const warnings: string[] = [];
  for (const { dir, scope } of agentDirectories(options)) {
    for (const file of markdownFiles(dir)) {
      const definition = parseAgentFile(readAgentFile(file), file, scope);
      warnings.push(...definition.warnings);
      const earlier = byName.get(definition.name);
      if (earlier === undefined) {
        byName.set(definition.name, definition);
      } else if (earlier.scope === scope) {
        warnings.push(`${file}: name "${definition.name}" is already defined in ${earlier.source}; this file is ignored`);
      } else {
        earlier.shadows = file;
      }
    }
  }
  const agents = [...byName.values()].sort(
    (a, b) => scopeRank(a.scope) - scopeRank(b.scope) || a.name.localeCompare(b.name),
  );
  return { agents, warnings };
}

/**
 * The definition named `name`. Throws FanoutError `PLAN_INVALID`
 * (`unknown agent "x" (looked in <dirs>; found: a, b)`) when there is none.
 */
export function findAgent(name: string, options: AgentLookupOptions = {}): AgentDefinition {
  const { agents } = loadAgentDefinitions(options);
  const found = agents.find((agent) => agent.name === name);
  if (found !== undefined) return found;
  const dirs = agentDirectories(options).map((entry) => entry.dir).join(', ');
  const names = agents.length === 0 ? 'none' : agents.map((agent) => agent.name).join(', ');
  throw new FanoutError('PLAN_INVALID', `unknown agent "${name}" (looked in ${dirs}; found: ${names})`);
}

function markdownFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return [];
    throw unreadable(dir, 'the agent directory', error);
  }
  return entries
    .filter((entry) => entry.name.endsWith('.md') && (entry.isFile() || entry.isSymbolicLink()))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

function readAgentFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw unreadable(file, 'the agent file', error);
  }
}

function scopeRank(scope: AgentScope): number {
  return scope === 'project' ? 0 : 1;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function unreadable(where: string, what: string, error: unknown): FanoutError {
  const reason = (error as NodeJS.ErrnoException | undefined)?.code ?? String(error);
  return new FanoutError('PLAN_INVALID', `${where}: cannot read ${what} (${reason})`, { cause: error, where });
}

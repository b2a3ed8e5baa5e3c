import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { FanoutError } from '../contracts/errors.js';
import type { AgentDefinition, AgentScope } from './agent-definition.js';
import { declaredAgentName, parseAgentFile } from './parse-agent-file.js';

/** Where to look for agent definitions. */
export interface AgentLookupOptions {
  /** The working directory; project definitions live in `<cwd>/.claude/agents/`. Default: process.cwd(). */
  cwd?: string;
  /** The home directory; user definitions live in `<home>/.claude/agents/`. Default: os.homedir(). */
  home?: string;
}

/** An agent file that could not be loaded. */
export interface InvalidAgentFile {
  /** Absolute path of the file. */
  source: string;
  scope: AgentScope;
  /** The agent it was meant to define: the name its frontmatter declares, else the file name without `.md`. */
  name: string;
  /** Why, in one line naming the file (`<file>: frontmatter: description: required, ...`). */
  reason: string;
}

/** What {@link loadAgentDefinitions} found. */
export interface LoadedAgentDefinitions {
  /** Project definitions first, then user ones; each group sorted by name. */
  agents: AgentDefinition[];
  /** Things fanout ignored, one line each, naming the file; includes the reason of every invalid file. */
  warnings: string[];
  /** Files that could not be loaded. Always set by {@link loadAgentDefinitions}. */
  invalid?: InvalidAgentFile[];
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
 * Claude Code. A file that cannot be read or has bad frontmatter does not
 * stop the others: it is listed in `invalid` and in `warnings`, and only a
 * task that names its agent fails (see {@link findAgent}). A broken project
 * file still hides the user definition of the same name, so that a task
 * never silently gets the agent it meant to replace.
 */
export function loadAgentDefinitions(options: AgentLookupOptions = {}): LoadedAgentDefinitions {
  const byName = new Map<string, AgentDefinition>();
  const warnings: string[] = [];
  const invalid: InvalidAgentFile[] = [];
  for (const { dir, scope } of agentDirectories(options)) {
    for (const file of markdownFiles(dir, warnings)) {
      const loaded = loadAgentFile(file, scope);
      if ('reason' in loaded) {
        invalid.push(loaded);
        warnings.push(loaded.reason);
        continue;
      }
      warnings.push(...loaded.warnings);
      const earlier = byName.get(loaded.name);
      if (earlier === undefined) {
        byName.set(loaded.name, loaded);
      } else if (earlier.scope === scope) {
        warnings.push(`${file}: name "${loaded.name}" is already defined in ${earlier.source}; this file is ignored`);
      } else {
        earlier.shadows = file;
      }
    }
  }
  for (const broken of invalid) {
    const hidden = byName.get(broken.name);
    if (hidden !== undefined && scopeRank(broken.scope) < scopeRank(hidden.scope)) {
      byName.delete(broken.name);
      warnings.push(`${hidden.source}: not used: ${broken.source} defines "${broken.name}" for the project but cannot be loaded`);
    }
  }
  const agents = [...byName.values()].sort(
    (a, b) => scopeRank(a.scope) - scopeRank(b.scope) || a.name.localeCompare(b.name),
  );
  return { agents, warnings, invalid };
}

/**
 * The definition named `name`. Throws FanoutError `PLAN_INVALID` with the
 * one-line reason when the file meant to define it cannot be loaded, or
 * `unknown agent "x" (looked in <dirs>; found: a, b; could not load: <files>)`
 * when there is none. Other broken files do not matter.
 */
export function findAgent(name: string, options: AgentLookupOptions = {}): AgentDefinition {
  return findLoadedAgent(name, loadAgentDefinitions(options), options);
}

/** {@link findAgent} among definitions already loaded with `options`. */
export function findLoadedAgent(name: string, loaded: LoadedAgentDefinitions, options: AgentLookupOptions = {}): AgentDefinition {
  const { agents, invalid = [] } = loaded;
  const found = agents.find((agent) => agent.name === name);
  if (found !== undefined) return found;
  const broken = invalid.find((file) => file.name === name);
  if (broken !== undefined) throw new FanoutError('PLAN_INVALID', broken.reason, { where: broken.source });
  const dirs = agentDirectories(options).map((entry) => entry.dir).join(', ');
  const names = agents.length === 0 ? 'none' : agents.map((agent) => agent.name).join(', ');
  const unloadable = invalid.length === 0 ? '' : `; could not load: ${invalid.map((file) => file.source).join(', ')}`;
  throw new FanoutError('PLAN_INVALID', `unknown agent "${name}" (looked in ${dirs}; found: ${names}${unloadable})`);
}

/** One agent file: its definition, or why it cannot be used. */
function loadAgentFile(file: string, scope: AgentScope): AgentDefinition | InvalidAgentFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { source: file, scope, name: fileAgentName(file), reason: `${file}: cannot read the agent file (${errorCode(error)})` };
  }
  try {
    return parseAgentFile(text, file, scope);
  } catch (error) {
    const reason = error instanceof FanoutError ? error.message : `${file}: ${String(error)}`;
    return { source: file, scope, name: declaredAgentName(text) ?? fileAgentName(file), reason };
  }
}

function fileAgentName(file: string): string {
  return path.basename(file, '.md');
}

/** The `*.md` files of `dir`, sorted; none when it does not exist, and a warning when it cannot be read. */
function markdownFiles(dir: string, warnings: string[]): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (!isMissing(error)) warnings.push(`${dir}: cannot read the agent directory (${errorCode(error)}); its agents are not loaded`);
    return [];
  }
  return entries
    .filter((entry) => entry.name.endsWith('.md') && (entry.isFile() || entry.isSymbolicLink()))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

function scopeRank(scope: AgentScope): number {
  return scope === 'project' ? 0 : 1;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? String(error);
}

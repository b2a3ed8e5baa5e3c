import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFanoutError } from '../contracts/errors.js';
import { findAgent, loadAgentDefinitions } from './load-agent-definitions.js';
import { errorThrownBy } from '../test-support/error-thrown-by.js';

let root: string;
let cwd: string;
let home: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'fanout-agents-'));
  cwd = path.join(root, 'project');
  home = path.join(root, 'home');
  mkdirSync(cwd);
  mkdirSync(home);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function writeAgent(base: string, file: string, text: string): string {
  const dir = path.join(base, '.claude', 'agents');
  mkdirSync(dir, { recursive: true });
  const full = path.join(dir, file);
  writeFileSync(full, text);
  return full;
}

function agentText(name: string, extra = '', body = `You are ${name}.`): string {
  return `---\nname: ${name}\ndescription: The ${name} agent\n${extra}---\n${body}\n`;
}

describe('loadAgentDefinitions', () => {
  it('returns nothing when neither directory exists', () => {
    expect(loadAgentDefinitions({ cwd, home })).toEqual({ agents: [], warnings: [], invalid: [] });
  });

  it('reads name, description, model and body, and records source and scope', () => {
    const source = writeAgent(cwd, 'reviewer.md', agentText('reviewer', 'model: sonnet\n', '\nYou review code.\n\nBe brief.'));
    const { agents } = loadAgentDefinitions({ cwd, home });
    expect(agents).toEqual([
      {
        name: 'reviewer',
        description: 'The reviewer agent',
        model: 'anthropic:claude-sonnet-5-5',
        systemPrompt: 'You review code.\n\nBe brief.',
        source,
        scope: 'project',
        warnings: [],
      },
    ]);
  });

  it('lets a project definition shadow a user definition with the same name', () => {
    const projectFile = writeAgent(cwd, 'a.md', agentText('shared', '', 'project prompt'));
    const userFile = writeAgent(home, 'b.md', agentText('shared', '', 'user prompt'));
    writeAgent(home, 'only-user.md', agentText('only-user'));
    const { agents } = loadAgentDefinitions({ cwd, home });
    expect(agents.map((agent) => [agent.name, agent.scope])).toEqual([
      ['shared', 'project'],
      ['only-user', 'user'],
    ]);
    expect(agents[0]?.systemPrompt).toBe('project prompt');
    expect(agents[0]?.source).toBe(projectFile);
    expect(agents[0]?.shadows).toBe(userFile);
  });

  it('keys definitions by frontmatter name, not file name, and reports a duplicate in one scope', () => {
    writeAgent(cwd, 'a.md', agentText('same'));
    const second = writeAgent(cwd, 'b.md', agentText('same'));
    const { agents, warnings } = loadAgentDefinitions({ cwd, home });
    expect(agents).toHaveLength(1);
    expect(agents[0]?.source).toMatch(/a\.md$/);
    expect(warnings).toEqual([expect.stringContaining(`${second}: name "same" is already defined in`)]);
  });

  it('ignores files that are not Markdown', () => {
    writeAgent(cwd, 'notes.txt', 'not an agent');
    writeAgent(cwd, 'ok.md', agentText('ok'));
    expect(loadAgentDefinitions({ cwd, home }).agents.map((agent) => agent.name)).toEqual(['ok']);
  });

  it('reads the shared directory once, as the project, when cwd is the home directory', () => {
    writeAgent(home, 'a.md', agentText('a'));
    const { agents } = loadAgentDefinitions({ cwd: home, home });
    expect(agents.map((agent) => agent.scope)).toEqual(['project']);
  });

  it('maps Claude Code tools and reports the ones fanout does not have', () => {
    const file = writeAgent(cwd, 'tools.md', agentText('tools', 'tools: Read, Grep, Glob, LS, Bash(git diff:*), WebFetch\n'));
    const { agents, warnings } = loadAgentDefinitions({ cwd, home });
    expect(agents[0]?.tools).toEqual(['read_file', 'grep', 'list_files', 'bash']);
    expect(warnings).toEqual([`${file}: tools: ignored WebFetch: fanout has no such tool (it has read_file, write_file, edit_file, list_files, grep, bash)`]);
  });

  it('accepts tools as a YAML list, and an empty list as no tools at all', () => {
    writeAgent(cwd, 'list.md', agentText('list', 'tools:\n  - Write\n  - Edit\n  - MultiEdit\n'));
    writeAgent(cwd, 'none.md', agentText('none', 'tools: []\n'));
    const { agents } = loadAgentDefinitions({ cwd, home });
    expect(agents.find((agent) => agent.name === 'list')?.tools).toEqual(['write_file', 'edit_file']);
    expect(agents.find((agent) => agent.name === 'none')?.tools).toEqual([]);
  });

  it('leaves tools unset (all tools) when omitted, and removes disallowedTools', () => {
    writeAgent(cwd, 'all.md', agentText('all'));
    writeAgent(cwd, 'readonly.md', agentText('readonly', 'disallowedTools: Write, Edit\n'));
    const { agents } = loadAgentDefinitions({ cwd, home });
    expect(agents.find((agent) => agent.name === 'all')?.tools).toBeUndefined();
    expect(agents.find((agent) => agent.name === 'readonly')?.tools).toEqual(['read_file', 'list_files', 'grep']);
  });

  it('maps model aliases, inherit and full ids to fanout specs', () => {
    writeAgent(cwd, 'a.md', agentText('a', 'model: opus\n'));
    writeAgent(cwd, 'b.md', agentText('b', 'model: inherit\n'));
    writeAgent(cwd, 'c.md', agentText('c', 'model: claude-opus-4-6\n'));
    writeAgent(cwd, 'd.md', agentText('d', 'model: openai:gpt-4o\n'));
    writeAgent(cwd, 'e.md', agentText('e', 'model: haiku\nmaxTurns: 7\n'));
    const models = Object.fromEntries(loadAgentDefinitions({ cwd, home }).agents.map((agent) => [agent.name, agent.model]));
    expect(models).toEqual({
      a: 'anthropic:claude-opus-5-5',
      b: undefined,
      c: 'anthropic:claude-opus-4-6',
      d: 'openai:gpt-4o',
      e: 'anthropic:claude-haiku-5-5',
    });
    expect(findAgent('e', { cwd, home }).maxTurns).toBe(7);
  });

  it('loads descriptions with unquoted colons, as Claude Code does', () => {
    writeAgent(cwd, 'x.md', '---\nname: x\ndescription: Use this agent for reviews. Examples: <example>Context: a PR</example>\ntools: Read\n---\nbody\n');
    const [agent] = loadAgentDefinitions({ cwd, home }).agents;
    expect(agent?.description).toBe('Use this agent for reviews. Examples: <example>Context: a PR</example>');
    expect(agent?.tools).toEqual(['read_file']);
  });

  it('handles CRLF line endings and a byte-order mark', () => {
    writeAgent(cwd, 'win.md', '\uFEFF---\r\nname: win\r\ndescription: d\r\n---\r\nline one\r\nline two\r\n');
    expect(loadAgentDefinitions({ cwd, home }).agents[0]?.systemPrompt).toBe('line one\nline two');
  });

  it('warns about a name that a plan cannot refer to', () => {
    const file = writeAgent(cwd, 'spaced.md', agentText('Code Reviewer'));
    expect(loadAgentDefinitions({ cwd, home }).warnings).toEqual([
      `${file}: name: "Code Reviewer" cannot be named by a task's agent field (expected letters, digits, -, _ or .)`,
    ]);
  });

  it('warns about an empty body', () => {
    const file = writeAgent(cwd, 'empty.md', agentText('empty', '', ''));
    expect(loadAgentDefinitions({ cwd, home }).warnings).toEqual([
      `${file}: the body is empty, so the agent has no system prompt of its own`,
    ]);
  });
});

describe('bad frontmatter', () => {
  // [label, file text, expected reason, the agent name the file is taken to define]
  const cases: Array<[string, string, string, string]> = [
    ['no frontmatter', 'just a prompt\n', 'frontmatter: missing (expected it between two "---" lines at the top of the file)', 'bad'],
    ['unterminated', '---\nname: a\ndescription: b\n', 'frontmatter: missing', 'bad'],
    ['missing name', '---\ndescription: b\n---\nx', 'frontmatter: name: required, a non-empty string', 'bad'],
    ['empty description', '---\nname: a\ndescription: "  "\n---\nx', 'frontmatter: description: required, a non-empty string', 'a'],
    ['name not a string', '---\nname: [a]\ndescription: b\n---\nx', 'frontmatter: name: expected a string, got ["a"]', 'bad'],
    ['not a mapping', '---\n- a\n- b\n---\nx', 'frontmatter: expected "key: value" lines', 'bad'],
    ['bad tools', '---\nname: a\ndescription: b\ntools: 3\n---\nx', 'frontmatter: tools: expected a comma-separated string or a list of tool names, got 3', 'a'],
    ['bad maxTurns', '---\nname: a\ndescription: b\nmaxTurns: 0\n---\nx', 'frontmatter: maxTurns: expected a positive integer, got 0', 'a'],
    ['bad YAML', '---\nname: a\ndescription: b\ntools: [Read,\n---\nx', 'frontmatter: not valid YAML at line', 'a'],
  ];

  it.each(cases)('%s → a one-line warning, the other agents still load, and findAgent of its name fails with it', (_label, text, expected, name) => {
    const file = writeAgent(cwd, 'bad.md', text);
    writeAgent(cwd, 'good.md', agentText('good'));
    const loaded = loadAgentDefinitions({ cwd, home });
    expect(loaded.agents.map((agent) => agent.name)).toEqual(['good']);
    expect(loaded.warnings).toEqual([expect.stringContaining(`${file}: ${expected}`)]);
    expect(loaded.warnings[0]).not.toContain('\n');
    expect(loaded.invalid).toEqual([{ source: file, scope: 'project', name, reason: loaded.warnings[0] }]);
    const error = errorThrownBy(() => findAgent(name, { cwd, home }));
    expect(isFanoutError(error, 'PLAN_INVALID')).toBe(true);
    expect(error.message).toBe(loaded.warnings[0]);
  });

  it('does not fail findAgent for another agent name', () => {
    writeAgent(cwd, 'good.md', agentText('good'));
    writeAgent(home, 'bad.md', '---\nname: bad\n---\n');
    expect(findAgent('good', { cwd, home })).toMatchObject({ name: 'good' });
    expect(() => findAgent('bad', { cwd, home })).toThrow(/bad\.md: frontmatter: description: required/);
  });

  it('lists the files it could not load in the unknown-agent message', () => {
    writeAgent(cwd, 'good.md', agentText('good'));
    const bad = writeAgent(home, 'broken.md', 'no frontmatter');
    expect(() => findAgent('x', { cwd, home })).toThrow(`; found: good; could not load: ${bad})`);
  });

  it('lets a broken project file hide the user definition it would have replaced', () => {
    const broken = writeAgent(cwd, 'shared.md', '---\nname: shared\n---\n');
    const user = writeAgent(home, 'shared.md', agentText('shared'));
    const loaded = loadAgentDefinitions({ cwd, home });
    expect(loaded.agents).toEqual([]);
    expect(loaded.warnings).toContain(`${user}: not used: ${broken} defines "shared" for the project but cannot be loaded`);
    expect(() => findAgent('shared', { cwd, home })).toThrow(/shared\.md: frontmatter: description: required/);
  });

  it('prefers a good definition to a broken one of the same name in the same scope', () => {
    writeAgent(cwd, 'a-broken.md', '---\nname: twin\n---\n');
    writeAgent(cwd, 'b-good.md', agentText('twin'));
    expect(findAgent('twin', { cwd, home }).source).toMatch(/b-good\.md$/);
  });

  it('reports an unreadable file as invalid, under its file name', () => {
    const dir = path.join(cwd, '.claude', 'agents');
    mkdirSync(path.join(dir, 'folder.md'), { recursive: true });
    symlinkSync(path.join(dir, 'missing-target'), path.join(dir, 'dangling.md'));
    const loaded = loadAgentDefinitions({ cwd, home });
    expect(loaded.invalid?.map((file) => [file.name, file.reason])).toEqual([
      ['dangling', `${path.join(dir, 'dangling.md')}: cannot read the agent file (ENOENT)`],
    ]);
  });
});

describe('findAgent', () => {
  it('returns the definition with that name', () => {
    writeAgent(home, 'helper.md', agentText('helper'));
    expect(findAgent('helper', { cwd, home })).toMatchObject({ name: 'helper', scope: 'user' });
  });

  it('names the directories searched and the agents found when the name is unknown', () => {
    writeAgent(cwd, 'a.md', agentText('a'));
    writeAgent(home, 'b.md', agentText('b'));
    const error = errorThrownBy(() => findAgent('x', { cwd, home }));
    expect(isFanoutError(error, 'PLAN_INVALID')).toBe(true);
    expect(error.message).toBe(
      `unknown agent "x" (looked in ${path.join(cwd, '.claude/agents')}, ${path.join(home, '.claude/agents')}; found: a, b)`,
    );
  });

  it('says "found: none" when no definitions exist', () => {
    expect(() => findAgent('x', { cwd, home })).toThrow(/; found: none\)$/);
  });
});

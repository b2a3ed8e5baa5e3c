import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { commandWorkspace } from '../test-support/command-workspace.js';

// `fanout agents` with a project directory and a user directory under a temp HOME.

function agentFile(name: string, description: string, extra = ''): string {
  return `---\nname: ${name}\ndescription: ${description}\n${extra}---\nYou are ${name}.\n`;
}

function setup() {
  const workspace = commandWorkspace();
  const home = mkdtempSync(join(tmpdir(), 'fanout-user-home-'));
  const userAgents = join(home, '.claude', 'agents');
  mkdirSync(userAgents, { recursive: true });
  writeFileSync(join(userAgents, 'security.md'), agentFile('security-reviewer', 'The user version'));
  writeFileSync(join(userAgents, 'writer.md'), agentFile('test-writer', 'Writes tests', 'tools: [Read, Write]\n'));
  const project = workspace.file('.claude/agents/sec.md', agentFile('security-reviewer', 'Reviews code for vulnerabilities', 'tools: Read, Grep, Bash, WebFetch\nmodel: sonnet\n'));
  return { ...workspace, home, userAgents, project };
}

describe('fanout agents', () => {
  it('lists project and user definitions with where they come from and which one shadows which', async () => {
    const { io, home, userAgents, project } = setup();
    const run = io({ HOME: home });
    expect(await runCli(['agents'], run)).toBe(0);
    const text = run.out();
    expect(text).toMatch(/^2 agent definitions \(looked in project: \S+\/\.claude\/agents; user: \S+\/\.claude\/agents\)/);
    expect(text).toMatch(/security-reviewer\s+project\s+read_file, grep, bash\s+anthropic:claude-sonnet-5-5\s+Reviews code for vulnerabilities/);
    expect(text).toContain(`      ${project} (shadows ${join(userAgents, 'security.md')})`);
    expect(text).toMatch(/test-writer\s+user\s+read_file, write_file\s+inherit\s+Writes tests/);
    expect(text).toMatch(/Warnings:\n {2}! \S+sec\.md: tools: ignored WebFetch/);
  });

  it('--json prints the directories, the definitions and the warnings as one object', async () => {
    const { io, home, project } = setup();
    const run = io({ HOME: home });
    expect(await runCli(['agents', '--json'], run)).toBe(0);
    const listed = JSON.parse(run.out()) as { directories: unknown[]; agents: Array<Record<string, unknown>>; warnings: string[] };
    expect(listed.directories).toHaveLength(2);
    expect(listed.agents.map((agent) => [agent.name, agent.scope, agent.source])).toEqual([
      ['security-reviewer', 'project', project],
      ['test-writer', 'user', join(home, '.claude', 'agents', 'writer.md')],
    ]);
    expect(listed.warnings).toHaveLength(1);
  });

  it('says where it looked when there are none', async () => {
    const { io } = commandWorkspace();
    const run = io({ HOME: mkdtempSync(join(tmpdir(), 'fanout-user-home-')) });
    expect(await runCli(['agents'], run)).toBe(0);
    expect(run.out()).toMatch(/^No agent definitions found \(looked in project: .*; user: .*\)\.\n$/);
  });

  it('a file with bad frontmatter is listed as a warning naming it; the other definitions still load', async () => {
    const { io, home, userAgents } = setup();
    const broken = join(userAgents, 'broken.md');
    writeFileSync(broken, '---\nname: broken\n---\nNo description.\n');
    const run = io({ HOME: home });
    expect(await runCli(['agents'], run)).toBe(0);
    expect(run.out()).toMatch(/^2 agent definitions/);
    expect(run.out()).toContain(`  ! ${broken}: frontmatter: description: required, a non-empty string\n`);

    const json = io({ HOME: home });
    expect(await runCli(['agents', '--json'], json)).toBe(0);
    expect((JSON.parse(json.out()) as { invalid: unknown[] }).invalid).toEqual([expect.objectContaining({ source: broken, name: 'broken' })]);
  });
});

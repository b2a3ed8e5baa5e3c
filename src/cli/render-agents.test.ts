import { describe, expect, it } from 'vitest';
import type { AgentDefinition } from '../agents/index.js';
import { renderAgents } from './render-agents.js';

const directories = [
  { dir: '/p/.claude/agents', scope: 'project' as const },
  { dir: '/h/.claude/agents', scope: 'user' as const },
];

function agent(overrides: Partial<AgentDefinition> & { name: string }): AgentDefinition {
  return { description: 'Does things', systemPrompt: 'You are.', source: `/p/.claude/agents/${overrides.name}.md`, scope: 'project', warnings: [], ...overrides };
}

describe('renderAgents', () => {
  it('lists each definition with scope, tools, model, description, source and what it shadows', () => {
    const lines = renderAgents(
      {
        agents: [
          agent({ name: 'sec', tools: ['read_file', 'grep'], model: 'anthropic:claude-sonnet-4-5', shadows: '/h/.claude/agents/sec.md' }),
          agent({ name: 'writer', scope: 'user', source: '/h/.claude/agents/writer.md', description: `${'long '.repeat(20)}\nsecond line` }),
        ],
        warnings: ['/p/.claude/agents/sec.md: tools: ignored Bash'],
      },
      directories,
    );
    expect(lines[0]).toBe('2 agent definitions (looked in project: /p/.claude/agents; user: /h/.claude/agents)');
    expect(lines[2]).toMatch(/^ {2}name\s+scope\s+tools\s+model\s+description$/);
    expect(lines[3]).toMatch(/^ {2}sec\s+project\s+read_file, grep\s+anthropic:claude-sonnet-4-5\s+Does things$/);
    expect(lines[4]).toBe('      /p/.claude/agents/sec.md (shadows /h/.claude/agents/sec.md)');
    expect(lines[5]).toMatch(/^ {2}writer\s+user\s+all tools\s+inherit\s+long long .*…$/);
    expect(lines[5]).not.toContain('second line');
    expect(lines[6]).toBe('      /h/.claude/agents/writer.md');
    expect(lines.slice(-2)).toEqual(['Warnings:', '  ! /p/.claude/agents/sec.md: tools: ignored Bash']);
  });

  it('says where it looked when there are none, and shows an empty tool list as no tools', () => {
    expect(renderAgents({ agents: [], warnings: [] }, directories)).toEqual([
      'No agent definitions found (looked in project: /p/.claude/agents; user: /h/.claude/agents).',
    ]);
    expect(renderAgents({ agents: [agent({ name: 'x', tools: [] })], warnings: [] }, directories)[3]).toMatch(/x\s+project\s+no tools/);
  });
});

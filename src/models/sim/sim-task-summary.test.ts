import { describe, expect, it } from 'vitest';
import type { SimToolCall, SimToolResult } from './sim-conversation.js';
import { taskSummary } from './sim-task-summary.js';

function summary(system: string, calls: Array<[SimToolCall['name'], Record<string, unknown>, string, boolean?]>): string {
  const toolCalls = calls.map(([name, input], index) => ({ id: `c${index}`, name, input }));
  const toolResults = new Map<string, SimToolResult>(
    calls.map(([, , content, isError], index) => [`c${index}`, { toolCallId: `c${index}`, content, isError: isError ?? false }]),
  );
  return taskSummary({ system, firstUserText: 'Implement the login endpoint\nwith details', toolCalls, toolResults });
}

describe('taskSummary', () => {
  it('names the role and task and lists what the tool results showed', () => {
    const text = summary('You are a backend specialist. Work carefully.', [
      ['read_file', { path: 'src/a.ts' }, '...'],
      ['write_file', { path: 'src/auth/login.ts' }, 'ok'],
      ['Read', { file_path: 'src/b.ts' }, '...'],
      ['edit_file', { path: 'src/c.ts' }, 'boom', true],
      ['Bash', { command: 'npm test' }, 'passed'],
      ['grep', { pattern: 'TODO' }, 'none'],
      ['read_file', { path: 'src/d.ts' }, '...'],
    ]);
    expect(text).toBe(
      [
        '(simulated) backend finished: Implement the login endpoint',
        '',
        '- Read 3 files',
        '- Wrote src/auth/login.ts',
        '- edit_file failed: boom',
        '- Ran `npm test`',
        '- Searched for "TODO"',
      ].join('\n'),
    );
  });

  it('reads the role out of fanout\'s role sentence', () => {
    expect(summary('You are a general-purpose specialist for this specific task.\nTask: hi', [])).toMatch(/^\(simulated\) general-purpose finished: hi\n/);
  });

  it('takes Role: and Task: labels from the system prompt and says when no tools ran', () => {
    const text = summary('# Role\nSecurity reviewer\n\nTask: Audit the auth module', []);
    expect(text).toBe('(simulated) Security reviewer finished: Audit the auth module\n\n- No tool calls were made.');
  });

  it('skips the system-reminder blocks Claude Code puts before the prompt', () => {
    const text = taskSummary({
      system: 'You are a Claude agent, built on the Claude Agent SDK.',
      firstUserText: '<system-reminder>\nContext.\n</system-reminder>\n\nSummarize the repo',
      toolCalls: [],
      toolResults: new Map(),
    });
    expect(text.split('\n')[0]).toBe('(simulated) Claude agent finished: Summarize the repo');
  });

  it('names a single read file and skips calls without a result', () => {
    const text = taskSummary({
      system: '',
      firstUserText: 'Look',
      toolCalls: [
        { id: 'a', name: 'read_file', input: { path: 'README.md' } },
        { id: 'b', name: 'write_file', input: { path: 'x' } },
      ],
      toolResults: new Map([['a', { toolCallId: 'a', content: 'text', isError: false }]]),
    });
    expect(text).toBe('(simulated) Subagent finished: Look\n\n- Read README.md');
  });
});

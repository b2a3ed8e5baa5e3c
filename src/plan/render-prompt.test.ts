import { describe, expect, it } from 'vitest';
import { renderSystemPrompt, renderTaskPrompt } from './render-prompt.js';

describe('renderSystemPrompt', () => {
  it('renders every section of the role-prompt template in order', () => {
    const prompt = renderSystemPrompt({
      id: 'login',
      description: 'Login endpoint implementation',
      role: 'backend',
      prompt: 'Implement POST /auth/login.',
      context: 'Express 5 app.\nUsers in src/db/schema.sql.',
      files: ['src/db/schema.sql', 'docs/api/auth.md'],
      writes: ['src/auth/login.ts'],
      outputFormat: 'A short report: files written, open questions.',
      focus: ['constant-time comparison', 'no user enumeration'],
    });
    expect(prompt).toBe(
      [
        'You are a backend specialist for this specific task.',
        'Task: Login endpoint implementation',
        'Context:',
        'Express 5 app.',
        'Users in src/db/schema.sql.',
        'Files to work with:',
        '- src/db/schema.sql',
        '- docs/api/auth.md',
        'Output format:',
        'A short report: files written, open questions.',
        'Focus areas:',
        '- constant-time comparison',
        '- no user enumeration',
        'Tools and write scope:',
        'You may write and edit only paths matching:',
        '- src/auth/login.ts',
        'Writes anywhere else are refused. Use the tools to read what you need. Your final message is your output.',
      ].join('\n'),
    );
  });

  it('leaves out empty sections, uses the default role and the prompt as the task, and says read-only', () => {
    const prompt = renderSystemPrompt({ id: 'scan', prompt: 'List the TODO comments.', files: [], focus: ['  '] });
    expect(prompt).toBe(
      [
        'You are a general-purpose specialist for this specific task.',
        'Task: List the TODO comments.',
        'Tools and write scope:',
        'You are read-only: do not write or edit files. Use the tools to read what you need. Your final message is your output.',
      ].join('\n'),
    );
  });

  it('asks for JSON matching the schema when the output format is a JSON Schema', () => {
    const schema = { type: 'object', properties: { cases: { type: 'integer' } }, required: ['cases'] };
    const prompt = renderSystemPrompt({ id: 't', prompt: 'p', outputFormat: schema });
    expect(prompt).toContain(
      `Output format:\nReply with only a JSON value that validates against this JSON Schema:\n${JSON.stringify(schema, null, 2)}\n`,
    );
  });
});

describe('renderTaskPrompt', () => {
  it('is the task prompt, trimmed', () => {
    expect(renderTaskPrompt({ id: 't', prompt: '\n  Do the thing.\n' })).toBe('Do the thing.');
  });
});

describe('renderSystemPrompt with a role prompt', () => {
  it('puts the role prompt in place of the role sentence and keeps the other sections', () => {
    const prompt = renderSystemPrompt(
      { id: 't', role: 'ignored', prompt: 'p', description: 'Fix the login', focus: ['speed'] },
      { rolePrompt: 'You are the team reviewer. Be terse.' },
    );
    expect(prompt.startsWith('You are the team reviewer. Be terse.\n\nTask: Fix the login')).toBe(true);
    expect(prompt).not.toContain('ignored');
    expect(prompt).toContain('Focus areas:\n- speed');
  });
});

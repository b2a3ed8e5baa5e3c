import { describe, expect, it } from 'vitest';
import { parseSynthesisSections, synthesisAnswer } from './sim-synthesis.js';

const PROMPT = [
  'Combine the outputs of these tasks.',
  '',
  '### login — Login endpoint',
  '',
  '# Login done',
  'Details here.',
  '### Notes inside the output, not a section',
  'DECISION: use JWT',
  '',
  '### register — Registration endpoint',
  'Registration done.',
  'DECISION: use JWT',
  '',
  '### reset – Password reset',
  '   ',
  'Reset done.',
  'DECISION: use sessions',
  '',
  '### empty - Nothing',
].join('\n');

describe('parseSynthesisSections', () => {
  it('splits on "### <id> — <description>" headings only', () => {
    const sections = parseSynthesisSections(PROMPT);
    expect(sections.map((s) => [s.taskId, s.description])).toEqual([
      ['login', 'Login endpoint'],
      ['register', 'Registration endpoint'],
      ['reset', 'Password reset'],
      ['empty', 'Nothing'],
    ]);
    expect(sections[0]!.output).toContain('### Notes inside the output');
  });
});

describe('synthesisAnswer', () => {
  it('answers in the exact format the engine parses, with disagreements between DECISION lines', () => {
    expect(synthesisAnswer(PROMPT)).toBe(
      [
        '## Result',
        '- **login**: Login done',
        '- **register**: Registration done.',
        '- **reset**: Reset done.',
        '- **empty**: (no output)',
        '',
        'Combined 4 task outputs into one result (simulated).',
        '',
        '## Disagreements',
        '- **login**, **register** vs **reset**: DECISION "use JWT" vs "use sessions"',
      ].join('\n'),
    );
  });

  it('reports "- none" when the decisions agree', () => {
    const answer = synthesisAnswer('### a — A\nDECISION: x\n### b — B\nDECISION: x\n### c — C\nno decision');
    expect(answer.endsWith('## Disagreements\n- none')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { isFanoutError } from '../contracts/errors.js';
import { parsePlannerAnswer } from './parse-planner-answer.js';
import { errorThrownBy } from '../test-support/error-thrown-by.js';

const plan = {
  name: 'two',
  tasks: [
    { id: 'a', prompt: 'do a', writes: ['src/a/**'] },
    { id: 'b', prompt: 'do b', writes: ['src/b/**'], dependsOn: ['a'] },
  ],
};
const json = JSON.stringify(plan, null, 2);

describe('parsePlannerAnswer', () => {
  it('reads the plan from a ```json block among prose and other blocks', () => {
    const text = `Here is a sketch:\n\`\`\`text\n{not this}\n\`\`\`\nand the plan:\n\`\`\`json\n${json}\n\`\`\`\nDone.`;
    expect(parsePlannerAnswer(text, 'planner')).toEqual(plan);
  });

  it('reads the plan from an untagged fenced block', () => {
    expect(parsePlannerAnswer(`Plan:\n\`\`\`\n${json}\n\`\`\``, 'planner')).toEqual(plan);
  });

  it('reads a bare JSON answer', () => {
    expect(parsePlannerAnswer(`  ${json}\n`, 'planner')).toEqual(plan);
  });

  it.each([
    ['an empty answer', '', 'planner: the answer is empty; expected JSON'],
    ['no JSON', 'Sorry, I cannot plan this.', 'planner: the answer is not JSON ('],
    ['broken JSON', '```json\n{"tasks": [\n```', 'planner: the answer is not JSON ('],
    ['a schema problem', '```json\n{"tasks": [{"id": "a"}]}\n```', 'planner: tasks[0].prompt:'],
    ['an unknown dependency', '```json\n{"tasks": [{"id": "a", "prompt": "x", "dependsOn": ["zz"]}]}\n```', '"zz"'],
  ])('rejects %s with one PLAN_INVALID line', (_label, text, expected) => {
    const error = errorThrownBy(() => parsePlannerAnswer(text, 'planner'));
    expect(isFanoutError(error, 'PLAN_INVALID')).toBe(true);
    expect(error.message).toContain(expected);
    expect(error.message).not.toContain('\n');
  });

  it('serializes overlapping write scopes by default and rejects them when strict', () => {
    const overlapping = JSON.stringify({
      tasks: [
        { id: 'a', prompt: 'x', writes: ['src/**'] },
        { id: 'b', prompt: 'y', writes: ['src/b.ts'] },
      ],
    });
    expect(parsePlannerAnswer(overlapping, 'planner').tasks).toHaveLength(2);
    const error = errorThrownBy(() => parsePlannerAnswer(overlapping, 'planner', { strict: true }));
    expect(isFanoutError(error, 'PLAN_CONFLICT')).toBe(true);
  });
});

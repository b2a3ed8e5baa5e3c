import { describe, expect, it } from 'vitest';
import { isFanoutError } from '../../contracts/errors.js';
import { buildConversation, type SimMessage } from './sim-conversation.js';
import { encodeSimDirective } from './sim-directives.js';
import { respond } from './sim-responder.js';

const spawnResult = JSON.stringify({ runId: 'run-1', handles: [{ id: 'a', handle: 'task-a' }, { id: 'b', handle: 'task-b' }] });

/** A conversation that made one call (`spawn`) and got `spawnResult` back, scripted by `directive`. */
function afterOneCall(directive: Parameters<typeof encodeSimDirective>[0], result = spawnResult) {
  const messages: SimMessage[] = [
    { role: 'user', texts: [`go ${encodeSimDirective(directive)}`], toolCalls: [], toolResults: [] },
    { role: 'assistant', texts: [], toolCalls: [{ id: 'c0', name: 'spawn', input: {} }], toolResults: [] },
    { role: 'user', texts: [], toolCalls: [], toolResults: [{ toolCallId: 'c0', content: result, isError: false }] },
  ];
  return buildConversation([], messages);
}

describe('{{result[N].path}} in a script', () => {
  it('puts values of an earlier tool result into the next tool input: whole values, [*] over arrays', () => {
    const answer = respond(
      afterOneCall({
        script: [
          { tools: [{ name: 'spawn', input: {} }] },
          { tools: [{ name: 'wait', input: { handles: '{{result[0].handles[*].handle}}', first: '{{result[0].handles[0].handle}}' } }] },
        ],
      }),
    );
    expect(answer.toolCalls[0]?.input).toEqual({ handles: ['task-a', 'task-b'], first: 'task-a' });
  });

  it('writes them into text: strings as they are, other values as JSON; the raw result without a path', () => {
    const answer = respond(afterOneCall({ script: [{ tools: [{ name: 'spawn', input: {} }] }], output: 'run {{result[0].runId}} ids {{result[0].handles[*].id}}' }));
    expect(answer.text).toBe('run run-1 ids ["a","b"]');
    expect(respond(afterOneCall({ output: 'got: {{result[0]}}' }, 'plain text')).text).toBe('got: plain text');
  });

  it.each([
    ['{{result[1].runId}}', 'no result for call 1'],
    ['{{result[0].nope}}', 'the result has no .nope'],
    ['{{result[0].runId[*]}}', '[*] needs an array'],
  ])('%s: a 400 naming the reference', (output, reason) => {
    let caught: unknown;
    try {
      respond(afterOneCall({ output }));
    } catch (error) {
      caught = error;
    }
    expect(isFanoutError(caught, 'OPTION_INVALID')).toBe(true);
    expect((caught as { status: number }).status).toBe(400);
    expect((caught as Error).message).toContain(`fanout-sim directive: ${output}: ${reason}`);
  });

  it('a result that is not JSON cannot be walked', () => {
    expect(() => respond(afterOneCall({ output: '{{result[0].x}}' }, 'not json'))).toThrow(/is not JSON/);
  });
});

import { describe, expect, it } from 'vitest';
import { ScriptedModel, textResponse } from '../models/scripted-model.js';
import { modelConflictResolver, resolverMessage } from './conflict-resolver.js';
import { ManualClock } from './manual-clock.js';
import { ModelGates } from './model-gate.js';
import type { ConflictResolveRequest } from '../contracts/workspace.js';

const request: ConflictResolveRequest = {
  conflict: { file: 'config.ts', task: 'two', withTasks: ['one'], kind: 'contents', message: 'Merge conflict in config.ts', hunks: [{ line: 1, ours: 'a', theirs: 'b' }] },
  base: 'x\n',
  ours: 'a\n',
  theirs: 'b\n',
  merged: '<<<<<<< ours\na\n=======\nb\n>>>>>>> theirs\n',
};
const plan = { tasks: [{ id: 'one', prompt: 'Set port to 8080.' }, { id: 'two', prompt: 'Set port to 9090.' }] };

describe('resolver subagent', () => {
  it("gives the model both tasks' prompts, the base, both sides and the merged file", () => {
    const message = resolverMessage(request, (id) => plan.tasks.find((task) => task.id === id)?.prompt);
    expect(message).toContain('### Task one\nSet port to 8080.');
    expect(message).toContain('### Task two\nSet port to 9090.');
    expect(message).toContain('## The file at the common base\n````\nx\n\n````');
    expect(message).toContain(`<merged-file>\n${request.merged}\n</merged-file>`);
  });

  it('calls the model of the task whose branch conflicted and takes a fenced answer without its fence', async () => {
    const model = new ScriptedModel([textResponse('```ts\nab\n```')]);
    const other = new ScriptedModel([]);
    const resolve = modelConflictResolver({ plan, modelOf: (id) => (id === 'two' ? model : other), gates: new ModelGates({ clock: new ManualClock() }) });
    expect(await resolve(request)).toBe('ab\n');
    expect(model.requests[0]?.providerOptions).toEqual({ sim: { kind: 'resolver' } });
  });

  it('refuses an empty answer and one cut at the token limit', async () => {
    const gates = new ModelGates({ clock: new ManualClock() });
    const empty = modelConflictResolver({ plan, modelOf: () => new ScriptedModel([textResponse('  ')]), gates });
    await expect(empty(request)).rejects.toThrow('the resolver returned an empty answer');
    const cut = modelConflictResolver({ plan, modelOf: () => new ScriptedModel([{ ...textResponse('ab'), stopReason: 'max_tokens' }]), gates });
    await expect(cut(request)).rejects.toThrow('the answer was cut at 16384 output tokens');
  });
});

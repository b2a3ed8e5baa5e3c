import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { ModelRequest, ModelResponse } from '../../contracts/model.js';
import { answerContent, toStopReason, toolUse, toUsage } from './openai-messages.js';

interface PendingCall {
  id: string;
  name: string;
  args: string;
}

/**
 * Accumulates a streamed Chat Completion into a ModelResponse, calling
 * `onDelta` with text as it arrives and with each tool call's name when the
 * call starts. Tool calls arrive as `delta.tool_calls` fragments keyed by
 * `index`; their arguments are parsed once, at the end. Fragments without an
 * `index`, or a new `id` at a used index (both seen from compatible
 * servers), start a new call. Undefined when the stream ended before a
 * `finish_reason`, i.e. the answer was cut off.
 */
export async function collectChatStream(
  stream: AsyncIterable<ChatCompletionChunk>,
  onDelta: NonNullable<ModelRequest['onDelta']>,
): Promise<ModelResponse | undefined> {
  let text = '';
  let refusal = '';
  const calls: PendingCall[] = [];
  const byIndex = new Map<number, PendingCall>();
  let finishReason: string | undefined;
  let usage: ModelResponse['usage'] = { inputTokens: 0, outputTokens: 0 };

  for await (const chunk of stream) {
    // The usage chunk (stream_options.include_usage) has no choices; some servers put usage on the last choice chunk instead.
    if (chunk.usage != null) usage = toUsage(chunk.usage);
    const choice = chunk.choices?.[0];
    if (choice === undefined) continue;
    const delta = choice.delta ?? {};
    if (delta.content) {
      text += delta.content;
      onDelta({ type: 'text-delta', text: delta.content });
    }
    if (delta.refusal) refusal += delta.refusal;
    for (const fragment of delta.tool_calls ?? []) {
      const index = fragment.index as number | undefined;
      let call = index === undefined ? (fragment.id ? undefined : calls.at(-1)) : byIndex.get(index);
      if (call !== undefined && fragment.id && call.id !== '' && fragment.id !== call.id) call = undefined;
      if (call === undefined) {
        call = { id: fragment.id ?? '', name: '', args: '' };
        calls.push(call);
        if (index !== undefined) byIndex.set(index, call);
      }
      const name = fragment.function?.name;
      if (name && call.name === '') {
        call.name = name;
        onDelta({ type: 'tool-call', name });
      }
      if (fragment.function?.arguments) call.args += fragment.function.arguments;
    }
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }

  if (finishReason === undefined) return undefined;
  const uses = calls.map((call, index) => toolUse(call.id, index, call.name, call.args));
  const refused = text === '' && refusal !== '';
  return {
    content: answerContent(refused ? refusal : text, uses),
    stopReason: refused ? 'refusal' : toStopReason(finishReason, uses.length > 0),
    usage,
  };
}

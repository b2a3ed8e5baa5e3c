/**
 * fanout's Model request as Anthropic Messages API parameters. Pure
 * functions: the model class owns the client, the response and stream
 * modules read the answers.
 */
import type {
  ContentBlockParam,
  MessageCreateParamsBase,
  MessageParam,
  TextBlockParam,
  Tool,
} from '@anthropic-ai/sdk/resources/messages';
import type { ContentBlock, Message, ModelRequest, ToolSpec } from '../../contracts/model.js';

/** The parameters of one call, without `stream`: the system prompt as a text block, each turn, each tool. */
export function toMessageParams(
  modelId: string,
  request: Pick<ModelRequest, 'system' | 'messages' | 'tools' | 'maxTokens'>,
): MessageCreateParamsBase {
  const system: TextBlockParam[] = request.system === '' ? [] : [{ type: 'text', text: request.system }];
  return {
    model: modelId,
    max_tokens: request.maxTokens,
    ...(system.length === 0 ? {} : { system }),
    messages: request.messages.map(toApiMessage),
    ...(request.tools.length === 0 ? {} : { tools: request.tools.map(toApiTool) }),
  };
}

function toApiTool(tool: ToolSpec): Tool {
  return { name: tool.name, description: tool.description, input_schema: tool.inputSchema as Tool['input_schema'] };
}

function toApiMessage(message: Message): MessageParam {
  // The API rejects empty text blocks; they carry nothing, so drop them unless nothing else is left.
  const blocks = message.content.filter((block) => block.type !== 'text' || block.text !== '');
  return { role: message.role, content: (blocks.length > 0 ? blocks : message.content).map(toApiBlock) };
}

function toApiBlock(block: ContentBlock): ContentBlockParam {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
    case 'tool_result':
      return { type: 'tool_result', tool_use_id: block.toolUseId, content: block.content, is_error: block.isError };
  }
}

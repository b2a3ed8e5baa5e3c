export { AGENT_TOOL_NAMES } from './agent-definition.js';
export type { AgentDefinition, AgentScope, AgentToolName } from './agent-definition.js';
export { mapClaudeCodeModel, mapClaudeCodeTools } from './claude-code-names.js';
export { agentDirectories, findAgent, loadAgentDefinitions } from './load-agent-definitions.js';
export type { AgentLookupOptions, InvalidAgentFile, LoadedAgentDefinitions } from './load-agent-definitions.js';
export { parseAgentFile } from './parse-agent-file.js';
export { claudeCodeAgentSource } from './agent-source.js';

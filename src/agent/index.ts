export { DEFAULT_MAX_TOKENS_PER_CALL, runAgent, type AgentOptions, type AgentResult } from './run-agent.js';
export { createSandbox, type ResolvedPath, type Sandbox, type SandboxOptions } from './sandbox.js';
export { compileOutputCheck, extractJson, repairRequest, type OutputCheck } from './output-format.js';
export {
  agentToolSpecs,
  agentTools,
  executeToolCalls,
  type AgentTool,
  type ToolCallInfo,
  type ToolContext,
  type ToolExecution,
} from './tools/index.js';

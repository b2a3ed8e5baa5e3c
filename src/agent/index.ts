export { DEFAULT_MAX_TOKENS_PER_CALL, runAgent, type AgentOptions, type AgentResult, type ModelCallInfo } from './run-agent.js';
export { createSandbox, SandboxRoot, type ResolvedPath, type Sandbox } from './sandbox.js';
export { compileOutputCheck, extractJson, repairRequest } from './output-format.js';
export {
  agentToolSpecs,
  agentTools,
  executeToolCalls,
  type AgentTool,
  type ToolCallInfo,
  type ToolContext,
  type ToolExecution,
} from './tools/index.js';
export { bashTool } from './tools/index.js';
export { deepFreeze } from './tools/deep-freeze.js';
export { compileGlobMatcher } from './tools/glob-matcher.js';
export { shellSandboxStatus, type ShellSandboxStatus } from './shell/sandbox-probe.js';
export { runShellCommand, type CommandResult } from './shell/run-command.js';
export {
  DEFAULT_SHELL_OUTPUT_BYTES,
  DEFAULT_SHELL_TIMEOUT_MS,
  type ShellPolicy,
} from './shell/shell-policy.js';

import { deepFreeze } from './deep-freeze.js';
import type { ToolSpec } from '../../contracts/model.js';
import { editFileTool } from './edit-file.js';

export { bashTool } from './bash.js';
import { grepTool } from './grep.js';
import { listFilesTool } from './list-files.js';
import { readFileTool } from './read-file.js';
import type { AgentTool } from './tool.js';
import { writeFileTool } from './write-file.js';

export { executeToolCalls, type ToolCallInfo, type ToolExecution } from './execute-tool-calls.js';
export type { AgentTool, ToolContext } from './tool.js';

/** The tools every agent gets: read_file, write_file, edit_file, list_files, grep. */
export const agentTools: readonly AgentTool[] = [readFileTool, writeFileTool, editFileTool, listFilesTool, grepTool];

/**
 * The specs of {@link agentTools}, as sent to the model. Deeply frozen: every
 * request of every task shares them.
 */
export const agentToolSpecs: readonly ToolSpec[] = agentTools.map((tool) => deepFreeze(tool.spec));

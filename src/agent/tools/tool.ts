import { FanoutError } from '../../contracts/errors.js';
import type { ToolSpec } from '../../contracts/model.js';
import { compileJsonSchema } from '../../plan/json-schema.js';
import type { Sandbox } from '../sandbox.js';
import type { ShellPolicy } from '../shell/shell-policy.js';

/** What a tool may use while it runs. */
export interface ToolContext {
  sandbox: Sandbox;
  /** Long walks stop early when it fires; the agent loop then discards the result. */
  signal: AbortSignal;
  /** What the `bash` tool may do; absent when the task has no shell. */
  shell?: ShellPolicy;
}

/** A tool the agent offers its model. */
export interface AgentTool {
  readonly spec: ToolSpec;
  /**
   * Validates `input` against the spec's schema and runs the tool. Throws (or
   * rejects with) a FanoutError (`TOOL_DENIED`, `TOOL_FAILED`) or a Node fs
   * error; the executor turns either into a one-line tool error for the
   * model. A tool whose work was synchronous may return its text itself, not
   * a promise of it: the executor then hands the result back in the same
   * turn, without a trip through the microtask queue for each layer.
   */
  run(input: Record<string, unknown>, context: ToolContext): string | Promise<string>;
  /**
   * For a tool that bounds its own calls (bash, with its shell's time
   * limit): the most one call may take, ms, in place of the per-call limit.
   */
  ownTimeLimitMs?(context: ToolContext): number | undefined;
  /**
   * True for a tool whose work is synchronous, so that its promise settles
   * within the event loop's turn it starts in (read_file, write_file,
   * edit_file): its time limit, decided at the end of the turn, and the
   * task's abort, dispatched from a later turn, could never stop it
   * earlier, so the executor runs it without a per-call signal and limit
   * (whose AbortController, listener and watch entry cost more than a
   * small read). The agent loop still checks the task's signal after it.
   */
  readonly withinTurn?: boolean;
}

/** What {@link defineTool} adds to a tool beyond its spec and run. */
export type ToolTraits = Pick<AgentTool, 'ownTimeLimitMs' | 'withinTurn'>;

/**
 * Builds an {@link AgentTool} whose input is checked against its own JSON
 * Schema before `run` sees it, so `run` can trust the declared types.
 */
export function defineTool<Input>(
  spec: ToolSpec,
  run: (input: Input, context: ToolContext) => string | Promise<string>,
  traits: ToolTraits = {},
): AgentTool {
  const validate = compileJsonSchema(spec.inputSchema);
  return {
    spec,
    ...traits,
    run(input, context) {
      const problems = validate(input);
      if (problems.length > 0) {
        throw new FanoutError('TOOL_FAILED', `invalid input for ${spec.name}: ${problems.join('; ')}`);
      }
      return run(input as Input, context);
    },
  };
}

/** A tool failure the model can act on. */
export function toolFailed(message: string): FanoutError {
  return new FanoutError('TOOL_FAILED', message);
}

/** A JSON Schema for an object of string properties. */
export function stringInputs(
  properties: Record<string, string>,
  required: string[],
): Record<string, unknown> {
  return {
    type: 'object',
    properties: Object.fromEntries(
      Object.entries(properties).map(([name, description]) => [name, { type: 'string', description }]),
    ),
    required,
  };
}

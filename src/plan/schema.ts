import { z } from 'zod';
import { checkJsonSchema } from './json-schema.js';
import { HOST_NAME_PATTERN, type Plan } from '../contracts/plan.js';

/** Allowed characters of task ids (and agent names): letters, digits, `-`, `_`, `.`. */
export const TASK_ID_PATTERN = /^[A-Za-z0-9_.-]+$/;

/**
 * Error-message builder for one field: `missing (hint)` when the field is
 * absent, else `expected <what>, got <value>`. Messages name the value because
 * users fix plans by reading the one line we print.
 */
function expected(what: string, missingHint?: string) {
  return (issue: { input?: unknown }): string =>
    issue.input === undefined
      ? `missing${missingHint === undefined ? '' : ` (${missingHint})`}`
      : `expected ${what}, got ${describeValue(issue.input)}`;
}

/** A short, one-line rendering of a value found in a plan. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/**
 * A strict object: unknown fields are errors that list the allowed ones.
 * `refused` names fields that exist elsewhere but are not allowed here, with the reason.
 */
function strictObject<Shape extends z.ZodRawShape>(
  shape: Shape,
  what: string,
  refused: Record<string, string> = {},
) {
  const allowed = Object.keys(shape).join(', ');
  const refusedShape = Object.fromEntries(
    Object.entries(refused).map(([key, reason]) => [key, z.never({ error: reason }).optional()]),
  );
  return z.strictObject({ ...shape, ...refusedShape } as Shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field (expected one of: ${allowed})`
        : expected(what)(issue),
  });
}

const text = (description: string) => z.string({ error: expected('a string') }).describe(description);

const nonEmptyText = (description: string, missingHint: string) =>
  z
    .string({ error: expected('a non-empty string', missingHint) })
    .regex(/\S/, { error: expected('a non-empty string') })
    .describe(description);

const positiveInt = (description: string) => {
  const error = expected('a positive integer');
  return z.int({ error }).positive({ error }).describe(description);
};

const nonNegativeInt = (description: string) => {
  const error = expected('an integer ≥ 0');
  return z.int({ error }).nonnegative({ error }).describe(description);
};

const positiveNumber = (description: string) => {
  const error = expected('a positive number');
  return z.number({ error }).positive({ error }).describe(description);
};

/**
 * Names that are keys of every JavaScript object: an id `__proto__` would
 * become the prototype of a map of outputs keyed by id.
 */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

const name = (what: string, missingHint?: string) =>
  z
    .string({ error: expected(`${what} (letters, digits, -, _ or .)`, missingHint) })
    .regex(TASK_ID_PATTERN, { error: expected(`${what} (letters, digits, -, _ or .)`) })
    .refine((value) => !RESERVED_NAMES.has(value), {
      error: (issue) => `${JSON.stringify(issue.input)} is reserved; choose another name`,
    });

const stringList = (description: string) =>
  z.array(z.string({ error: expected('a string') }), { error: expected('a list of strings') }).describe(description);

const globList = (description: string) =>
  z
    .array(z.string({ error: expected('a glob string') }).min(1, { error: expected('a non-empty glob') }), {
      error: expected('a list of globs'),
    })
    .describe(description);

const simStepSchema = strictObject(
  {
    text: text('Text of this assistant turn.').optional(),
    tools: z
      .array(
        strictObject(
          {
            name: nonEmptyText('Tool name.', 'every tool call needs a name'),
            input: z
              .record(z.string(), z.unknown(), {
                error: expected('an object of tool arguments', 'a tool call needs an input object'),
              })
              .describe('Tool arguments.'),
          },
          'a tool call object',
        ),
        { error: expected('a list of tool calls') },
      )
      .optional(),
  },
  'a script step object',
);

const simOptionsSchema = strictObject(
  {
    latencyMs: z
      .number({ error: expected('a number ≥ 0') })
      .nonnegative({ error: expected('a number ≥ 0') })
      .describe('Delay before each simulated answer, in ms.')
      .optional(),
    script: z
      .array(simStepSchema, { error: expected('a list of script steps') })
      .describe('Turn-by-turn script of the simulated model.')
      .optional(),
    output: text('Final answer text of the simulated model.').optional(),
    fail: strictObject(
      {
        status: z
          .int({ error: expected('an HTTP status (100-599)') })
          .min(100, { error: expected('an HTTP status (100-599)') })
          .max(599, { error: expected('an HTTP status (100-599)') })
          .describe('HTTP status of the injected failures.'),
        times: nonNegativeInt('How many calls fail.'),
        retryAfterMs: nonNegativeInt('retry-after advertised with the failure, in ms.').optional(),
      },
      'a fault object ({ status, times, retryAfterMs? })',
    )
      .describe('Fault injection: the first `times` calls fail with `status`.')
      .optional(),
    outputTokens: nonNegativeInt('Simulated output tokens per call.').optional(),
  },
  'a sim options object',
  { kind: 'set by the engine, not allowed in a plan' },
).describe('Options honoured by the simulated model only.');

const outputFormatSchema = z
  .union([z.string(), z.record(z.string(), z.unknown())], { error: expected('a string or a JSON Schema object') })
  .superRefine((format, ctx) => {
    if (typeof format === 'string') return;
    const problem = checkJsonSchema(format);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: format });
  })
  .describe('Text instructions, or a JSON Schema the final output must validate against.');

const isolationSchema = z
  .enum(['worktree', 'none'], { error: expected('"worktree" or "none"') })
  .describe('worktree: a git worktree and branch of its own, merged into fanout/<run> at the end; none: the working directory itself.');

/** Tool names a task may list. */
export const TASK_TOOL_NAMES = ['read_file', 'write_file', 'edit_file', 'list_files', 'grep', 'bash'] as const;

const shellSchema = strictObject(
  {
    network: z
      .array(
        z
          .string({ error: expected('a host name') })
          .regex(HOST_NAME_PATTERN, { error: expected('a host name such as api.example.com, or *.example.com for its subdomains (no scheme, port or path)') }),
        { error: expected('a list of host names') },
      )
      .describe('Host names commands may reach through fanout\'s proxy (any port; *.example.com: its subdomains); absent or empty: no network.')
      .optional(),
    timeoutMs: positiveInt('Most time one command may take, in ms. Default 120000.').optional(),
  },
  'a shell object ({ network?, timeoutMs? })',
).describe("The task's sandboxed shell (the bash tool).");

const fieldPath = (description: string) =>
  z
    .string({ error: expected('a dotted field path (e.g. result or usage.input_tokens)') })
    .regex(/^[^.\s]+(\.[^.\s]+)*$/, { error: expected('a dotted field path (e.g. result or usage.input_tokens)') })
    .describe(description);

/** Zod schema of a command template: a task's `command` field, and each entry of a commands file. */
export const commandSchema = strictObject(
  {
    run: z
      .array(z.string({ error: expected('a string') }), { error: expected('a list: the program, then its arguments') })
      .min(1, { error: 'expected the program, then its arguments' })
      .refine((run) => (run[0] ?? '').trim() !== '', { error: 'expected a program name first' })
      .describe('The program and its arguments; {prompt}, {system} and {outputFile} are replaced. Without {prompt} the prompt goes to stdin.'),
    result: fieldPath('Field path of the answer in the JSON output; absent: the whole output.').optional(),
    usage: strictObject(
      {
        inputTokens: fieldPath('Field path of the input tokens in the JSON output.').optional(),
        outputTokens: fieldPath('Field path of the output tokens in the JSON output.').optional(),
        costUsd: fieldPath('Field path of the cost in US dollars in the JSON output.').optional(),
      },
      'a usage object ({ inputTokens?, outputTokens?, costUsd? })',
    ).optional(),
  },
  'a command object ({ run, result?, usage? })',
).describe('The CLI agent a task of model: command runs (docs/agents.md).');

const providerLimitsSchema = strictObject(
  {
    maxConcurrent: positiveInt('Most calls of the provider in flight at once.').optional(),
    rpm: positiveInt('Most calls of the provider started in any 60 seconds.').optional(),
    tpm: positiveInt('Most tokens (input + output) of the provider in any 60 seconds.').optional(),
  },
  'a provider limits object ({ maxConcurrent?, rpm?, tpm? })',
).describe("Static caps of one provider's calls, never exceeded.");

const providersSchema = z
  .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: expected('a provider key such as anthropic, openai or sim') }), providerLimitsSchema, {
    error: expected('an object of provider keys'),
  })
  .describe('Static rate-limit caps per provider key (anthropic, openai, sim), for a known tier: { anthropic: { rpm: 50, tpm: 40000 } }.');

/** Zod schema of one task. Strict: unknown fields are errors. */
export const taskSpecSchema = strictObject(
  {
    id: name('an id', 'every task needs an id').describe('Unique id: letters, digits, -, _ or .'),
    description: text('Short label shown in progress and on the todo list. Default: the id.').optional(),
    role: text('The ROLE of the role prompt. Default: general-purpose.').optional(),
    prompt: nonEmptyText('The task itself: the first message the subagent receives.', 'every task needs a prompt'),
    context: text('Relevant context about the codebase or project.').optional(),
    files: globList('Globs the task reads, relative to the working directory.').optional(),
    writes: globList('Globs the task may write; absent or empty means read-only.').optional(),
    outputFormat: outputFormatSchema.optional(),
    focus: stringList('Focus areas, highest priority first.').optional(),
    dependsOn: z
      .array(name('a task id'), { error: expected('a list of task ids') })
      .describe('Ids of tasks that must succeed before this one starts.')
      .optional(),
    model: nonEmptyText('Model spec overriding the plan\'s (sim, anthropic:<model-id>, ...).', 'a model spec').optional(),
    timeoutMs: positiveInt('Limit of this task\'s elapsed time, in ms (a change of the system clock does not move it).').optional(),
    toolTimeoutMs: positiveInt('Most time one tool call of this task may take, in ms. Default 30000.').optional(),
    maxTurns: positiveInt('Most model calls of this task. Default: its agent definition\'s, else 20.').optional(),
    maxTokens: positiveInt('Most tokens (input + output, all calls) of this task.').optional(),
    budgetUsd: positiveNumber('Most estimated cost of this task\'s model calls, in US dollars.').optional(),
    agent: name('an agent name').describe('Agent definition (.claude/agents/*.md) the task uses.').optional(),
    sim: simOptionsSchema.optional(),
    tools: z
      .array(z.enum(TASK_TOOL_NAMES, { error: expected(`one of ${TASK_TOOL_NAMES.join(', ')}`) }), { error: expected('a list of tool names') })
      .describe('Tools offered to the subagent; naming bash gives it a sandboxed shell. Default: the file tools (and bash with shell).')
      .optional(),
    shell: shellSchema.optional(),
    isolation: isolationSchema.optional(),
    command: commandSchema.optional(),
  },
  'a task object',
  // The id names the definition in the exported JSON Schema ($defs/Task).
).meta({ id: 'Task' });

/** Zod schema of a whole plan. Strict: unknown fields are errors. */
export const planSchema = strictObject(
  {
    name: text('Name of the run.').optional(),
    concurrency: positiveInt('Most tasks running at once. Default 8.').optional(),
    model: nonEmptyText('Default model spec for tasks and synthesis.', 'a model spec').optional(),
    todoMode: z
      .enum(['parallel', 'sequential'], { error: expected('"parallel" or "sequential"') })
      .describe('parallel (default): many todo items in progress; sequential: one at a time.')
      .optional(),
    synthesis: z
      .union([z.string(), z.literal(false)], { error: expected('a string or false') })
      .describe('Synthesis instructions, or false to skip synthesis. Default: a generic merge.')
      .optional(),
    maxTokens: positiveInt('Most tokens (input + output) of the whole run, synthesis included.').optional(),
    budgetUsd: positiveNumber('Most estimated cost of the whole run, in US dollars, synthesis included.').optional(),
    timeoutMs: positiveInt('Limit of the whole run\'s elapsed time, in ms (a change of the system clock does not move it).').optional(),
    maxTurns: positiveInt('Most model calls of the whole run, synthesis included.').optional(),
    isolation: isolationSchema.optional(),
    strictWrites: z
      .boolean({ error: expected('true or false') })
      .describe('true: a write or command the sandbox refuses fails its task at once. Default false: it is recorded and shown.')
      .optional(),
    providers: providersSchema.optional(),
    tasks: z
      .array(taskSpecSchema, { error: expected('a list of tasks', 'a plan needs a list of tasks') })
      .min(1, { error: 'expected at least one task' })
      .describe('The tasks; each becomes one subagent.'),
  },
  'a plan object (with a tasks list) or a list of tasks',
);

/** Proves at compile time that whatever the schema accepts is a {@link Plan}. */
type AssignableToPlan<T extends Plan> = T;

/** The type of a plan as the schema returns it; always assignable to {@link Plan}. */
export type ParsedPlan = AssignableToPlan<z.output<typeof planSchema>>;

/**
 * The JSON Schema of plan files (a plan object, or a bare list of tasks), for
 * editors and other tools. Checks that need code (JSON Schema validity of
 * `outputFormat`, unique ids, globs) are not expressible in it.
 */
export function planJsonSchema(): Record<string, unknown> {
  const fileSchema = z.union([planSchema, z.array(taskSpecSchema).min(1)]);
  const generated = z.toJSONSchema(fileSchema, { io: 'input', target: 'draft-07' });
  return {
    $schema: generated.$schema,
    title: 'fanout plan',
    description: 'A fanout plan: tasks run by parallel subagents. See docs/plan-format.md.',
    ...Object.fromEntries(Object.entries(generated).filter(([key]) => key !== '$schema')),
  };
}

/** {@link planJsonSchema} as the exact text of schema/plan.schema.json. */
export function renderPlanJsonSchema(): string {
  return `${JSON.stringify(planJsonSchema(), null, 2)}\n`;
}

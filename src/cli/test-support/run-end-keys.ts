/** The documented keys of the `--json` run-end line, in order (docs/cli.md). */
export const RUN_END_KEYS = ['type', 'runId', 'status', 'wallMs', 'sequentialMs', 'criticalPathMs', 'speedup', 'inputTokens', 'outputTokens', 'costUsd', 'tasks'];

/** The documented keys of each task of the run-end line, in order. */
export const RUN_END_TASK_KEYS = ['id', 'handle', 'status', 'startedAt', 'endedAt', 'durationMs', 'inputTokens', 'outputTokens', 'costUsd'];

import type { FanoutEvent, StoredEvent } from '../contracts/events.js';
import type { ChangeReview } from '../contracts/workspace.js';

export type { ChangeReview };

const CHANGING_TOOLS = new Set(['write_file', 'edit_file', 'bash']);

/** The change review of a run from its events; undefined when no task ran in a worktree. */
export function changeReview(events: readonly StoredEvent[]): ChangeReview | undefined {
  const review: ChangeReview = { tasks: [], refused: [] };
  let worktrees = false;
  for (const { event } of events) collect(review, event, () => (worktrees = true));
  return worktrees ? review : undefined;
}

function collect(review: ChangeReview, event: FanoutEvent, sawWorktree: () => void): void {
  if (event.type === 'task-end' && event.changes !== undefined) {
    sawWorktree();
    review.tasks.push({ id: event.id, changes: event.changes });
  } else if (event.type === 'run-merge') {
    sawWorktree();
    const { type: _type, runId: _runId, at: _at, ...merge } = event;
    review.merge = merge;
  } else if (event.type === 'tool-call' && !event.ok && CHANGING_TOOLS.has(event.tool)) {
    review.refused.push({ id: event.id, tool: event.tool, detail: event.detail ?? 'refused' });
  }
}

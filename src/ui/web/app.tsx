import { render, type VNode } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { StoredEvent } from '../../contracts/events.js';
import type { OutputResult } from '../../contracts/fanout.js';
import type { TaskOutput } from '../../contracts/records.js';
import { applyEvents } from '../../report/apply-events.js';
import { formatDollars, formatMs, formatSpeedupText } from '../../report/format.js';
import { describeEvent } from '../../report/log-lines.js';
import type { RunSnapshot, SnapshotTask } from '../../report/run-snapshot.js';
import { isLive } from '../../report/timeline.js';
import { RunView } from '../../report/view/run-view.js';
import type { RunListItem } from '../dashboard-server.js';

// The dashboard's front end: the runs list, the run view of the chosen run
// kept live by the server's event stream, a task's transcript, and controls
// that go through the library's stop (and resume).

const TOKEN = (document.currentScript as HTMLScriptElement | null)?.dataset['token'] ?? '';
const RUNS_POLL_MS = 2000;
/**
 * Least time between two reads of the whole snapshot while events arrive
 * (costs, the report's figures, the todo list): 2 s, and 10 ms more per task,
 * since a big run's snapshot holds the server (and the run, when it shares
 * the process) for longer than its live events take.
 */
function refreshIntervalMs(tasks: number): number {
  return Math.max(2000, tasks * 10);
}
/** Rows of the timing table, the todo list and the outputs shown before "Show all": the timeline is always whole. */
const LIST_ROWS = 100;

type LiveSnapshot = RunSnapshot & { lastSeq: number };

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  return body;
}

async function postJson<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-fanout-token': TOKEN }, body: JSON.stringify(body) });
  const answer = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(answer.error ?? `HTTP ${response.status}`);
  return answer;
}

function runIdFromHash(): string | undefined {
  const match = /run=([^&]+)/.exec(location.hash);
  return match === null ? undefined : decodeURIComponent(match[1] as string);
}

function App(): VNode {
  const [runs, setRuns] = useState<RunListItem[]>([]);
  const [runId, setRunId] = useState<string | undefined>(runIdFromHash());
  const [snapshot, setSnapshot] = useState<LiveSnapshot | undefined>(undefined);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [transcript, setTranscript] = useState<StoredEvent[]>([]);
  const [canResume, setCanResume] = useState(false);
  const [message, setMessage] = useState<string | undefined>(undefined);
  /** Why the chosen run could not be shown (an unknown run id in the URL). */
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  const selectedHandle = useRef<string | undefined>(undefined);
  // Callbacks given to the run view read the latest snapshot here, so they stay the same function and its rows are not drawn again.
  const current = useRef<{ snapshot?: LiveSnapshot; runId?: string }>({});
  current.current = { ...(snapshot === undefined ? {} : { snapshot }), ...(runId === undefined ? {} : { runId }) };

  useEffect(() => {
    const load = (): void => {
      getJson<RunListItem[]>('/api/runs').then(setRuns, (error: Error) => setMessage(error.message));
    };
    load();
    void getJson<{ resume: boolean }>('/api/capabilities').then((caps) => setCanResume(caps.resume));
    const timer = setInterval(load, RUNS_POLL_MS);
    const onHash = (): void => setRunId(runIdFromHash());
    addEventListener('hashchange', onHash);
    return () => {
      clearInterval(timer);
      removeEventListener('hashchange', onHash);
    };
  }, []);

  useEffect(() => {
    if (runId === undefined && runs[0] !== undefined) setRunId(runs[0].runId);
  }, [runs, runId]);

  // The chosen run: its snapshot, then its stored events as they come.
  useEffect(() => {
    if (runId === undefined) return undefined;
    let closed = false;
    let source: EventSource | undefined;
    // On the monotonic clock: a step of the wall clock back must not hold the next refresh for as long.
    let lastRefresh = 0;
    let refreshTimer: ReturnType<typeof setTimeout> | undefined;
    const refresh = async (): Promise<void> => {
      lastRefresh = performance.now();
      const fresh = await getJson<LiveSnapshot>(`/api/runs/${encodeURIComponent(runId)}`);
      if (!closed) setSnapshot((current) => (current === undefined || fresh.lastSeq >= current.lastSeq ? fresh : current));
    };
    const refreshSoon = (): void => {
      if (refreshTimer !== undefined) return;
      refreshTimer = setTimeout(() => {
        refreshTimer = undefined;
        void refresh();
      }, Math.max(0, refreshIntervalMs(current.current.snapshot?.tasks.length ?? 0) - (performance.now() - lastRefresh)));
    };
    setSnapshot(undefined);
    setSelected(undefined);
    setLoadError(undefined);
    getJson<LiveSnapshot>(`/api/runs/${encodeURIComponent(runId)}`).then(
      (first) => {
        if (closed) return;
        lastRefresh = performance.now();
        setSnapshot(first);
        if (!isLive(first)) return;
        source = new EventSource(`/api/runs/${encodeURIComponent(runId)}/stream?after=${first.lastSeq}`);
        source.addEventListener('events', (message) => {
          const events = JSON.parse((message as MessageEvent<string>).data) as StoredEvent[];
          const lastSeq = events.at(-1)?.seq ?? 0;
          setSnapshot((current) => (current === undefined ? current : { ...applyEvents(current, events, Date.now()), lastSeq: Math.max(current.lastSeq, lastSeq) }));
          const mine = events.filter(({ event }) => 'handle' in event && event.handle === selectedHandle.current);
          if (mine.length > 0) setTranscript((current) => [...current, ...mine]);
          if (events.some(({ event }) => event.type === 'task-end' || event.type === 'synthesis-end')) refreshSoon();
        });
        source.addEventListener('end', () => {
          source?.close();
          void refresh();
        });
      },
      (error: Error) => {
        if (!closed) setLoadError(error.message);
      },
    );
    return () => {
      closed = true;
      source?.close();
      clearTimeout(refreshTimer);
    };
  }, [runId]);

  // "Now" moves while the run is live.
  const live = snapshot !== undefined && isLive(snapshot);
  useEffect(() => {
    if (!live) return undefined;
    const timer = setInterval(() => setSnapshot((current) => (current === undefined ? current : { ...current, takenAt: Date.now() })), 1000);
    return () => clearInterval(timer);
  }, [live]);

  const select = useCallback((id: string) => {
    const { snapshot: shown, runId: chosen } = current.current;
    const task = shown?.tasks.find((candidate) => candidate.id === id);
    if (task === undefined || chosen === undefined) return;
    setSelected(id);
    selectedHandle.current = task.handle;
    setTranscript([]);
    void getJson<StoredEvent[]>(`/api/runs/${encodeURIComponent(chosen)}/events?handle=${encodeURIComponent(task.handle)}`).then((events) => {
      if (selectedHandle.current === task.handle) setTranscript(events);
    });
  }, []);

  const act = useCallback((path: string, target: string, done: string): void => {
    postJson<unknown>(path, { target }).then(
      () => setMessage(done),
      (error: Error) => setMessage(error.message),
    );
  }, []);

  const taskControls = useCallback(
    (task: SnapshotTask): VNode | null =>
      task.status === 'queued' || task.status === 'running' ? (
        <button type="button" class="btn btn-danger" aria-label={`Stop task ${task.id}`} onClick={() => act('/api/stop', task.handle, `Stop requested for ${task.id}.`)}>
          Stop
        </button>
      ) : null,
    [act],
  );

  const selectedTask = snapshot?.tasks.find((task) => task.id === selected);
  return (
    <div class="layout">
      <nav class="sidebar" aria-label="Runs">
        <h1>fanout</h1>
        <h2 id="runs-heading">Runs</h2>
        <ul class="runs" aria-labelledby="runs-heading">
          {runs.map((run) => (
            <li key={run.runId}>
              <button type="button" aria-current={run.runId === runId} onClick={() => (location.hash = `run=${encodeURIComponent(run.runId)}`)} data-run={run.runId}>
                <span class="run-name">{run.name}</span>
                <span class="run-meta">
                  <span class={`status status-${run.status}`}>{run.status}</span> {run.succeeded}/{run.tasks} · {formatMs(run.wallMs)} · {formatSpeedupText(run.speedup)} ·{' '}
                  {run.simulated && run.costUsd === 0 ? '$0 (sim)' : formatDollars(run.costUsd ?? undefined)}
                </span>
              </button>
            </li>
          ))}
        </ul>
        {runs.length === 0 ? <p class="muted">No runs yet. Try: fanout demo</p> : null}
      </nav>
      <main>
        <div class="toolbar" role="toolbar" aria-label="Run actions">
          {live ? <span class="live">● live</span> : null}
          {snapshot !== undefined && live ? (
            <button type="button" class="btn btn-danger" onClick={() => act('/api/stop', snapshot.run.runId, 'Stop requested for the run.')}>
              Stop run
            </button>
          ) : null}
          {snapshot !== undefined && canResume && !live && snapshot.run.status !== 'succeeded' ? (
            <button type="button" class="btn" onClick={() => act('/api/resume', snapshot.run.runId, 'Resume requested.')}>
              Resume run
            </button>
          ) : null}
          <p role="status" aria-live="polite" class={message === undefined ? 'sr-only' : 'notice'}>
            {message ?? ''}
          </p>
        </div>
        {snapshot === undefined ? (
          <p class={loadError === undefined ? undefined : 'warning'}>{runId === undefined ? 'Choose a run.' : (loadError ?? 'Loading…')}</p>
        ) : (
          <RunView
            snapshot={snapshot}
            {...(selected === undefined ? {} : { selected })}
            onSelect={select}
            taskControls={taskControls}
            loadOutput={loadOutput}
            listRows={LIST_ROWS}
            beside={selectedTask === undefined ? null : <Transcript task={selectedTask} events={transcript} t0={snapshot.run.startedAt ?? snapshot.run.createdAt} />}
          />
        )}
      </main>
    </div>
  );
}

/** A task's output, read when the run view unfolds it (big runs' snapshots hold none). */
async function loadOutput(task: SnapshotTask): Promise<TaskOutput | undefined> {
  const { output } = await getJson<OutputResult>(`/api/output?handle=${encodeURIComponent(task.handle)}`);
  return output;
}

function Transcript({ task, events, t0 }: { task: SnapshotTask; events: StoredEvent[]; t0: number }): VNode {
  return (
    <section class="transcript" aria-labelledby="transcript-heading">
      <h2 id="transcript-heading">Transcript: {task.id}</h2>
      <ol aria-live="polite" tabIndex={0} aria-label={`Events of ${task.id}`}>
        {events.map((stored) => {
          const text = describeEvent(stored);
          return text === undefined ? null : (
            <li key={stored.seq}>
              <span class="at">+{((stored.event.at - t0) / 1000).toFixed(1)}s </span>
              {text}
            </li>
          );
        })}
      </ol>
      {events.length === 0 ? <p class="muted">No events yet.</p> : null}
    </section>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);

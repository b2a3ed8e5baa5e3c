// Plays "another fanout process" for sqlite-run-store.test.ts.
//   read <db> <runId>   prints the run, its tasks, events, todos and outputs as JSON
//   write <db> <runId>  records a run with events, then exits through process.exit() without close()
import { SqliteRunStore } from '../sqlite-run-store.js';
import { seedRun } from './run-fixtures.js';

const [mode, path, runId] = process.argv.slice(2);
if (!path || !runId) throw new Error('usage: store-child.ts read|write <db> <runId>');

if (mode === 'read') {
  const store = new SqliteRunStore({ path, readonly: true });
  const tasks = store.listTasks(runId);
  process.stdout.write(
    JSON.stringify({
      run: store.getRun(runId),
      tasks,
      events: store.listEvents(runId),
      todos: store.listTodos(runId),
      outputs: tasks.map((task) => store.getOutput(task.handle)),
    }),
  );
  store.close();
} else if (mode === 'write') {
  const store = new SqliteRunStore({ path });
  seedRun(store, runId);
  for (let at = 1; at <= 3; at++) store.appendEvent({ type: 'task-start', runId, at, id: 'a', handle: `${runId}-a` });
  store.setOutput({ handle: `${runId}-a`, text: 'from the child', truncated: false });
  store.updateRun(runId, { status: 'succeeded' });
  process.exit(0);
} else {
  throw new Error(`unknown mode ${String(mode)}`);
}

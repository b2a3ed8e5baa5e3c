/** Renders one benchmark run's results as plain-text tables for the terminal. */
import type { BenchResults } from './bench-results.js';
import type { TargetResult } from './bench-targets.js';

/** Aligns rows of cells into columns, numbers to the right; the first row is the header. */
export function renderColumns(rows: readonly string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const numeric = widths.map((_, column) => rows.slice(1).every((row) => /^-?[\d.]+(-[\d.]+)?$|^-$/.test(row[column] ?? '')));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, column) => (numeric[column] ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  return [line(header ?? []), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(line)].join('\n');
}

/** The whole report: machine, 5-task run, the legs table per workload, the chain, --version, targets. */
export function renderResults(results: BenchResults, targets: readonly TargetResult[]): string {
  const { machine, fiveTasks: five, chain, version } = results;
  const out: string[] = [
    `Node ${machine.node}, ${machine.cores} cores (${machine.cpu}), load ${machine.loadBefore.toFixed(2)} -> ${machine.loadAfter.toFixed(2)}; ` +
      `median of ${results.runs} run${results.runs === 1 ? '' : 's'}${results.quick ? ' (--quick: smaller workloads)' : ''}`,
    '',
    `5 tasks x 1 call @${five.workload.latencyMs} ms: wall ${five.wallMs} ms (engine ${five.engineWallMs} ms), ` +
      `sequential ${five.sequentialMs} ms, speedup ${five.speedup.toFixed(2)}, ${five.calls} calls`,
  ];
  for (const { label, workload, idealWallMs, summary, errors } of results.workloads) {
    out.push('', `${label} (concurrency ${workload.concurrency}; ideal ${idealWallMs} ms)`);
    const rows = [['leg', 'wall ms', 'min-max', 'x floor', 'ideal/wall', 'crit.path/wall', 'CPU s', 'server CPU s', 'peak RSS MB', 'calls']];
    for (const [leg, s] of Object.entries(summary)) {
      rows.push([
        leg,
        String(Math.round(s.wallMs)),
        `${s.wallMinMs}-${s.wallMaxMs}`,
        s.timesFloor.toFixed(2),
        s.idealEfficiency.toFixed(2),
        s.engineEfficiency === undefined ? '-' : s.engineEfficiency.toFixed(2),
        (s.cpuMs / 1000).toFixed(2),
        s.serverCpuMs === undefined ? '-' : (s.serverCpuMs / 1000).toFixed(2),
        String(Math.round(s.peakRssMb)),
        String(s.calls),
      ]);
    }
    out.push(renderColumns(rows), ...Object.entries(errors ?? {}).map(([leg, error]) => `${leg}: no result (${error})`));
  }
  out.push(
    '',
    `chain a -> b beside slow c: a ${chain.a.startMs}-${chain.a.endMs} ms, b ${chain.b.startMs}-${chain.b.endMs} ms, ` +
      `c ${chain.c.startMs}-${chain.c.endMs} ms; b started ${chain.startGapMs} ms after a ended, ${chain.aheadOfSiblingMs} ms before c ended`,
    `fanout --version: median ${version.medianMs} ms of ${version.runsMs.length} (${version.runsMs.join(', ')})`,
    ...limitLines(results),
    `worktrees, 20 tasks on 2,000 files: lean ${results.worktrees.leanCreateMs} ms, whole ${results.worktrees.wholeCreateMs} ms, ` +
      `merge of 20 ${results.worktrees.merge20Ms} ms; sandboxed command +${results.worktrees.sandboxExtraMs} ms`,
    '',
    renderColumns([['target', 'result', 'measured'], ...targets.map((t) => [t.name, t.pass ? 'PASS' : 'FAIL', t.measured])]),
  );
  return out.join('\n');
}

/** The rate-limit scenarios: one row per scenario and leg (S5: fanout per model), against the ideal. */
function limitLines(results: BenchResults): string[] {
  if (results.limits === undefined) return [];
  const rows = [['scenario', 'leg', 'model', 'runs', 'wall ms', 'ideal ms', 'wall/ideal', 'CPU s', 'peak RSS MB', 'failed', '429s', 'faults']];
  const errors: string[] = [];
  for (const result of results.limits) {
    const figure = (text: string): string => (result.error === undefined ? text : '-');
    if (result.error !== undefined) errors.push(`  ${result.id} ${result.leg}: ${result.error}`);
    rows.push([
      result.id,
      result.leg,
      result.model,
      String(result.runs),
      figure(String(Math.round(result.wallMs))),
      `${result.idealWallMs}`,
      figure(result.ratio.toFixed(2)),
      figure((result.cpuMs / 1000).toFixed(2)),
      figure(String(Math.round(result.peakRssMb))),
      figure(String(result.failed)),
      figure(String(Math.round(result.rateLimited))),
      figure(String(Math.round(result.faults))),
    ]);
  }
  const labels = [...new Map(results.limits.map((result) => [result.id, `${result.id}: ${result.label} (ideal: ${result.ideal})`])).values()];
  return ['', 'rate limits and scale (medians of the rounds; S1 and S2 one round)', ...labels, renderColumns(rows), ...(errors.length === 0 ? [] : ['no result:', ...errors])];
}

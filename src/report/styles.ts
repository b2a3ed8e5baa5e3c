/**
 * The stylesheet of the run view, shared by the dashboard and the HTML
 * report (inlined there: the report loads nothing). Colours pass WCAG AA
 * against their backgrounds; wait causes differ by pattern and label too,
 * not by colour alone.
 */
export const RUN_VIEW_CSS = `
:root { --fg: #1b1f24; --muted: #4a5360; --bg: #ffffff; --panel: #f5f7fa; --line: #c9d1db; --accent: #0b57d0;
  --ok: #116329; --fail: #b3261e; --run: #0b57d0; --stop: #7a4d00; --queued: #5c6670; --focus: #f5a300; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
main { padding: 1rem 1.25rem; max-width: 100%; }
h1 { font-size: 1.4rem; margin: 0 0 .5rem; } h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; } h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.facts { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; margin: .5rem 0; padding: 0; }
.facts div { display: flex; flex-direction: column; } .facts dt { color: var(--muted); font-size: .8rem; } .facts dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
.status { display: inline-block; padding: 0 .4rem; border-radius: 3px; border: 1px solid currentColor; font-size: .8rem; font-weight: 600; }
.status-succeeded, .todo-completed { color: var(--ok); } .status-failed, .status-limit, .todo-failed { color: var(--fail); }
.status-running, .status-synthesizing, .todo-in_progress { color: var(--run); } .status-stopped, .status-interrupted, .status-skipped, .todo-stopped, .todo-skipped { color: var(--stop); }
.status-queued, .todo-pending { color: var(--queued); }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: .25rem 0 .5rem; padding: 0; list-style: none; font-size: .85rem; }
.legend li { display: flex; align-items: center; gap: .35rem; }
.swatch { display: inline-block; width: 1.6rem; height: .9rem; border: 1px solid var(--fg); }
.gantt-wrap { position: relative; border: 1px solid var(--line); background: var(--bg); overflow-x: auto; }
.gantt-axis { display: grid; grid-template-columns: 14rem 1fr; font-size: .75rem; color: var(--muted); border-bottom: 1px solid var(--line); }
.gantt-axis .ticks { position: relative; height: 1.2rem; }
.gantt-axis .tick { position: absolute; top: 0; transform: translateX(-50%); white-space: nowrap; }
.gantt { position: relative; list-style: none; margin: 0; padding: 0; min-width: 40rem; }
.gantt-row { display: grid; grid-template-columns: 14rem 1fr; height: 28px; align-items: center; border-bottom: 1px solid #eef1f5; content-visibility: auto; contain-intrinsic-size: auto 28px; }
.gantt-row.selected { background: #e8f0fe; }
.gantt-label { padding: 0 .5rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-size: .85rem; }
.gantt-label .crit { font-weight: 700; }
.track { position: relative; height: 100%; }
.bar, .wait, .pause { position: absolute; top: 5px; height: 18px; min-width: 2px; left: calc(var(--s) * 100% / var(--span)); width: calc(var(--d) * 100% / var(--span)); }
.pause { top: 9px; height: 10px; border: 1px solid var(--fg); background-color: #fff; pointer-events: none; }
.bar { border: 2px solid var(--fg); border-radius: 3px; cursor: pointer; background: #9fc3ff; }
.bar.status-succeeded { background: #8fd19e; } .bar.status-failed, .bar.status-limit { background: #f4a29c; }
.bar.status-running { background: #9fc3ff; } .bar.status-stopped, .bar.status-skipped { background: #f3cf8a; }
.bar.critical { border-width: 3px; border-color: #000; box-shadow: 0 0 0 1px #fff inset; }
.bar .bar-text { position: absolute; left: 100%; margin-left: .3rem; font-size: .72rem; white-space: nowrap; color: var(--fg); }
.wait { border: 1px dashed var(--muted); background-color: #fff; }
.wait-dependency, .swatch.wait-dependency { background-image: repeating-linear-gradient(90deg, #5c6670 0 2px, transparent 2px 6px); }
.wait-conflict, .swatch.wait-conflict { background-image: repeating-linear-gradient(45deg, #b3261e 0 2px, transparent 2px 6px); }
.wait-concurrency, .swatch.wait-concurrency { background-image: repeating-linear-gradient(0deg, #0b57d0 0 2px, transparent 2px 5px); }
/* A grid, not dots: dots are the rate limit's, and a pattern must tell the two apart without colour. */
.wait-provider-cap, .swatch.wait-provider-cap { background-image: repeating-linear-gradient(0deg, #6d28d9 0 1px, transparent 1px 4px), repeating-linear-gradient(90deg, #6d28d9 0 1px, transparent 1px 4px); }
.wait-rate-limit, .swatch.wait-rate-limit { background-image: radial-gradient(#c2410c 1.2px, transparent 1.4px); background-size: 4px 4px; }
.wait-retry, .swatch.wait-retry { background-image: repeating-linear-gradient(-45deg, #7a4d00 0 2px, transparent 2px 6px); }
.wait-sequential, .swatch.wait-sequential { background-image: repeating-linear-gradient(90deg, #1b1f24 0 1px, transparent 1px 3px); }
.edges { position: absolute; top: 0; left: 14rem; width: calc(100% - 14rem); height: 100%; pointer-events: none; overflow: visible; }
.edges line { stroke: #5c6670; stroke-width: 1; vector-effect: non-scaling-stroke; }
.edges line.edge-conflict { stroke: #b3261e; stroke-dasharray: 4 3; } .edges line.edge-critical { stroke: #000; stroke-width: 2; }
.now { position: absolute; top: 0; bottom: 0; width: 0; border-left: 2px solid var(--fail); pointer-events: none; }
.now-label { position: absolute; top: 0; left: 3px; font-size: .7rem; color: var(--fail); background: var(--bg); }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; width: 100%; }
th, td { text-align: left; padding: .2rem .5rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
td.num, th.num { text-align: right; }
tr.critical td:first-child { font-weight: 700; }
.table-wrap { overflow-x: auto; }
.more { margin: .4rem 0; }
.run > section { content-visibility: auto; contain-intrinsic-size: auto 40rem; }
.todos { list-style: none; padding: 0; columns: 2 20rem; }
.outputs details { border: 1px solid var(--line); border-radius: 4px; margin: .35rem 0; padding: .25rem .6rem; background: var(--panel); }
.outputs summary { cursor: pointer; font-weight: 600; }
.markdown pre { background: #eef1f5; padding: .5rem; overflow-x: auto; } .markdown code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .85em; }
.markdown blockquote { border-left: 3px solid var(--line); margin: 0; padding-left: .75rem; color: var(--muted); }
.json-children { list-style: none; padding-left: 1.1rem; margin: 0; }
.json-key { color: #6d28d9; } .json-string { color: #1a7f37; } .json-number { color: #0b57d0; } .json-boolean, .json-null { color: #b3261e; }
.disagreements li { margin: .2rem 0; }
.warning { color: var(--fail); font-weight: 600; }
.muted { color: var(--muted); }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

/** The dashboard's own layout around the run view (RUN_VIEW_CSS): a runs sidebar, controls, the transcript. */
export const DASHBOARD_CSS = `
.layout { display: grid; grid-template-columns: 16rem minmax(0, 1fr); min-height: 100vh; }
.sidebar { border-right: 1px solid var(--line); background: var(--panel); padding: .75rem; overflow-y: auto; max-height: 100vh; position: sticky; top: 0; }
.sidebar h1 { font-size: 1.1rem; } .sidebar h2 { font-size: .95rem; margin: .75rem 0 .35rem; }
.runs { list-style: none; margin: 0; padding: 0; }
.runs button { display: block; width: 100%; text-align: left; border: 1px solid var(--line); background: var(--bg); color: var(--fg); border-radius: 4px; padding: .35rem .5rem; margin: 0 0 .35rem; font: inherit; cursor: pointer; }
.runs button[aria-current="true"] { border: 2px solid var(--accent); background: #e8f0fe; }
.runs .run-name { font-weight: 600; display: block; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.runs .run-meta { font-size: .78rem; color: var(--muted); }
.toolbar { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .25rem 0 .5rem; }
.btn { font: inherit; border: 1px solid var(--fg); background: var(--bg); color: var(--fg); border-radius: 4px; padding: .2rem .6rem; cursor: pointer; }
.btn-danger { border-color: var(--fail); color: var(--fail); }
.btn:disabled { opacity: .6; cursor: default; }
.transcript { border: 1px solid var(--line); border-radius: 4px; margin: 1rem 0; padding: .5rem .75rem; background: var(--panel); }
.transcript h2 { margin-top: .25rem; }
.transcript ol { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .8rem; max-height: 20rem; overflow-y: auto; margin: 0; padding-left: 0; list-style: none; }
.transcript li { white-space: pre-wrap; padding: .05rem 0; }
.transcript .at { color: var(--muted); }
.live { color: var(--run); font-weight: 600; }
.notice { padding: .4rem .6rem; border: 1px solid var(--line); background: #fff8e1; border-radius: 4px; }
`;

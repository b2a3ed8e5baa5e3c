import { renderToString } from 'preact-render-to-string';
import type { RunSnapshot } from '../run-snapshot.js';
import { RUN_VIEW_CSS } from '../styles.js';
import { RunView } from './run-view.js';

/**
 * The self-contained HTML report of a run: the run view rendered to static
 * markup with its stylesheet inlined. No script, no external asset: it
 * opens offline, and nothing in it reaches the network.
 */
export function renderHtmlReport(snapshot: RunSnapshot): string {
  const body = renderToString(
    <main>
      <RunView snapshot={snapshot} />
      <footer class="muted">
        <p>Report written by fanout at {new Date(snapshot.takenAt).toISOString()}.</p>
      </footer>
    </main>,
  );
  const title = `fanout report: ${snapshot.run.name} (${snapshot.run.runId})`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${RUN_VIEW_CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

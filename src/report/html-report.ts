import type { RunSnapshot } from './run-snapshot.js';

/** The module that renders the run view to HTML (Preact, built by `npm run build` beside this file). */
interface HtmlRenderer {
  renderHtmlReport(snapshot: RunSnapshot): string;
}

// Not a literal import: the view is a front-end module (Preact, DOM types),
// type-checked by tsconfig.web.json and bundled by esbuild, not by tsc.
const RENDERER_MODULE = './view/render-html.js';

/**
 * The self-contained HTML report of a run (see docs/ui.md): one file, its
 * stylesheet inlined, no script and nothing fetched at view time.
 */
export async function renderHtmlReport(snapshot: RunSnapshot): Promise<string> {
  const renderer = (await import(RENDERER_MODULE)) as HtmlRenderer;
  return renderer.renderHtmlReport(snapshot);
}

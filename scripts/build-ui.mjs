// Bundles the Preact front end with esbuild (after tsc has compiled the rest):
// the dashboard's browser bundle, and the run view's HTML renderer used by
// `fanout report --html`. Both land in dist/ beside the code that loads them.
import { build } from 'esbuild';

const common = { bundle: true, jsx: 'automatic', jsxImportSource: 'preact', logLevel: 'warning', legalComments: 'none' };

await Promise.all([
  build({
    ...common,
    entryPoints: ['src/report/view/render-html.tsx'],
    outfile: 'dist/report/view/render-html.js',
    platform: 'node',
    format: 'esm',
    target: 'node20',
  }),
  build({
    ...common,
    entryPoints: ['src/ui/web/app.tsx'],
    outfile: 'dist/ui/web/app.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
  }),
]);

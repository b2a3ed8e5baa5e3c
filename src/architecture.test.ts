import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The layers of src/ and what each may import (docs/architecture.md, "Layers and the rule
// between them"). A file may always import its own layer; an entry ending in `.ts` allows
// that one file. A layer is a folder of src/, or a deeper folder given a row of its own (the
// longest row that matches wins), or one of the two root files, `index` (the public API)
// and `compose` (the composition root).
// Test code is exempt from the table: test files (`*.test.ts`), `test-support/` folders and
// suites that import vitest (the provider and store conformance suites). It assembles
// concrete parts the way compose.ts does. No other file may import it.
const ADAPTER_IMPORTS = ['contracts', 'index', 'compose', 'report', 'plan/index.ts', 'presets/index.ts', 'agents/index.ts', 'models/sim/index.ts'];

const LAYERS: Readonly<Record<string, readonly string[]>> = {
  // Records, events, plan types, Clock, the Model, RunStore, Fanout, pricing, planner and
  // agent-definition contracts, FanoutError: the bottom layer.
  contracts: [],
  plan: ['contracts'],
  agent: ['contracts', 'plan'],
  // Concrete providers, stores, prices, planner and agent definitions are injected (FanoutOptions).
  engine: ['contracts', 'plan', 'agent'],
  models: ['contracts'],
  store: ['contracts'],
  agents: ['contracts', 'plan'],
  // Git worktrees: an adapter the composition root injects.
  workspace: ['contracts'],
  // Plan builders on the library's layers below the engine (index.ts re-exports them, so they cannot import it).
  planner: ['contracts', 'plan', 'agent'],
  presets: ['contracts', 'plan'],
  // Pictures of a run (snapshot, timeline, Markdown and HTML) that adapters render.
  report: ['contracts'],
  compose: ['contracts', 'plan', 'agent', 'engine', 'models', 'store', 'agents', 'workspace', 'planner', 'presets', 'report'],
  index: ['contracts', 'plan', 'agent', 'engine', 'models', 'store', 'agents', 'workspace', 'planner', 'presets', 'report', 'compose'],
  // Adapters: the library API only. Types and FanoutError from contracts; values from index.ts,
  // compose.ts, or the entry files of the parts index.ts picks its names from (all imported on
  // demand, so that `--version` loads none of them; an entry file loads less than index.ts).
  // Those entry files are the one deliberate way past the public list: they also give the few
  // names adapters need that a library user does not (the zod plan schema the MCP SDK takes
  // for tool inputs, the CLI's parsePerspectives and agentDirectories). And report, the
  // pictures of a run they render.
  // The CLI also starts the other adapters (`fanout mcp`, `fanout ui`), through their entry files.
  cli: [...ADAPTER_IMPORTS, 'mcp/index.ts', 'ui/dashboard-server.ts'],
  mcp: ADAPTER_IMPORTS,
  ui: ADAPTER_IMPORTS,
};

const SRC = path.dirname(fileURLToPath(import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** Reads a source file by its path relative to src/. */
type ReadSource = (file: string) => string;

const readSource: ReadSource = (file) => readFileSync(path.join(SRC, file), 'utf8');

const isTestCode = (file: string, read: ReadSource = readSource): boolean =>
  /\.test\.tsx?$/.test(file) || file.split('/').includes('test-support') || /^import\b[^;]*\bfrom\s*'vitest'/m.test(read(file));

/** The layer of a path relative to src/ (`engine/run-check.ts` → `engine`), or undefined when it has no row. */
function layerOf(file: string): string | undefined {
  if (!file.includes('/')) return file.replace(/\.ts$/, '');
  const folders = file.split('/').slice(0, -1);
  for (let depth = folders.length; depth > 0; depth--) {
    const key = folders.slice(0, depth).join('/');
    if (LAYERS[key] !== undefined) return key;
  }
  return undefined;
}


// Static imports and re-exports (`import`/`export ... from`, at the start of a line, over
// several lines), side-effect imports, and dynamic `import()`. On this code base they find
// the same specifiers as a TypeScript parser (checked with rolldown's parseAst when written);
// TypeScript 7 has no JavaScript API to parse with.
const IMPORT_PATTERNS = [
  /^(?:import|export)\b[^;]*?\bfrom\s*(['"])([^'"]+)\1/gm,
  /^import\s*(['"])([^'"]+)\1/gm,
  /\bimport\(\s*(['"])([^'"]+)\1\s*\)/g,
];

/** The source file an import's `.js` path names: `.ts`, or `.tsx` when only that exists. */
function sourcePath(file: string): string {
  const ts = file.replace(/\.js$/, '.ts');
  return existsSync(path.join(SRC, ts)) || !existsSync(path.join(SRC, `${ts}x`)) ? ts : `${ts}x`;
}

/** Relative imports of a file (static, re-exports, dynamic), as paths relative to src/. */
function importsOf(file: string, read: ReadSource = readSource): Array<{ specifier: string; target: string }> {
  const code = read(file);
  const specifiers = new Set(IMPORT_PATTERNS.flatMap((pattern) => [...code.matchAll(pattern)].map((match) => match[2] ?? '')));
  return [...specifiers]
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => ({
      specifier,
      target: sourcePath(path.relative(SRC, path.resolve(SRC, path.dirname(file), specifier))),
    }));
}

/** One line per import that breaks the table, naming the file, the import and the rule. */
function violations(files: readonly string[], read: ReadSource = readSource): string[] {
  const problems: string[] = [];
  for (const file of files.filter((candidate) => !isTestCode(candidate, read))) {
    const layer = layerOf(file);
    if (layer === undefined) {
      problems.push(`src/${file}: its folder has no row in the layer table of src/architecture.test.ts; add one`);
      continue;
    }
    const allowed = new Set([layer, ...(LAYERS[layer] ?? [])]);
    for (const { specifier, target } of importsOf(file, read)) {
      if (isTestCode(target, read)) {
        problems.push(`src/${file} imports '${specifier}': only tests may import test code`);
        continue;
      }
      const targetLayer = layerOf(target);
      if ((targetLayer !== undefined && allowed.has(targetLayer)) || allowed.has(target)) continue;
      const may = LAYERS[layer]?.length ? LAYERS[layer].join(', ') : 'nothing of fanout';
      problems.push(`src/${file} imports '${specifier}' (layer ${targetLayer ?? 'unknown'}): ${layer} may import only ${may}`);
    }
  }
  return problems;
}

describe('layers', () => {
  it('every import points down the layer table', () => {
    expect(violations(sourceFiles(SRC).map((file) => path.relative(SRC, file)))).toEqual([]);
  });

  it('names the file, the forbidden import and the rule when one is broken', () => {
    const files: Record<string, string> = {
      'engine/bad.ts': "import { SqliteRunStore } from '../store/sqlite-run-store.js';\nimport type { Plan } from '../contracts/plan.js';",
      'contracts/bad.ts': "export type { Fanout } from './fanout.js';\nconst late = () => import('../engine/index.js');",
      'store/bad.ts': "import { tempHome } from './test-support/run-fixtures.js';",
      'engine/bad.test.ts': "import { SqliteRunStore } from '../store/sqlite-run-store.js';",
      'cli/bad.ts': "const { loadPlanFile } = await import('../plan/index.js');\nconst { createFanout } = await import(\n  '../engine/create-fanout.js'\n);",
      'extra/file.ts': '',
    };
    expect(violations(Object.keys(files), (file) => files[file] ?? '')).toEqual([
      "src/engine/bad.ts imports '../store/sqlite-run-store.js' (layer store): engine may import only contracts, plan, agent",
      "src/contracts/bad.ts imports '../engine/index.js' (layer engine): contracts may import only nothing of fanout",
      "src/store/bad.ts imports './test-support/run-fixtures.js': only tests may import test code",
      "src/cli/bad.ts imports '../engine/create-fanout.js' (layer engine): cli may import only contracts, index, compose, report, " +
        'plan/index.ts, presets/index.ts, agents/index.ts, models/sim/index.ts, mcp/index.ts, ui/dashboard-server.ts',
      'src/extra/file.ts: its folder has no row in the layer table of src/architecture.test.ts; add one',
    ]);
  });

  it('has a row for every folder of src/', () => {
    const folders = readdirSync(SRC, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    expect(folders.filter((folder) => LAYERS[folder] === undefined && folder !== 'test-support')).toEqual([]);
  });
});

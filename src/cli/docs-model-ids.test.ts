import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findModelPrice } from '../models/pricing.js';
import { REPO_ROOT } from './test-support/cli-process.js';

// The SDK's own list of model ids it warns about (end of life dates); not part of its exports.
const { DEPRECATED_MODELS } = createRequire(import.meta.url)(
  join(REPO_ROOT, 'node_modules/@anthropic-ai/sdk/internal/data/deprecated-models.js'),
) as { DEPRECATED_MODELS: Record<string, string> };

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('model ids a user copies from the examples and the README', () => {
  const files = [...filesUnder(join(REPO_ROOT, 'examples')), join(REPO_ROOT, 'README.md'), join(REPO_ROOT, 'docs/cli.md')];
  const named = files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/anthropic:(claude-[a-z0-9.-]+)/g)].map((match) => ({ file, id: match[1] as string })),
  );

  it('are current: priced in the built-in table and not on the SDK\'s end-of-life list', () => {
    expect(named.length).toBeGreaterThan(0);
    const stale = named.filter(({ id }) => id in DEPRECATED_MODELS || findModelPrice(`anthropic:${id}`) === undefined);
    expect(stale.map(({ file, id }) => `${file.slice(REPO_ROOT.length)}: ${id}`)).toEqual([]);
  });
});

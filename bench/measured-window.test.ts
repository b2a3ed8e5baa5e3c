import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { measuredWindowEdge } from './measured-window.js';

describe('measuredWindowEdge', () => {
  const dirs: string[] = [];
  const prefix = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-window-'));
    dirs.push(dir);
    return join(dir, 'leg');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('does nothing without a prefix', () => {
    expect(() => measuredWindowEdge('start', undefined)).not.toThrow();
    expect(() => measuredWindowEdge('start', '')).not.toThrow();
  });

  it('announces the edge and returns once the counter has answered', () => {
    const at = prefix();
    writeFileSync(`${at}.end-ack`, '');
    measuredWindowEdge('end', at);
    expect(existsSync(`${at}.end`)).toBe(true);
    expect(existsSync(`${at}.start`)).toBe(false);
  });

  it('fails, naming the answer it waited for, when no counter answers', () => {
    const at = prefix();
    expect(() => measuredWindowEdge('start', at, 30)).toThrow(`no answer at ${at}.start-ack within 30 ms`);
    expect(existsSync(`${at}.start`)).toBe(true);
  });
});

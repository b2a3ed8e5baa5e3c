import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDefaultFanout, loadPriceTable } from './compose.js';
import { BUILT_IN_PRICES } from './models/pricing.js';

let home: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'fanout-compose-'));
});

afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

describe('loadPriceTable', () => {
  it('is the built-in table when no price file exists', () => {
    expect(loadPriceTable({}, home)).toEqual(BUILT_IN_PRICES);
  });

  it('applies $FANOUT_HOME/prices.yaml over the built-in prices', () => {
    writeFileSync(join(home, 'prices.yaml'), 'prices:\n  gpt-4o: { inputPerMTok: 1, outputPerMTok: 2 }\n  local:llama: { inputPerMTok: 0, outputPerMTok: 0 }\n');
    const table = loadPriceTable({}, home);
    expect(table['gpt-4o']).toEqual({ inputPerMTok: 1, outputPerMTok: 2 });
    expect(table['local:llama']).toEqual({ inputPerMTok: 0, outputPerMTok: 0 });
    expect(table['claude-sonnet-4']).toEqual(BUILT_IN_PRICES['claude-sonnet-4']);
  });

  it('prefers the file named by $FANOUT_PRICES', () => {
    writeFileSync(join(home, 'prices.json'), '{"prices": {"gpt-4o": {"inputPerMTok": 1, "outputPerMTok": 2}}}');
    const file = join(home, 'team-prices.json');
    writeFileSync(file, '{"prices": {"gpt-4o": {"inputPerMTok": 7, "outputPerMTok": 8}}}');
    expect(loadPriceTable({ FANOUT_PRICES: file }, home)['gpt-4o']).toEqual({ inputPerMTok: 7, outputPerMTok: 8 });
  });

  it('fails with one line naming the file and the field', () => {
    const file = join(home, 'prices.json');
    writeFileSync(file, '{"prices": {"gpt-4o": {"inputPerMTok": -1, "outputPerMTok": 2}}}');
    expect(() => loadPriceTable({}, home)).toThrowError(
      expect.objectContaining({ code: 'OPTION_INVALID', message: `${file}: prices.gpt-4o.inputPerMTok: expected a number >= 0` }),
    );
    expect(() => createDefaultFanout({ home, env: {} })).toThrowError(expect.objectContaining({ code: 'OPTION_INVALID' }));
  });

  it('gives createDefaultFanout the prices of the home directory', async () => {
    writeFileSync(join(home, 'prices.json'), '{"prices": {"sim": {"inputPerMTok": 1000000, "outputPerMTok": 1000000}}}');
    const fanout = createDefaultFanout({ home, cwd: home, env: {} });
    try {
      const result = await fanout.run([{ id: 'a', prompt: 'Say hi.', sim: { output: 'hi', outputTokens: 2 } }], { model: 'sim' });
      const task = result.tasks[0];
      expect(task?.costUsd).toBe((task?.inputTokens ?? 0) + 2);
    } finally {
      await fanout.close();
    }
  });
});

describe('createDefaultFanout', () => {
  it('opens the store at its first use: a check, passed or failed, leaves no home behind', async () => {
    const storeHome = join(home, 'store');
    const fanout = createDefaultFanout({ home: storeHome, cwd: home, env: {} });
    try {
      await expect(fanout.check([{ id: 'a', prompt: 'x', model: 'foo:bar' }])).rejects.toMatchObject({ code: 'MODEL_CONFIG' });
      const checked = await fanout.check([{ id: 'a', prompt: 'x', sim: { output: 'hi' } }], { model: 'sim' });
      expect(existsSync(storeHome)).toBe(false);
      fanout.spawn(checked);
      expect(existsSync(join(storeHome, 'fanout.db'))).toBe(true);
    } finally {
      await fanout.close();
    }
  });

  it.each([true, false])('never lets a subagent write the store or .git, even with writes: ** (persist: %s)', async (persist) => {
    const cwd = mkdtempSync(join(tmpdir(), 'fanout-compose-cwd-'));
    const storeHome = join(cwd, '.fanout');
    mkdirSync(join(cwd, '.git'));
    writeFileSync(join(cwd, '.git', 'config'), 'original');
    const fanout = createDefaultFanout({ home: storeHome, cwd, env: {}, persist });
    try {
      const result = await fanout.run({
        synthesis: false,
        tasks: [
          {
            id: 'greedy',
            prompt: 'write everywhere',
            writes: ['**'],
            sim: {
              script: [
                {
                  tools: [
                    { name: 'write_file', input: { path: '.git/config', content: 'clobbered' } },
                    { name: 'write_file', input: { path: '.fanout/evil.txt', content: 'x' } },
                    { name: 'write_file', input: { path: 'ok.txt', content: 'fine' } },
                  ],
                },
              ],
              output: 'done',
            },
          },
        ],
      });
      expect(result.status).toBe('succeeded');
      expect(readFileSync(join(cwd, '.git', 'config'), 'utf8')).toBe('original');
      expect(existsSync(join(storeHome, 'evil.txt'))).toBe(false);
      expect(readFileSync(join(cwd, 'ok.txt'), 'utf8')).toBe('fine');
      // Without persistence the run was kept in memory: the home was never created.
      expect(existsSync(join(storeHome, 'fanout.db'))).toBe(persist);
    } finally {
      await fanout.close();
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

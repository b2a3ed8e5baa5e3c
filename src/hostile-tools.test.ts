import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDefaultFanout } from './compose.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/**
 * The hostile-tool suite: a real run through the simulated model, whose
 * scripted tool calls are the ones that once froze or escaped a run.
 * Every task must end, none may write outside, none may hang.
 */
describe('a run whose subagents call hostile tools', () => {
  it('ends every task, with tool errors for the model, and writes nothing outside', { timeout: 60_000 }, async () => {
    const outside = tempDir('fanout-outside-');
    writeFileSync(join(outside, 'secret.txt'), 'original');
    const cwd = tempDir('fanout-hostile-');
    writeFileSync(join(cwd, 'line.txt'), `${'a'.repeat(41)}!\n`);
    execFileSync('mkfifo', [join(cwd, 'pipe')]);
    linkSync(join(outside, 'secret.txt'), join(cwd, 'linked.txt'));
    mkdirSync(join(cwd, '.claude', 'agents'), { recursive: true });
    const fanout = createDefaultFanout({ home: tempDir('fanout-home-'), cwd, env: {}, persist: false });
    const tool = (name: string, input: Record<string, unknown>) => ({ tools: [{ name, input }] });
    try {
      const result = await fanout.run({
        synthesis: false,
        tasks: [
          { id: 'regex', prompt: 'p', sim: { script: [tool('grep', { pattern: '(a+)+$' })], output: 'done' } },
          { id: 'fifo-read', prompt: 'p', sim: { script: [tool('read_file', { path: 'pipe' })], output: 'done' } },
          { id: 'fifo-grep', prompt: 'p', sim: { script: [tool('grep', { pattern: 'x', path: 'pipe' })], output: 'done' } },
          { id: 'fifo-write', prompt: 'p', writes: ['pipe'], sim: { script: [tool('write_file', { path: 'pipe', content: 'x' })], output: 'done' } },
          { id: 'hard-link', prompt: 'p', writes: ['linked.txt'], sim: { script: [tool('write_file', { path: 'linked.txt', content: 'clobbered' })], output: 'done' } },
          { id: 'agents', prompt: 'p', writes: ['**'], sim: { script: [tool('write_file', { path: '.claude/agents/evil.md', content: 'x' })], output: 'done' } },
          {
            id: 'schema-pattern',
            prompt: 'p',
            outputFormat: { type: 'string', pattern: '^(a+)+$' },
            sim: { output: JSON.stringify(`${'a'.repeat(5000)}!`) },
          },
        ],
      });
      const byId = Object.fromEntries(result.tasks.map((task) => [task.taskId, task.status]));
      expect(byId).toEqual({
        regex: 'succeeded',
        'fifo-read': 'succeeded',
        'fifo-grep': 'succeeded',
        'fifo-write': 'succeeded',
        'hard-link': 'succeeded',
        agents: 'succeeded',
        // The pattern is checked in linear time and does not match: one repair, then failed.
        'schema-pattern': 'failed',
      });
      expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('original');
      expect(readdirSync(join(cwd, '.claude', 'agents'))).toEqual([]);
    } finally {
      await fanout.close();
    }
  });
});

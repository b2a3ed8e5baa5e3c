import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultFanout } from '../../compose.js';
import type { FanoutEvent } from '../../contracts/events.js';
import type { Fanout } from '../../contracts/fanout.js';
import type { TaskSpec } from '../../contracts/plan.js';
import { encodeSimDirective, startSimServer, type SimServer } from '../sim/index.js';
import { claudeCodeEnv, CLAUDE_CODE_VERSION, ensureClaudeCode } from '../../test-support/claude-code.js';
import { CLAUDE_CODE_BIN_VARIABLE } from './claude-code-agent.js';

// The real Claude Code CLI (pinned, installed by ensureClaudeCode) as fanout's subagent
// (`model: claude-code`), its model calls answered by the simulated model: each task's prompt
// carries a script that makes Claude Code write one file with its Write tool.

let claude: string;
let sim: SimServer;
let top: string;
beforeAll(async () => {
  [claude, sim] = await Promise.all([ensureClaudeCode(), startSimServer({ port: 0 })]);
  top = realpathSync(mkdtempSync(join(tmpdir(), 'fanout-claude-code-')));
}, 600_000);
afterAll(async () => {
  await sim?.close();
  if (top !== undefined) rmSync(top, { recursive: true, force: true });
});

const IDENTITY = { GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@localhost', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@localhost' };

function gitRepo(name: string): { repo: string; git: (...args: string[]) => string } {
  const repo = join(top, name);
  mkdirSync(repo);
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, ...IDENTITY }, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  git('init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'README.md'), '# app\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  return { repo, git };
}

/** A git repository and a Fanout on it whose claude-code tasks run the pinned Claude Code against the simulated model. */
function claudeFanout(name: string): { fanout: Fanout; git: (...args: string[]) => string } {
  const { repo, git } = gitRepo(name);
  const claudeHome = join(top, `claude-home-${name}`);
  mkdirSync(claudeHome);
  const env = { ...claudeCodeEnv(sim.url, claudeHome), [CLAUDE_CODE_BIN_VARIABLE]: claude };
  return { fanout: createDefaultFanout({ home: join(top, `fanout-home-${name}`), cwd: repo, env }), git };
}

/** A task whose Claude Code writes `<id>.txt` (a path relative to its worktree) and answers. */
function writer(id: string): TaskSpec {
  const script = {
    latencyMs: 1_500,
    script: [{ text: `Writing ${id}.txt.`, tools: [{ name: 'Write', input: { file_path: `${id}.txt`, content: `${id} was here\n` } }] }],
    output: `Wrote ${id}.txt`,
  };
  return { id, model: 'claude-code', writes: [`${id}.txt`], prompt: `Create ${id}.txt. ${encodeSimDirective(script)}` };
}

describe(`Claude Code ${CLAUDE_CODE_VERSION} as fanout's subagent (model: claude-code)`, () => {
  it('runs three Claude Code processes at once, each writing in its worktree; the result branch holds all three files', { timeout: 240_000 }, async () => {
    const { fanout, git } = claudeFanout('three');
    const events: FanoutEvent[] = [];
    try {
      const result = await fanout.run({ synthesis: false, tasks: ['alpha', 'beta', 'gamma'].map(writer) }, { onEvent: (event) => events.push(event) });
      expect(result.tasks.map((task) => [task.taskId, task.status, task.error])).toEqual([
        ['alpha', 'succeeded', undefined],
        ['beta', 'succeeded', undefined],
        ['gamma', 'succeeded', undefined],
      ]);
      expect(result.outputs.alpha?.text).toBe('Wrote alpha.txt');
      expect(git('ls-tree', '-r', '--name-only', `fanout/${result.runId}`).split('\n')).toEqual(['README.md', 'alpha.txt', 'beta.txt', 'gamma.txt']);
      expect(git('show', `fanout/${result.runId}:beta.txt`)).toBe('beta was here');

      // Three processes at once: every task started before any ended.
      const starts = result.tasks.map((task) => task.startedAt as number);
      const ends = result.tasks.map((task) => task.endedAt as number);
      expect(Math.max(...starts)).toBeLessThan(Math.min(...ends));

      // Claude Code's stream became fanout's events and counts: turns, the Write call, tokens and cost.
      const writes = events.filter((event) => event.type === 'tool-call' && event.tool === 'Write');
      expect(writes.map((event) => event.type === 'tool-call' && [event.id, event.ok])).toEqual(expect.arrayContaining([['alpha', true], ['beta', true], ['gamma', true]]));
      const report = fanout.report(result.runId);
      for (const task of report.tasks) {
        expect(task.turns).toBe(2);
        expect(task.inputTokens).toBeGreaterThan(0);
        expect(task.costUsd).toBeGreaterThan(0);
      }
    } finally {
      await fanout.close();
    }
  });

  it('a write outside the task write scope is refused by Claude Code permissions, and the task says so in its tool calls', { timeout: 240_000 }, async () => {
    const { fanout, git } = claudeFanout('scoped');
    const events: FanoutEvent[] = [];
    const script = {
      script: [{ tools: [{ name: 'Write', input: { file_path: 'outside.txt', content: 'no\n' } }, { name: 'Write', input: { file_path: 'inside/ok.txt', content: 'yes\n' } }] }],
      output: 'done',
    };
    try {
      const result = await fanout.run(
        { synthesis: false, tasks: [{ id: 'scoped', model: 'claude-code', writes: ['inside/**'], prompt: `Write. ${encodeSimDirective(script)}` }] },
        { onEvent: (event) => events.push(event) },
      );
      expect(result.tasks[0]?.status).toBe('succeeded');
      expect(events.filter((event) => event.type === 'tool-call').map((event) => event.type === 'tool-call' && [event.tool, event.ok])).toEqual([
        ['Write', false],
        ['Write', true],
      ]);
      expect(git('ls-tree', '-r', '--name-only', `fanout/${result.runId}`).split('\n')).toEqual(['README.md', 'inside/ok.txt']);
    } finally {
      await fanout.close();
    }
  });

  it("a task's maxTokens stops Claude Code mid-run from the usage its stream reports, with status limit", { timeout: 240_000 }, async () => {
    const { fanout } = claudeFanout('capped');
    const read = { name: 'Read', input: { file_path: 'README.md' } };
    // Each turn of Claude Code's takes ~2,100 input tokens (its system prompt): the cap falls in the second.
    const script = { latencyMs: 500, script: [{ tools: [read] }, { tools: [read] }, { tools: [read] }, { tools: [read] }], output: 'read it four times' };
    try {
      const result = await fanout.run({
        synthesis: false,
        tasks: [{ id: 'capped', model: 'claude-code', maxTokens: 3_000, tools: ['read_file'], prompt: `Read. ${encodeSimDirective(script)}` }],
      });
      expect(result.tasks[0]).toMatchObject({ status: 'limit', error: expect.stringMatching(/^maxTokens 3000 reached \([\d,]+ tokens used\)$/), turns: 2 });
    } finally {
      await fanout.close();
    }
  });

  it("the task's maxTurns reaches Claude Code as --max-turns; running out of turns is status limit", { timeout: 240_000 }, async () => {
    const { fanout } = claudeFanout('turns');
    const read = { name: 'Read', input: { file_path: 'README.md' } };
    const script = { script: [{ tools: [read] }, { tools: [read] }], output: 'never reached' };
    try {
      const result = await fanout.run({
        synthesis: false,
        tasks: [{ id: 'turns', model: 'claude-code', maxTurns: 1, tools: ['read_file'], prompt: `Read. ${encodeSimDirective(script)}` }],
      });
      expect(result.tasks[0]).toMatchObject({ status: 'limit', error: 'maxTurns 1 reached (claude-code: Reached maximum number of turns (1))' });
    } finally {
      await fanout.close();
    }
  });

  it('stop ends Claude Code mid-answer: status stopped, no process of it left', { timeout: 240_000 }, async () => {
    const { fanout } = claudeFanout('stopped');
    // A marker in the prompt finds Claude Code's processes by their arguments; the model takes five minutes to answer.
    const marker = `stop-marker-${process.pid}-${Date.now()}`;
    const running = (): number[] =>
      execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.includes(marker) && !line.includes('ps -eo'))
        .map((line) => Number.parseInt(line.trim(), 10));
    try {
      const { runId, handles } = fanout.spawn({
        synthesis: false,
        tasks: [{ id: 'slow', model: 'claude-code', prompt: `${marker} ${encodeSimDirective({ latencyMs: 300_000, output: 'too late' })}` }],
      });
      await until(() => running().length > 0);
      await fanout.stop(handles[0]?.handle ?? '');
      const result = await fanout.wait(runId);
      expect(result.tasks[0]?.status).toBe('stopped');
      await until(() => running().length === 0);
    } finally {
      await fanout.close();
    }
  });

  it('a missing claude binary is one line at check, before anything is recorded', async () => {
    const fanout = createDefaultFanout({ persist: false, cwd: top, env: { PATH: '/nonexistent', [CLAUDE_CODE_BIN_VARIABLE]: join(top, 'no-claude') } });
    try {
      await expect(fanout.check({ synthesis: false, tasks: [{ id: 'a', prompt: 'x', model: 'claude-code' }] })).rejects.toThrow(
        `model "claude-code": Claude Code's "${join(top, 'no-claude')}" was not found (${CLAUDE_CODE_BIN_VARIABLE}); install it (npm i -g @anthropic-ai/claude-code) or set ${CLAUDE_CODE_BIN_VARIABLE}`,
      );
    } finally {
      await fanout.close();
    }
  });
});

/** Polls a condition another process makes true, up to 90 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 100) {
    if (waited > 90_000) throw new Error('condition not met within 90 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

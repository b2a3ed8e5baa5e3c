import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, scratch, type BuiltCli } from '../cli/test-support/cli-process.js';
import { createDefaultFanout, encodeSimDirective, startSimServer, type SimServer } from '../index.js';
import { claudeCodeEnv, CLAUDE_CODE_VERSION, ensureClaudeCode } from '../test-support/claude-code.js';

// The real Claude Code CLI (pinned, installed by ensureClaudeCode) as an MCP client of
// `fanout mcp`, its model calls answered by the simulated model: the script makes Claude
// Code call spawn with three tasks in one turn, wait for their handles, read each with
// task_output, and answer with what it read.

let cli: BuiltCli;
let claude: string;
let sim: SimServer;
beforeAll(async () => {
  [cli, claude, sim] = await Promise.all([buildCli(), ensureClaudeCode(), startSimServer({ port: 0 })]);
}, 600_000);
afterAll(async () => {
  cli?.dispose();
  await sim?.close();
});

const TASKS = ['alpha', 'beta', 'gamma'].map((id) => ({ id, prompt: `check ${id}`, sim: { latencyMs: 2_000, output: `${id} is fine (${id.length})` } }));

describe(`Claude Code ${CLAUDE_CODE_VERSION} as an MCP client of fanout mcp`, () => {
  it('spawns three tasks in one call, waits, reads each; they overlap and their outputs reach its final result', { timeout: 180_000 }, async () => {
    const { home, dir } = scratch();
    const config = join(dir, 'mcp.json');
    writeFileSync(config, JSON.stringify({ mcpServers: { fanout: { command: process.execPath, args: [cli.entry, 'mcp'], env: { FANOUT_HOME: home } } } }));
    const claudeHome = join(dir, 'claude-home');
    mkdirSync(claudeHome);
    const script = {
      script: [
        { text: 'Spawning the three checks at once.', tools: [{ name: 'mcp__fanout__spawn', input: { model: 'sim', tasks: TASKS } }] },
        { tools: [{ name: 'mcp__fanout__wait', input: { handles: '{{result[0].handles[*].handle}}', mode: 'all' } }] },
        { tools: [0, 1, 2].map((index) => ({ name: 'mcp__fanout__task_output', input: { handle: `{{result[0].handles[${index}].handle}}` } })) },
      ],
      output: 'All checks done: {{result[2].output}} / {{result[3].output}} / {{result[4].output}}',
    };
    const { stdout } = await promisify(execFile)(
      claude,
      [
        '-p',
        `Run the alpha, beta and gamma checks in parallel. ${encodeSimDirective(script)}`,
        '--output-format',
        'stream-json',
        '--verbose',
        '--mcp-config',
        config,
        '--strict-mcp-config',
        '--allowedTools',
        'mcp__fanout__spawn,mcp__fanout__wait,mcp__fanout__task_output',
      ],
      { cwd: dir, env: claudeCodeEnv(sim.url, claudeHome), timeout: 150_000, maxBuffer: 64 * 1024 * 1024 },
    );
    const events = stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { type: string; subtype?: string; is_error?: boolean; result?: string });
    const result = events.find((event) => event.type === 'result');
    expect(result, stdout).toMatchObject({ subtype: 'success', is_error: false });
    expect(result?.result).toBe('All checks done: alpha is fine (5) / beta is fine (4) / gamma is fine (5)');

    // One run of three tasks (one spawn call), and they ran at the same time.
    const fanout = createDefaultFanout({ home, env: {} });
    try {
      const runs = fanout.runs();
      expect(runs).toHaveLength(1);
      const { tasks } = fanout.report((runs[0] as { runId: string }).runId);
      expect(tasks.map((task) => [task.id, task.status])).toEqual([
        ['alpha', 'succeeded'],
        ['beta', 'succeeded'],
        ['gamma', 'succeeded'],
      ]);
      const starts = tasks.map((task) => task.startedAt as number);
      const ends = tasks.map((task) => task.endedAt as number);
      expect(Math.max(...starts)).toBeLessThan(Math.min(...ends));
    } finally {
      await fanout.close();
    }
  });
});

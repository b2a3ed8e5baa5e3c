import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDefaultFanout } from '../../compose.js';
import type { Fanout } from '../../contracts/fanout.js';
import type { FanoutEvent } from '../../contracts/events.js';
import type { TaskSpec } from '../../contracts/plan.js';

// A small node script is the CLI agent: fanout runs it per task through `model: command`,
// as it would run `codex exec` or Aider, and these tests check what reaches it and what comes back.

const AGENT = `
const { readFileSync, writeFileSync } = require('node:fs');
const { spawn } = require('node:child_process');
const mode = process.argv[2];
const stdin = readFileSync(0, 'utf8');
if (mode === 'echo') process.stdout.write('got: ' + stdin.trim().split('\\n').at(-1) + '\\n');
if (mode === 'arg') process.stdout.write('arg: ' + process.argv[3] + ' | system: ' + process.argv[4] + ' | stdin: ' + JSON.stringify(stdin) + '\\n');
if (mode === 'file') writeFileSync(process.argv[3], JSON.stringify({ answer: { text: 'from the file' } }));
if (mode === 'jsonl') {
  console.log(JSON.stringify({ type: 'progress', step: 1 }));
  console.log(JSON.stringify({ type: 'done', result: 'final answer', usage: { input: 1200, output: 300 }, cost: 0.25 }));
}
if (mode === 'fail') { process.stderr.write('warming up\\nbad credentials for the agent\\n'); process.exit(3); }
if (mode === 'hang') {
  // A grandchild in the same process group, then wait forever: a stop must take both.
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  writeFileSync(process.argv[3], JSON.stringify({ agent: process.pid, grandchild: child.pid }));
  setInterval(() => {}, 1000);
}
`;

let fanouts: Fanout[] = [];
afterEach(async () => {
  for (const fanout of fanouts) await fanout.close();
  fanouts = [];
});

function setup(): { fanout: Fanout; dir: string; script: string } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'fanout-command-agent-')));
  const script = join(dir, 'agent.cjs');
  writeFileSync(script, AGENT);
  mkdirSync(join(dir, '.fanout'));
  const fanout = createDefaultFanout({ home: join(dir, '.fanout'), persist: false, cwd: dir, env: { PATH: process.env.PATH } });
  fanouts.push(fanout);
  return { fanout, dir, script };
}

function commandTask(id: string, run: string[], extra: Partial<TaskSpec> = {}): TaskSpec {
  return { id, prompt: `do ${id}`, model: 'command', command: { run }, ...extra };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('model: command', () => {
  it('passes the prompt on stdin (after the role prompt) and takes stdout as the output', async () => {
    const { fanout, script } = setup();
    const result = await fanout.run({ synthesis: false, tasks: [commandTask('echo', [process.execPath, script, 'echo'])] });
    expect(result.tasks.map((task) => task.status)).toEqual(['succeeded']);
    expect(result.outputs.echo?.text).toBe('got: do echo');
    // Without a key the default model is the simulated one, but nothing in this run calls it: no SIMULATED label.
    expect(result.report.simulated).toBe(false);
  });

  it('replaces {prompt} and {system} in the arguments and then writes nothing to stdin', async () => {
    const { fanout, script } = setup();
    const result = await fanout.run({ synthesis: false, tasks: [commandTask('arg', [process.execPath, script, 'arg', '{prompt}', '{system}'], { role: 'tester' })] });
    const output = result.outputs.arg?.text ?? '';
    expect(output).toMatch(/^arg: [^|]*do arg[^|]* \| system: [^|]*tester/s);
    expect(output).toMatch(/\| stdin: ""$/);
  });

  it('reads the answer from {outputFile} at a JSON field path', async () => {
    const { fanout, script } = setup();
    const task = commandTask('file', [process.execPath, script, 'file', '{outputFile}']);
    const result = await fanout.run({ synthesis: false, tasks: [{ ...task, command: { ...task.command, run: task.command?.run ?? [], result: 'answer.text' } }] });
    expect(result.outputs.file?.text).toBe('from the file');
  });

  it('reads the answer and the reported usage from JSON Lines; the usage reaches the report and its caps', async () => {
    const { fanout, script } = setup();
    const events: FanoutEvent[] = [];
    const command = { run: [process.execPath, script, 'jsonl'], result: 'result', usage: { inputTokens: 'usage.input', outputTokens: 'usage.output', costUsd: 'cost' } };
    const result = await fanout.run({ synthesis: false, tasks: [{ id: 'lines', prompt: 'go', model: 'command', command, budgetUsd: 5 }] }, { onEvent: (event) => events.push(event) });
    expect(result.outputs.lines?.text).toBe('final answer');
    const task = fanout.report(result.runId).tasks[0];
    expect(task).toMatchObject({ inputTokens: 1200, outputTokens: 300, costUsd: 0.25, turns: 1 });
    expect(events.filter((event) => event.type === 'model-call')).toMatchObject([{ inputTokens: 1200, outputTokens: 300 }]);
  });

  it('fails the task with the exit code and the last line of stderr', async () => {
    const { fanout, script } = setup();
    const result = await fanout.run({ synthesis: false, tasks: [commandTask('fail', [process.execPath, script, 'fail'])] });
    expect(result.tasks[0]).toMatchObject({ status: 'failed', error: `command ${process.execPath} exited with code 3: bad credentials for the agent` });
  });

  it('refuses at check, in one line, a program that is not on PATH and a task without its command', async () => {
    const { fanout } = setup();
    await expect(fanout.check({ synthesis: false, tasks: [commandTask('missing', ['no-such-agent-cli', '{prompt}'])] })).rejects.toThrow(
      'plan: tasks[0]: command.run[0]: program "no-such-agent-cli" not found (not on PATH, or not executable)',
    );
    await expect(fanout.check({ synthesis: false, tasks: [{ id: 'bare', prompt: 'x', model: 'command' }] })).rejects.toThrow(
      `plan: tasks[0]: model "command" needs the task's command field`,
    );
    await expect(fanout.check([{ id: 'odd', prompt: 'x', model: 'sim', command: { run: ['true'] } }])).rejects.toThrow(
      'plan: tasks[0].command: only model "command" runs a command, and task odd has model "sim"',
    );
  });

  it('runs a named template of the commands file as model: command:<name>, and names the file when a name is not in it', async () => {
    const { fanout, script, dir } = setup();
    writeFileSync(join(dir, '.fanout', 'commands.yaml'), `echo:\n  run: [${JSON.stringify(process.execPath)}, ${JSON.stringify(script)}, echo]\n`);
    const result = await fanout.run({ synthesis: false, tasks: [{ id: 'named', prompt: 'do named', model: 'command:echo' }] });
    expect(result.outputs.named?.text).toBe('got: do named');
    await expect(fanout.check({ synthesis: false, tasks: [{ id: 'x', prompt: 'x', model: 'command:codex' }] })).rejects.toThrow(
      `plan: tasks[0].model: model "command:codex": no command template named "codex" (${join(dir, '.fanout', 'commands.yaml')} has echo)`,
    );
  });

  it('refuses a commands file with a bad template in one line naming the field', async () => {
    const { fanout, dir } = setup();
    writeFileSync(join(dir, '.fanout', 'commands.json'), JSON.stringify({ codex: { run: [], output: 'x' } }));
    await expect(fanout.check({ synthesis: false, tasks: [{ id: 'x', prompt: 'x', model: 'command:codex' }] })).rejects.toThrow(
      new RegExp(`^${join(dir, '.fanout', 'commands.json')}: codex\\.(run|output): `),
    );
  });

  it('refuses a budget on a command task whose template reports no cost', async () => {
    const { fanout, script } = setup();
    await expect(fanout.check({ synthesis: false, tasks: [commandTask('cheap', [process.execPath, script, 'echo'], { budgetUsd: 1 })] })).rejects.toThrow(
      'plan: tasks[0].budgetUsd: model "command" reports no cost for task cheap, so the budget cannot be enforced (see docs/agents.md: a command template reports it with usage.costUsd)',
    );
  });

  it("applies none of fanout's shell checks to a whole agent whose tools name bash: it brings its own shell", async () => {
    const { fanout, script } = setup();
    const checked = await fanout.check({ synthesis: false, tasks: [commandTask('sh', [process.execPath, script, 'echo'], { tools: ['read_file', 'bash'], shell: { network: ['example.com'] } })] });
    expect(checked.plan.tasks).toHaveLength(1);
  });

  it('refuses the synthesis on a whole agent, naming what to do instead', async () => {
    const { fanout, script } = setup();
    await expect(fanout.check({ model: 'command', tasks: [{ id: 'a', prompt: 'x', command: { run: [process.execPath, script, 'echo'] } }] })).rejects.toThrow(
      'plan: model: "command" runs whole tasks and cannot write the synthesis; name it per task (tasks[].model) or set synthesis: false',
    );
  });

  it("checks the answer against the task's JSON Schema: parsed when it validates, the task failed when not", async () => {
    const { fanout, script } = setup();
    const outputFormat = { type: 'object', required: ['answer'], properties: { answer: { type: 'object' } } };
    const result = await fanout.run({
      synthesis: false,
      tasks: [
        commandTask('json', [process.execPath, script, 'file', '{outputFile}'], { outputFormat }),
        commandTask('prose', [process.execPath, script, 'echo'], { outputFormat }),
      ],
    });
    expect(result.outputs.json?.json).toEqual({ answer: { text: 'from the file' } });
    expect(result.tasks[1]).toMatchObject({ status: 'failed', error: expect.stringMatching(/^output does not match the task's JSON Schema: /) });
  });

  it('stop kills the agent and the process it started: no orphans', { timeout: 120_000 }, async () => {
    const { fanout, script, dir } = setup();
    const pids = join(dir, 'pids.json');
    const { runId, handles } = fanout.spawn({ synthesis: false, tasks: [commandTask('hang', [process.execPath, script, 'hang', pids])] });
    await waitFor(() => existsSync(pids) && readFileSync(pids, 'utf8') !== '');
    const { agent, grandchild } = JSON.parse(readFileSync(pids, 'utf8')) as { agent: number; grandchild: number };
    expect([alive(agent), alive(grandchild)]).toEqual([true, true]);
    await fanout.stop(handles[0]?.handle ?? '');
    const result = await fanout.wait(runId);
    expect(result.tasks[0]?.status).toBe('stopped');
    await waitFor(() => !alive(agent) && !alive(grandchild));
  });

  it('the task time limit kills the agent and the process it started, with status limit', { timeout: 120_000 }, async () => {
    const { fanout, script, dir } = setup();
    const pids = join(dir, 'pids.json');
    const result = await fanout.run({ synthesis: false, tasks: [commandTask('slow', [process.execPath, script, 'hang', pids], { timeoutMs: 1_500 })] });
    expect(result.tasks[0]).toMatchObject({ status: 'limit', error: 'timeoutMs 1500 reached (1,500 ms elapsed)' });
    const { agent, grandchild } = JSON.parse(readFileSync(pids, 'utf8')) as { agent: number; grandchild: number };
    await waitFor(() => !alive(agent) && !alive(grandchild));
  });
});

/** Polls a condition that another process makes true (a real process, so no fake clock), up to 60 s. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let elapsed = 0; !condition(); elapsed += 50) {
    if (elapsed > 60_000) throw new Error('condition not met within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

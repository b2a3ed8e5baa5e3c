import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateFanoutHome } from '../compose.js';
import { runCli } from './program.js';
import { recordingIo } from './test-support/fake-io.js';

// The store is found as git finds a repository: the nearest .fanout up from where the user stands,
// unless $FANOUT_HOME names one. No FANOUT_HOME here, so the temp directories are the whole story.

function project(): { root: string; sub: string } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'fanout-discovery-')));
  const sub = join(root, 'packages', 'web');
  mkdirSync(sub, { recursive: true });
  writeFileSync(join(root, 'plan.yaml'), 'name: found\ntasks:\n  - id: a\n    prompt: do a\n    sim: { output: "answer a" }\n');
  return { root, sub };
}

describe('locateFanoutHome', () => {
  it('finds the nearest .fanout up the tree; FANOUT_HOME always wins; else a new one in the directory', () => {
    const { root, sub } = project();
    expect(locateFanoutHome({}, sub)).toEqual({ home: join(sub, '.fanout'), source: 'new', from: sub });
    mkdirSync(join(root, '.fanout'));
    expect(locateFanoutHome({}, sub)).toEqual({ home: join(root, '.fanout'), source: 'found', from: sub });
    mkdirSync(join(root, 'packages', '.fanout'));
    expect(locateFanoutHome({}, sub).home).toBe(join(root, 'packages', '.fanout'));
    expect(locateFanoutHome({ FANOUT_HOME: 'elsewhere' }, sub)).toEqual({ home: join(sub, 'elsewhere'), source: 'env', from: sub });
  });
});

describe('the CLI store', () => {
  it('read-only commands where no store exists fail in one line naming where they looked, and create none', async () => {
    const { sub } = project();
    for (const argv of [['runs'], ['status'], ['output', 'task-x'], ['logs', 'run-x'], ['report', 'run-x'], ['stop', 'run-x']]) {
      const io = recordingIo({ cwd: sub });
      expect(await runCli(argv, io)).toBe(2);
      expect(io.err()).toBe(
        `fanout: no fanout store: no .fanout directory in ${sub} or its parents, and FANOUT_HOME is not set; start one with: fanout run <plan> or fanout demo\n`,
      );
    }
    expect(existsSync(join(sub, '.fanout'))).toBe(false);
  });

  it('a run creates .fanout with a .gitignore of *; commands from a subdirectory find it', async () => {
    const { root, sub } = project();
    const run = recordingIo({ cwd: root });
    expect(await runCli(['run', 'plan.yaml'], run)).toBe(0);
    const home = join(root, '.fanout');
    expect(readFileSync(join(home, '.gitignore'), 'utf8')).toBe('*\n');
    const handle = /✔ a \[(task-\S+)\]/.exec(run.out())?.[1] as string;
    const runId = /run (run-\S+) "found"/.exec(run.out())?.[1] as string;

    const runs = recordingIo({ cwd: sub });
    expect(await runCli(['runs'], runs)).toBe(0);
    expect(runs.out().split('\n')[0]).toBe(`Store: ${home}`);
    expect(runs.out()).toContain(runId);
    const output = recordingIo({ cwd: sub });
    expect(await runCli(['output', handle], output)).toBe(0);
    expect(output.out()).toBe('answer a\n');
    expect(existsSync(join(sub, '.fanout'))).toBe(false);

    // An unknown handle names the store searched; a run id where a handle belongs says what it is.
    const unknown = recordingIo({ cwd: sub });
    expect(await runCli(['output', 'task-nope'], unknown)).toBe(2);
    expect(unknown.err()).toBe(`fanout: no task task-nope in the store ${home} (expected a task handle)\n`);
    const runIdGiven = recordingIo({ cwd: sub });
    expect(await runCli(['output', runId], runIdGiven)).toBe(2);
    expect(runIdGiven.err()).toBe(`fanout: ${runId} is a run id, not a task handle; its tasks and their handles: fanout status ${runId}\n`);

    // FANOUT_HOME wins over the store found up the tree.
    const other = join(root, 'other-home');
    const elsewhere = recordingIo({ cwd: sub, env: { FANOUT_HOME: other } });
    expect(await runCli(['output', handle], elsewhere)).toBe(2);
    expect(elsewhere.err()).toContain(`FANOUT_HOME=${other}`);
  });

  it('a home that already existed gets no .gitignore', async () => {
    const { root } = project();
    const home = join(root, 'mine');
    mkdirSync(home);
    expect(await runCli(['run', 'plan.yaml'], recordingIo({ cwd: root, env: { FANOUT_HOME: home } }))).toBe(0);
    expect(existsSync(join(home, 'fanout.db'))).toBe(true);
    expect(existsSync(join(home, '.gitignore'))).toBe(false);
  });
});

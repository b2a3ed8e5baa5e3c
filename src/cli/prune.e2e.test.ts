import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './program.js';
import { scratch } from './test-support/cli-process.js';
import { recordingIo } from './test-support/fake-io.js';

describe('fanout prune', { timeout: 60_000 }, () => {
  it('deletes runs older than the age with their logs, and refuses a bad age in one line', async () => {
    const { home, plan } = scratch();
    const cli = async (argv: string[]) => {
      const io = recordingIo({ env: { FANOUT_HOME: home } });
      const code = await runCli(argv, io);
      return { code, out: io.out(), err: io.err() };
    };
    const file = plan('one.yaml', 'tasks:\n  - id: a\n    prompt: do a\n    sim: { output: "a done" }\n');
    expect((await cli(['run', file, '--json'])).code).toBe(0);
    const runId = (JSON.parse((await cli(['status', '--json'])).out) as { run: { runId: string } }).run.runId;
    mkdirSync(join(home, 'logs'), { recursive: true });
    writeFileSync(join(home, 'logs', `${runId}.log`), 'log\n');

    expect(await cli(['prune', '--older-than', '30d'])).toMatchObject({ code: 0, out: 'pruned 0 runs\n' });
    const bad = await cli(['prune', '--older-than', '30']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^fanout: .*expected an age such as 30d, 12h, 90m or 3600s; got "30"\n$/);

    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await cli(['prune', '--older-than', '0s', '--json'])).toMatchObject({ code: 0, out: `${JSON.stringify({ pruned: [runId], live: [] })}\n` });
    expect(existsSync(join(home, 'logs', `${runId}.log`))).toBe(false);
    expect((await cli(['status', runId])).code).toBe(2);
  });
});

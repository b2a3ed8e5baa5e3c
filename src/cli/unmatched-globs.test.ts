import { describe, expect, it } from 'vitest';
import { runCli } from './program.js';
import { commandWorkspace as workspace } from './test-support/command-workspace.js';

// A typo'd `files` glob reads nothing: check and run say so, one line per glob naming the task;
// --strict refuses the plan. Globs another task writes, and `writes` globs, may match nothing yet.

const PLAN = `tasks:
  - id: security
    prompt: review auth
    files: [src/auht/**, src/auth/login.ts, "src/{api,db}/*.ts"]
  - id: docs
    prompt: document it
    files: [docs/*.md, out/report.md]
    dependsOn: [writer]
  - id: writer
    prompt: write the report
    writes: [out/**]
    sim: { output: written }
`;

describe('files globs that match nothing', () => {
  it('check and run warn one line per glob naming the task; --strict rejects the plan', async () => {
    const { file, io, dir } = workspace();
    file('src/auth/login.ts', 'export {};\n');
    file('src/api/routes.ts', 'export {};\n');
    file('plan.yaml', PLAN);
    const warnings = [
      `fanout: warning: ${dir}/plan.yaml: tasks[0].files[0]: "src/auht/**" matches no file in ${dir} (task security)`,
      `fanout: warning: ${dir}/plan.yaml: tasks[1].files[0]: "docs/*.md" matches no file in ${dir} (task docs)`,
    ];

    const check = io();
    expect(await runCli(['check', 'plan.yaml'], check)).toBe(0);
    expect(check.err()).toBe(`${warnings.join('\n')}\n`);
    const run = io();
    expect(await runCli(['run', 'plan.yaml'], run)).toBe(0);
    expect(run.err()).toBe(`${warnings.join('\n')}\n`);

    for (const argv of [['check', 'plan.yaml', '--strict'], ['run', 'plan.yaml', '--strict']]) {
      const strict = io();
      expect(await runCli(argv, strict)).toBe(2);
      expect(strict.err()).toBe(`${warnings[0]!.replace('fanout: warning: ', 'fanout: ')}; strict refuses a glob that matches nothing\n`);
    }

    file('docs/guide.md', '# Guide\n');
    file('src/auht/typo.ts', '');
    const fixed = io();
    expect(await runCli(['check', 'plan.yaml', '--strict'], fixed)).toBe(0);
    expect(fixed.err()).toBe('');
  });
});

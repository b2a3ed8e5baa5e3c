import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool, useTempDirs } from '../test-support/temp-workspace.js';

const makeDir = useTempDirs();

describe('edit_file', () => {
  it('replaces the one occurrence of old_string, keeping $ patterns literal', async () => {
    const cwd = await makeDir({ 'a.ts': 'const a = 1;\nconst b = 2;\n' });
    const result = await runTool(
      'edit_file',
      { path: 'a.ts', old_string: 'const b = 2;', new_string: "const b = '$&';" },
      { cwd, writes: ['**'] },
    );
    expect(result).toMatchObject({ isError: false, content: 'Edited a.ts: replaced 1 occurrence' });
    expect(await readFile(path.join(cwd, 'a.ts'), 'utf8')).toBe("const a = 1;\nconst b = '$&';\n");
  });

  it('fails when old_string is missing, repeated or empty, leaving the file as it was', async () => {
    const cwd = await makeDir({ 'a.ts': 'x = 1; x = 1;' });
    const scope = { cwd, writes: ['**'] };
    expect(await runTool('edit_file', { path: 'a.ts', old_string: 'y', new_string: 'z' }, scope)).toMatchObject({
      isError: true,
      content: 'old_string not found in "a.ts"; read the file and copy the text exactly',
    });
    expect(await runTool('edit_file', { path: 'a.ts', old_string: 'x = 1;', new_string: 'z' }, scope)).toMatchObject({
      isError: true,
      content: 'old_string occurs 2 times in "a.ts"; include more surrounding text so it occurs exactly once',
    });
    expect((await runTool('edit_file', { path: 'a.ts', old_string: '', new_string: 'z' }, scope)).content).toContain(
      'old_string is empty',
    );
    expect(await readFile(path.join(cwd, 'a.ts'), 'utf8')).toBe('x = 1; x = 1;');
  });

  it('fails on a missing file and outside the write scope', async () => {
    const cwd = await makeDir({ 'lib/a.ts': 'a' });
    const input = { old_string: 'a', new_string: 'b' };
    expect(await runTool('edit_file', { path: 'src/none.ts', ...input }, { cwd, writes: ['src/**'] })).toMatchObject({
      isError: true,
      content: '"src/none.ts" does not exist',
    });
    const refused = await runTool('edit_file', { path: 'lib/a.ts', ...input }, { cwd, writes: ['src/**'] });
    expect(refused.isError).toBe(true);
    expect(refused.content).toContain('outside this task\'s write scope (allowed: src/**)');
    expect(await readFile(path.join(cwd, 'lib/a.ts'), 'utf8')).toBe('a');
  });
});

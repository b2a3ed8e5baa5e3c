import { describe, expect, it } from 'vitest';
import { checkResolution } from './check-resolution.js';

describe('checking a resolved file before it is committed', () => {
  it('accepts code that parses, JSON that parses and any other text', async () => {
    expect(await checkResolution('src/a.ts', 'interface A { x: number }\nexport const a = { x: 1 } as A;\n')).toBeUndefined();
    expect(await checkResolution('src/b.tsx', 'export const B = () => <div>b</div>;\n')).toBeUndefined();
    expect(await checkResolution('lib/c.mjs', 'export default 1;\n')).toBeUndefined();
    expect(await checkResolution('package.json', '{"name": "x"}\n')).toBeUndefined();
    expect(await checkResolution('README.md', 'Title\n=======\n')).toBeUndefined();
  });

  it('refuses a conflict marker left in any file, naming its line', async () => {
    expect(await checkResolution('notes.txt', 'a\n<<<<<<< ours\nb\n=======\nc\n>>>>>>> theirs\n')).toBe('it still has a conflict marker at line 2');
    expect(await checkResolution('notes.txt', 'a\nb\n>>>>>>> theirs\n')).toBe('it still has a conflict marker at line 3');
  });

  it('refuses TypeScript and JavaScript that do not parse, and JSON that does not', async () => {
    expect(await checkResolution('src/a.ts', 'export const port = 8080;\nexport const port = 9090;\n')).toBe(
      'it does not parse as TypeScript: Multiple exports with the same name "port" (line 2)',
    );
    expect(await checkResolution('src/a.cjs', 'module.exports = {;\n')).toBe('it does not parse as JavaScript: Expected identifier but found ";" (line 1)');
    expect(await checkResolution('config.json', '{"port": 8080}\n{"port": 9090}\n')).toMatch(/^it is not valid JSON \(/);
  });
});

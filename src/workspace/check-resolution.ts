import path from 'node:path';

/**
 * Lines git writes around a conflict and before its base. A lone `=======`
 * (between the sides) is not looked for: it is a Markdown heading's underline too.
 */
const MARKER = /^(<{7}|>{7}|\|{7})( |$)/m;

/** esbuild's loader for each source extension it parses. */
const LOADERS: Readonly<Record<string, 'ts' | 'tsx' | 'js' | 'jsx'>> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
};

/**
 * Why a resolved file must not be committed, or undefined when it may: it
 * still holds a conflict marker line, or (by its extension) it is
 * TypeScript/JavaScript that does not parse or JSON that does not parse.
 * Parsing is syntax only (esbuild's parser, loaded on first use): it says
 * the file is code, not that it type-checks.
 */
export async function checkResolution(file: string, content: string): Promise<string | undefined> {
  const marker = MARKER.exec(content);
  if (marker !== null) {
    const line = content.slice(0, marker.index).split('\n').length;
    return `it still has a conflict marker at line ${line}`;
  }
  const extension = path.extname(file).toLowerCase();
  if (extension === '.json') {
    try {
      JSON.parse(content);
      return undefined;
    } catch (error) {
      return `it is not valid JSON (${(error as Error).message})`;
    }
  }
  const loader = LOADERS[extension];
  if (loader === undefined) return undefined;
  const { transform } = await import('esbuild');
  try {
    await transform(content, { loader, logLevel: 'silent' });
    return undefined;
  } catch (error) {
    const first = (error as { errors?: Array<{ text: string; location?: { line: number } | null }> }).errors?.[0];
    if (first === undefined) throw error;
    return `it does not parse as ${loader === 'js' || loader === 'jsx' ? 'JavaScript' : 'TypeScript'}: ${first.text}${first.location ? ` (line ${first.location.line})` : ''}`;
  }
}

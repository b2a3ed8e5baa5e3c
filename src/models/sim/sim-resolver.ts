/** The tag around the merged file in the engine's resolver prompt (engine/conflict-resolver.ts). */
const MERGED_FILE = /<merged-file>\n([\s\S]*)\n<\/merged-file>/;

/**
 * The simulated resolver: the file of the prompt's `<merged-file>` tag with
 * both sides of every conflict kept, ours then theirs (git's "union"
 * merge), the markers and the base section dropped. That settles two tasks
 * that each added their own lines at one place; where both changed the same
 * line it keeps both lines, which a check may then refuse. Without the tag,
 * the answer is empty (the engine takes that as a failed resolution).
 */
export function resolverAnswer(prompt: string): string {
  const merged = MERGED_FILE.exec(prompt)?.[1];
  if (merged === undefined) return '';
  const kept: string[] = [];
  let section: 'outside' | 'ours' | 'base' | 'theirs' = 'outside';
  for (const line of merged.split('\n')) {
    if (line.startsWith('<<<<<<<')) section = 'ours';
    else if (section !== 'outside' && line.startsWith('|||||||')) section = 'base';
    else if (section !== 'outside' && (line === '=======' || line.startsWith('======= '))) section = 'theirs';
    else if (section !== 'outside' && line.startsWith('>>>>>>>')) section = 'outside';
    else if (section !== 'base') kept.push(line);
  }
  return kept.join('\n');
}

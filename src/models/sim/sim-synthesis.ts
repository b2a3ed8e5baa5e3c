/** One task output found in a synthesis prompt. */
export interface SynthesisSection {
  taskId: string;
  description: string;
  output: string;
}

/**
 * A section starts at a `### <task-id> — <description>` line (em dash; an en
 * dash or hyphen is accepted too). Requiring the dash keeps `### Heading`
 * lines inside a task's own output from starting a new section.
 */
const SECTION_HEADING = /^###[ \t]+(\S+)[ \t]+[—–-][ \t]*(.*)$/gm;
const DECISION = /^[ \t]*DECISION:[ \t]*(.*)$/gm;

/** Splits a synthesis prompt into its task sections, in order. Text before the first section is ignored. */
export function parseSynthesisSections(prompt: string): SynthesisSection[] {
  const headings = [...prompt.matchAll(SECTION_HEADING)];
  return headings.map((heading, index) => {
    const start = heading.index + heading[0].length;
    const end = headings[index + 1]?.index ?? prompt.length;
    return { taskId: heading[1] ?? '', description: (heading[2] ?? '').trim(), output: prompt.slice(start, end).trim() };
  });
}

/**
 * The simulated synthesis, in the exact shape the engine parses:
 * `## Result` with one `- **<task-id>**: <first line>` bullet per section
 * and a closing sentence, then `## Disagreements` with one bullet per pair
 * of differing `DECISION:` lines, or `- none`.
 */
export function synthesisAnswer(prompt: string): string {
  const sections = parseSynthesisSections(prompt);
  const results = sections.map((section) => `- **${section.taskId}**: ${summaryLine(section.output)}`);
  const closing =
    sections.length === 0
      ? 'No task outputs were found to combine (simulated).'
      : `Combined ${sections.length} task output${sections.length === 1 ? '' : 's'} into one result (simulated).`;
  const disagreements = findDisagreements(sections);
  return [
    '## Result',
    ...results,
    '',
    closing,
    '',
    '## Disagreements',
    ...(disagreements.length > 0 ? disagreements : ['- none']),
  ].join('\n');
}

/** First non-empty line, without leading heading marks so a `# Title` reads as a title. */
function summaryLine(output: string): string {
  for (const line of output.split('\n')) {
    const text = line.replace(/^\s*#+\s*/, '').trim();
    if (text !== '') return text;
  }
  return '(no output)';
}

/**
 * A section's decision is all its `DECISION:` lines joined with "; ".
 * Sections sharing a decision are grouped; every pair of groups with
 * different decisions gives one bullet naming the ids on both sides.
 */
function findDisagreements(sections: SynthesisSection[]): string[] {
  const groups = new Map<string, string[]>();
  for (const section of sections) {
    const decision = [...section.output.matchAll(DECISION)].map((match) => (match[1] ?? '').trim()).join('; ');
    if (decision === '') continue;
    const ids = groups.get(decision) ?? [];
    ids.push(section.taskId);
    groups.set(decision, ids);
  }
  const entries = [...groups];
  const bullets: string[] = [];
  entries.forEach(([decisionA, idsA], i) => {
    for (const [decisionB, idsB] of entries.slice(i + 1)) {
      bullets.push(`- ${names(idsA)} vs ${names(idsB)}: DECISION "${decisionA}" vs "${decisionB}"`);
    }
  });
  return bullets;
}

function names(ids: string[]): string {
  return ids.map((id) => `**${id}**`).join(', ');
}

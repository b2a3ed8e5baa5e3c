import type { MergedFinding, MergedReview } from './merge-review-findings.js';

/** Options of {@link renderMergedReview}. */
export interface MergedReviewRenderOptions {
  /**
   * The findings came from the simulated model: the heading says
   * `(SIMULATED)` and a line says what they are, since they name real files
   * and read like a real review.
   */
  simulated?: boolean;
}

/** What a simulated review's findings are, said under its heading. */
export const SIMULATED_FINDINGS_NOTE =
  "_Simulated findings: fixed examples from fanout's simulated model, placed on a file of yours. Nobody reviewed the code; run with a real model for a real review._";

/** Renders a merged review as Markdown: a summary line, then the findings grouped by severity. */
export function renderMergedReview(merged: MergedReview, options: MergedReviewRenderOptions = {}): string {
  const lines: string[] = options.simulated
    ? ['# Merged review (SIMULATED)', '', SIMULATED_FINDINGS_NOTE, '', summaryLine(merged)]
    : ['# Merged review', '', summaryLine(merged)];
  for (const group of merged.groups) {
    lines.push('', `## ${capitalize(group.severity)} (${group.findings.length})`, '');
    group.findings.forEach((finding, index) => lines.push(...renderFinding(finding, index + 1)));
  }
  if (merged.problems.length > 0) {
    lines.push('', '## Unusable reviews', '');
    for (const problem of merged.problems) lines.push(`- ${problem.perspective}: ${problem.error}`);
  }
  return `${lines.join('\n')}\n`;
}

function summaryLine(merged: MergedReview): string {
  const from = `from ${merged.perspectives.join(', ')}`;
  if (merged.findings.length === 0) return `No findings ${from}.`;
  const counts = merged.groups.map((group) => `${group.findings.length} ${group.severity}`).join(', ');
  const noun = merged.findings.length === 1 ? 'finding' : 'findings';
  const removed = merged.duplicatesRemoved;
  const duplicates =
    removed === 0 ? '' : `; ${removed} duplicate${removed === 1 ? '' : 's'} reported by several perspectives merged`;
  return `**${merged.findings.length} ${noun}** ${from} (${counts})${duplicates}.`;
}

function renderFinding(finding: MergedFinding, number: number): string[] {
  const line = finding.line === undefined ? '' : `:${finding.line}`;
  const location = finding.file === undefined ? '' : ` — \`${finding.file}${line}\``;
  const lines = [`${number}. **${finding.title}**${location} · ${finding.perspectives.join(', ')}`, `   ${indent(finding.detail)}`];
  if (finding.recommendation !== undefined) lines.push(`   Fix: ${indent(finding.recommendation)}`);
  return lines;
}

/** Keeps the continuation lines of a multi-line text inside its list item. */
function indent(text: string): string {
  return text.trim().replace(/\n/g, '\n   ');
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

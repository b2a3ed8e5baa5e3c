import { compileJsonSchema } from '../plan/json-schema.js';
import { REVIEW_FINDINGS_SCHEMA, SEVERITIES, type ReviewFinding, type ReviewFindings, type Severity } from './review-findings.js';

/** A finding after the merge: the most severe report of it, and every perspective that reported it. */
export interface MergedFinding extends ReviewFinding {
  perspectives: string[];
}

/** The merged review of several perspectives. */
export interface MergedReview {
  /** The perspectives given, in order, including those whose output was unusable. */
  perspectives: string[];
  /** All merged findings: by severity (critical first), then file, line and title. */
  findings: MergedFinding[];
  /** The same findings grouped by severity, critical first; empty groups left out. */
  groups: Array<{ severity: Severity; findings: MergedFinding[] }>;
  /** Findings reported before the merge. */
  reported: number;
  /** Findings dropped as duplicates of another one (`reported - findings.length`). */
  duplicatesRemoved: number;
  /** Perspectives whose output was missing or not valid findings, with the reason. */
  problems: Array<{ perspective: string; error: string }>;
}

/** Lines this close in the same file may be the same problem. */
const LINE_TOLERANCE = 3;
/** Token Jaccard similarity from which two titles say the same thing. */
const TITLE_SIMILARITY = 0.6;
const STOP_WORDS = new Set('a an the of in on to for and or is are be with by at from'.split(' '));

const validateFindings = compileJsonSchema(REVIEW_FINDINGS_SCHEMA);

interface Reported {
  finding: ReviewFinding;
  perspective: string;
  tokens: Set<string>;
  key: string;
}

/**
 * Merges the outputs of several reviewers, deterministically. Each output is
 * validated against {@link REVIEW_FINDINGS_SCHEMA}; an invalid one is listed
 * in `problems` and left out. Two findings are one when they are about the
 * same file (or both about none) and either have the same normalized title,
 * or lie within 3 lines of each other with titles whose word sets overlap by
 * at least 60% (Jaccard); only reports of different perspectives are
 * merged. The merged finding keeps the most severe report
 * (the first one on ties) and lists every perspective that made it.
 */
export function mergeReviewFindings(outputs: ReadonlyArray<{ perspective: string; json: unknown }>): MergedReview {
  const problems: MergedReview['problems'] = [];
  const reported: Reported[] = [];
  for (const { perspective, json } of outputs) {
    if (json === undefined) {
      problems.push({ perspective, error: 'no JSON output' });
      continue;
    }
    const errors = validateFindings(json);
    if (errors.length > 0) {
      problems.push({ perspective, error: `not valid findings: ${errors.join('; ')}` });
      continue;
    }
    for (const finding of (json as ReviewFindings).findings) {
      const tokens = titleTokens(finding.title);
      reported.push({ finding, perspective, tokens, key: [...tokens].join(' ') });
    }
  }

  const clusters: Reported[][] = [];
  for (const entry of reported) {
    // Only reports of different perspectives are merged: one reviewer naming a problem twice means two places.
    const cluster = clusters.find(
      (members) =>
        members.every((member) => member.perspective !== entry.perspective) &&
        members.some((member) => sameProblem(member, entry)),
    );
    if (cluster === undefined) clusters.push([entry]);
    else cluster.push(entry);
  }
  const findings = clusters.map(mergeCluster).sort(compareFindings);
  const groups = SEVERITIES.map((severity) => ({ severity, findings: findings.filter((f) => f.severity === severity) }))
    .filter((group) => group.findings.length > 0);
  return {
    perspectives: outputs.map((output) => output.perspective),
    findings,
    groups,
    reported: reported.length,
    duplicatesRemoved: reported.length - findings.length,
    problems,
  };
}

function sameProblem(a: Reported, b: Reported): boolean {
  if (normalizeFile(a.finding.file) !== normalizeFile(b.finding.file)) return false;
  if (a.key === b.key) return true;
  const { line: lineA } = a.finding;
  const { line: lineB } = b.finding;
  if (lineA === undefined || lineB === undefined || Math.abs(lineA - lineB) > LINE_TOLERANCE) return false;
  return jaccard(a.tokens, b.tokens) >= TITLE_SIMILARITY;
}

function mergeCluster(members: Reported[]): MergedFinding {
  // `members` is never empty: a cluster starts with one entry.
  const worst = members.reduce((best, member) => (rank(member.finding.severity) < rank(best.finding.severity) ? member : best));
  const merged: MergedFinding = { ...worst.finding, perspectives: members.map((member) => member.perspective) };
  if (merged.recommendation === undefined) {
    const recommendation = members.find((member) => member.finding.recommendation !== undefined)?.finding.recommendation;
    if (recommendation !== undefined) merged.recommendation = recommendation;
  }
  return merged;
}

function compareFindings(a: MergedFinding, b: MergedFinding): number {
  return (
    rank(a.severity) - rank(b.severity) ||
    compareOptional(normalizeFile(a.file), normalizeFile(b.file)) ||
    compareOptional(a.line, b.line) ||
    (a.title < b.title ? -1 : a.title > b.title ? 1 : 0)
  );
}

/** Present values first, in ascending order; then absent ones. */
function compareOptional<T extends string | number>(a: T | undefined, b: T | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a < b ? -1 : 1;
}

function rank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

function normalizeFile(file: string | undefined): string | undefined {
  return file?.trim().replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

/** Lower-cased words without stop words, with a plain plural `s` dropped. */
function titleTokens(title: string): Set<string> {
  const words = title.toLowerCase().split(/[^a-z0-9]+/);
  return new Set(
    words
      .filter((word) => word !== '' && !STOP_WORDS.has(word))
      .map((word) => (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word))
      .sort(),
  );
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const token of a) if (b.has(token)) shared += 1;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}

import { resolve } from 'node:path';
import { ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { withExistingStore } from '../library.js';

/** Flags of `fanout report`. */
export interface ReportFlags {
  html?: string;
  md?: string;
}

/**
 * `fanout report <run>`: the picture of a run as one self-contained HTML
 * file (`--html`), a Markdown summary for a pull request (`--md`), or that
 * summary on stdout when neither is given. Files are written whole or not at all.
 */
export async function reportCommand(target: string, flags: ReportFlags, io: CliIo): Promise<number> {
  const { loadRunSnapshot, renderHtmlReport, renderMarkdownReport, writeReportFile } = await import('../../report/index.js');
  const snapshot = await withExistingStore(io, (fanout) => loadRunSnapshot(fanout, target));
  if (flags.html === undefined && flags.md === undefined) {
    io.stdout.write(renderMarkdownReport(snapshot));
    return ExitCode.ok;
  }
  // Both documents are rendered before either is written: a failure leaves neither half-done.
  const html = flags.html === undefined ? undefined : await renderHtmlReport(snapshot);
  const markdown = flags.md === undefined ? undefined : renderMarkdownReport(snapshot);
  if (flags.html !== undefined && html !== undefined) {
    const path = resolve(io.cwd, flags.html);
    writeReportFile(path, html, '--html');
    io.stdout.write(`wrote ${path} (${Math.ceil(Buffer.byteLength(html) / 1024)} KB)\n`);
  }
  if (flags.md !== undefined && markdown !== undefined) {
    const path = resolve(io.cwd, flags.md);
    writeReportFile(path, markdown, '--md');
    io.stdout.write(`wrote ${path}\n`);
  }
  return ExitCode.ok;
}

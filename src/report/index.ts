export { loadRunSnapshot, snapshotOf, type RunSnapshot, type SnapshotTask } from './run-snapshot.js';
export { buildTimeline, isLive, type Timeline, type TimelineRow, type WaitSegment } from './timeline.js';
export { renderMarkdownReport, textGantt, TEXT_GANTT_WIDTH } from './markdown-report.js';
export { renderHtmlReport } from './html-report.js';
export { writeReportFile } from './write-report-file.js';
export { RUN_VIEW_CSS } from './styles.js';

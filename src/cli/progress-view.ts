import type { FanoutEvent } from '../contracts/events.js';
import {
  applyEvent,
  plainProgressLine,
  renderProgressLines,
  serializationNotice,
  type ProgressState,
} from './render-progress.js';
import { terminalSize } from './terminal-size.js';

/** The part of a terminal stream the progress view uses. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

/** Options of {@link ProgressView}. */
export interface ProgressViewOptions {
  now?: () => number;
  /** Redraw period on a TTY, ms. Default 100 (10 redraws a second at most). */
  intervalMs?: number;
}

const CLEAR_LINE = '\x1b[2K';
const CLEAR_BELOW = '\x1b[J';
const linesUp = (count: number): string => (count > 0 ? `\x1b[${count}F` : '');

/**
 * Live progress of one run. On a TTY it redraws the todo list in place
 * (ANSI, on a timer, never taller than the terminal) and prints serialization
 * notices above it; otherwise it prints one plain line per state change.
 */
export class ProgressView {
  readonly state: ProgressState;
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private readonly intervalMs: number;
  private drawnLines = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(stream: ProgressStream, state: ProgressState, options: ProgressViewOptions = {}) {
    this.stream = stream;
    this.state = state;
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? 100;
  }

  private get live(): boolean {
    return this.stream.isTTY === true;
  }

  /** Starts the redraw timer (TTY only). */
  start(): void {
    if (!this.live || this.timer) return;
    this.redraw();
    this.timer = setInterval(() => this.redraw(), this.intervalMs);
  }

  /** Folds an event in; prints a plain line (not a TTY) or a notice above the live list. */
  handle(event: FanoutEvent): void {
    applyEvent(this.state, event);
    if (!this.live) {
      const line = plainProgressLine(this.state, event);
      if (line !== undefined) this.stream.write(`${line}\n`);
      return;
    }
    const notice = serializationNotice(event);
    if (notice !== undefined) this.printAbove(notice);
  }

  /** Prints a line above the live list (or as a plain line). */
  printAbove(line: string): void {
    if (!this.live) {
      this.stream.write(`${line}\n`);
      return;
    }
    this.stream.write(`${linesUp(this.drawnLines)}${CLEAR_BELOW}${line}\n`);
    this.drawnLines = 0;
    this.redraw();
  }

  /**
   * A stream for notices written while the list is drawn (the Ctrl-C notice
   * on stderr): on a TTY each write first erases the list, so the notice
   * takes its place and the next drawing goes below it, rather than
   * pushing the list down and leaving a copy of its top lines above.
   */
  noticeStream<T extends { write(text: string): unknown }>(stream: T): { write(text: string): unknown } {
    if (!this.live) return stream;
    return {
      write: (text: string) => {
        this.stream.write(`${linesUp(this.drawnLines)}${CLEAR_BELOW}`);
        this.drawnLines = 0;
        return stream.write(text.replace(/^\n/, ''));
      },
    };
  }

  /** Draws the list once more, in place of the previous drawing. */
  redraw(): void {
    if (!this.live) return;
    const size = terminalSize(this.stream);
    const width = Math.max(20, size.columns - 1);
    const maxLines = Math.max(3, size.rows - 1);
    const lines = renderProgressLines(this.state, this.now(), { width, maxLines });
    this.stream.write(`${linesUp(this.drawnLines)}${lines.map((line) => `${CLEAR_LINE}${line}\n`).join('')}${CLEAR_BELOW}`);
    this.drawnLines = lines.length;
  }

  /** Stops the timer and leaves the final drawing on screen. Idempotent. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.redraw();
  }
}

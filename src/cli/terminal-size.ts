/** What a stream says about the terminal behind it. */
export interface TerminalLike {
  columns?: number;
  rows?: number;
}

/** Size assumed when the terminal does not say (or says 0). */
export const FALLBACK_TERMINAL_SIZE = { columns: 80, rows: 24 } as const;

/**
 * The terminal's size, where a reported 0 counts as unknown: a pty created
 * without a size (`script -qec …`, some CI runners) reports 0×0, and taking
 * that at face value cuts every line to nothing.
 */
export function terminalSize(stream: TerminalLike): { columns: number; rows: number } {
  return {
    columns: stream.columns || FALLBACK_TERMINAL_SIZE.columns,
    rows: stream.rows || FALLBACK_TERMINAL_SIZE.rows,
  };
}

/**
 * The width end-of-run text is cut to: the terminal's when it reports one,
 * undefined (the renderer's default) for a pipe or a terminal reporting 0.
 */
export function reportedColumns(stream: TerminalLike): number | undefined {
  return stream.columns || undefined;
}

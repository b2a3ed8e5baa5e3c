import { describe, expect, it } from 'vitest';
import { reportedColumns, terminalSize } from './terminal-size.js';

describe('terminalSize', () => {
  it('takes the reported size', () => {
    expect(terminalSize({ columns: 132, rows: 50 })).toEqual({ columns: 132, rows: 50 });
  });

  it('treats 0 (a pty created without a size) and a missing size as unknown: 80×24', () => {
    expect(terminalSize({ columns: 0, rows: 0 })).toEqual({ columns: 80, rows: 24 });
    expect(terminalSize({})).toEqual({ columns: 80, rows: 24 });
  });
});

describe('reportedColumns', () => {
  it('is undefined (the renderer default) for a pipe or a 0-wide pty', () => {
    expect(reportedColumns({ columns: 120 })).toBe(120);
    expect(reportedColumns({ columns: 0 })).toBeUndefined();
    expect(reportedColumns({})).toBeUndefined();
  });
});

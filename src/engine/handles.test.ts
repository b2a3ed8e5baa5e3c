import { describe, expect, it } from 'vitest';
import { newRunId, newTaskHandle } from './handles.js';

describe('ids', () => {
  it('makes run ids from the time and a random part', () => {
    const id = newRunId(1_700_000_000_000);
    expect(id).toMatch(/^run-[0-9a-z]+$/);
    expect(id.startsWith(`run-${(1_700_000_000_000).toString(36)}`)).toBe(true);
    expect(newRunId(1_700_000_000_000)).not.toBe(id);
  });

  it('makes task handles of 12 random base32 characters, unique over many draws', () => {
    const handles = Array.from({ length: 5000 }, () => newTaskHandle());
    expect(handles.every((handle) => /^task-[a-z2-7]{12}$/.test(handle))).toBe(true);
    expect(new Set(handles).size).toBe(handles.length);
  });
});

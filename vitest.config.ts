import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The run view and the dashboard are Preact (src/report/view, src/ui/web).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'bench/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Most test files wait on simulated model latency or child processes, not the CPU:
    // on a 2-core machine 4 workers halve the suite's wall time (measured 55 s → 31 s).
    maxWorkers: 4,
  },
});

import { afterEach } from 'vitest';
import { textResponse } from '../../models/scripted-model.js';
import { createHarness, type Harness } from './engine-harness.js';

/**
 * The `setup` of an engine test file: makes a harness whose synthesis model
 * answers the `synthesis` answers in order (given none, the test scripts its
 * own), and closes every harness made after each test (a run left open would
 * hold its timers into the next test).
 */
export function useHarnesses(...synthesis: string[]): (...args: Parameters<typeof createHarness>) => Harness {
  let harnesses: Harness[] = [];
  afterEach(async () => {
    for (const harness of harnesses) await harness.fanout.close();
    harnesses = [];
  });
  return (...args) => {
    const harness = createHarness(...args);
    if (synthesis.length > 0) harness.model('scripted:synthesis', synthesis.map((answer) => textResponse(answer)));
    harnesses.push(harness);
    return harness;
  };
}

/**
 * The error `work` throws, for tests that check more of it than
 * `toThrow` can (its code, its cause, its whole message); throws itself
 * when `work` returns, so such a test cannot pass without the failure.
 */
export function errorThrownBy(work: () => unknown): Error {
  try {
    work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

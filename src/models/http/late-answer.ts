/**
 * A model call's answer did not come in time: `idle` when it started and
 * then went silent (a stalled stream), `call` when the whole call outlasted
 * its limit. Raised by fanout's fetch; providers turn it into a retryable
 * `MODEL_ERROR` (see `classifySdkTransportError`). Neither its name nor
 * its messages say "timeout": the SDKs turn any fetch failure whose text
 * matches /timed? ?out/ into a bare timeout error, dropping the cause.
 */
export class LateAnswerError extends Error {
  override readonly name = 'LateAnswerError';

  constructor(
    readonly kind: 'idle' | 'call',
    readonly limitMs: number,
  ) {
    super(
      kind === 'idle'
        ? `the answer stalled: no data for ${limitMs} ms`
        : `no complete answer within ${limitMs} ms (the call's time limit)`,
    );
  }
}

/** The {@link LateAnswerError} along an error's `cause` chain, if any. */
export function findLateAnswer(error: unknown): LateAnswerError | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current instanceof LateAnswerError) return current;
    current = current.cause;
  }
  return undefined;
}

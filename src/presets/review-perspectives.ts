/** A built-in review perspective: the role prompt parts of its reviewer task. */
export interface ReviewPerspective {
  /** The ROLE of "You are a [ROLE] specialist for this specific task." */
  role: string;
  /** Short label for progress lines. */
  label: string;
  /** What this reviewer is asked to do. */
  instructions: string;
  /** Focus areas, highest priority first. */
  focus: string[];
}

/** The perspectives `fanout review --perspectives` accepts, in their default order. */
export const REVIEW_PERSPECTIVES = {
  security: {
    role: 'application security',
    label: 'Security review',
    instructions:
      'Review the code for security vulnerabilities. Trace untrusted input (HTTP requests, command-line ' +
      'arguments, files, environment variables, data from other services) to where it is used, and report ' +
      'every place where it can do harm. Rate severity by exploitability and impact.',
    focus: [
      'injection: SQL, shell commands, path traversal, templates, regular expressions (ReDoS)',
      'authentication and authorization: missing checks, insecure direct object references, session and token handling',
      'secrets: credentials in code or config, secrets written to logs or error messages',
      'cryptography: weak password hashing, predictable tokens, non-constant-time comparisons',
      'unsafe deserialization, prototype pollution, server-side request forgery',
      'dependencies with known vulnerabilities and unsafe defaults',
    ],
  },
  performance: {
    role: 'performance engineering',
    label: 'Performance analysis',
    instructions:
      'Analyze the code for performance problems that matter at realistic load. Look at the hot paths first; ' +
      'for each problem say what grows (time, memory, calls) with what input, and how much a fix would save.',
    focus: [
      'algorithmic complexity on hot paths: nested loops over collections, N+1 queries, repeated scans',
      'blocking work on the event loop: synchronous I/O or CPU-heavy work in request paths',
      'unbounded memory: caches without eviction, whole files or result sets loaded at once, growing buffers',
      'redundant work: repeated parsing or compilation, missing memoization, duplicate requests',
      'concurrency: awaits in sequence that could run in parallel, missing limits on parallel work',
      'resource leaks: unclosed handles, timers, event listeners, connections',
    ],
  },
  testing: {
    role: 'test engineering',
    label: 'Test coverage review',
    instructions:
      'Review the tests and the behaviour they cover. Find what can break without any test noticing, and ' +
      'tests that cannot fail or fail for the wrong reasons. Name the missing test cases concretely.',
    focus: [
      'untested public behaviour and error paths (invalid input, failures of dependencies, timeouts)',
      'tests that cannot fail: no assertions, assertions on mocks only, snapshot-only checks',
      'missing edge cases: empty and boundary values, unicode, large inputs, concurrent calls',
      'flaky tests: real time, real network, shared state, order dependence',
      'input validation and invariants without a test that pins them down',
      'test readability: names that state the behaviour, one reason to fail per test',
    ],
  },
  architecture: {
    role: 'software architecture',
    label: 'Architecture assessment',
    instructions:
      'Assess the structure of the code: how it is split into modules, how they depend on each other, and ' +
      'how easy it is to change, test and extend. Report structural problems with the change they make hard.',
    focus: [
      'module boundaries and dependency direction: cycles, layers that leak, core code importing adapters',
      'cohesion: files or functions with several responsibilities, god objects',
      'coupling to concrete implementations where a small interface would give a seam for tests',
      'duplication of logic that will drift apart',
      'consistency of error handling and of the public API (naming, shapes, defaults)',
      'configuration and extension points: hard-coded values, missing or premature abstractions',
    ],
  },
} as const satisfies Record<string, ReviewPerspective>;

/** One of the built-in perspective names. */
export type ReviewPerspectiveName = keyof typeof REVIEW_PERSPECTIVES;

/** The built-in perspective names, in their default order. */
export const REVIEW_PERSPECTIVE_NAMES = Object.keys(REVIEW_PERSPECTIVES) as ReviewPerspectiveName[];

import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { systemClock } from '../../contracts/clock.js';
import { FanoutError } from '../../contracts/errors.js';
import type { ModelResponse } from '../../contracts/model.js';
import type { WholeAgentEvent } from '../../contracts/whole-agent.js';

/**
 * What a whole agent answers to a single model call: it cannot, since it
 * runs whole tasks. The synthesis and the planner are refused at check;
 * this is the backstop.
 */
export function refuseSingleCall(spec: string): Promise<ModelResponse> {
  return Promise.reject(
    new FanoutError('MODEL_CONFIG', `model "${spec}" runs whole tasks and cannot answer a single model call (synthesis, planner): give those another model`),
  );
}

/**
 * Where `program` would be run from: itself when it holds a `/` (relative
 * to `cwd`), else the first executable of that name on `PATH`; undefined
 * when there is none.
 */
export function findProgram(program: string, env: NodeJS.ProcessEnv, cwd: string = process.cwd()): string | undefined {
  const candidates = program.includes('/')
    ? [isAbsolute(program) ? program : resolve(cwd, program)]
    : (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '').map((dir) => join(dir, program));
  return candidates.find(isExecutableFile);
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Counts an agent's turns as it reports them and hands each on, timed from the previous one. */
export class TurnCounter {
  turns = 0;
  #last: number;

  constructor(
    private readonly onEvent: (event: WholeAgentEvent) => void,
    private readonly now: () => number = systemClock.monotonic,
  ) {
    this.#last = now();
  }

  turn(inputTokens: number, outputTokens: number): void {
    this.turns += 1;
    const at = this.now();
    this.onEvent({ type: 'turn', turn: this.turns, inputTokens, outputTokens, durationMs: at - this.#last });
    this.#last = at;
  }
}

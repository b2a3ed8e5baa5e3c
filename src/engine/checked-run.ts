import { deepFreeze } from '../agent/index.js';
import { FanoutError } from '../contracts/errors.js';
import type { ExecutionDag, Plan } from '../contracts/plan.js';
import type { CheckedRun, RunEstimate } from '../contracts/fanout.js';
import type { CheckedPlan } from './run-check.js';

/**
 * The {@link CheckedRun} that `check()` hands out. Its plan and DAG are
 * frozen copies, since they are what gets recorded; what spawn trusts (the models,
 * agent definitions and options resolved at check) sits in a private field
 * that only this module reads, so no other object passes for a checked run
 * and nothing outside can change what was checked.
 */
class CheckedRunHandle {
  readonly plan: Plan;
  readonly dag: ExecutionDag;
  readonly simulated: boolean;
  readonly estimate: RunEstimate;
  readonly warnings: readonly string[];
  /** The Fanout that checked it: its models (and their lifetime) are that instance's. */
  readonly #owner: object;
  readonly #checked: CheckedPlan;

  constructor(owner: object, checked: CheckedPlan) {
    // A copy: the plan may share objects (an output schema, sim options) with the caller's.
    this.plan = deepFreeze(structuredClone(checked.plan));
    this.dag = deepFreeze(structuredClone(checked.dag));
    this.simulated = checked.simulated;
    this.estimate = deepFreeze(structuredClone(checked.estimate));
    this.warnings = Object.freeze([...checked.warnings]);
    this.#owner = owner;
    this.#checked = { ...checked, plan: this.plan, dag: this.dag };
    Object.freeze(this);
  }

  static open(value: object, owner: object): CheckedPlan | undefined {
    if (!(#checked in value)) return undefined;
    const handle = value as CheckedRunHandle;
    if (handle.#owner !== owner) {
      throw new FanoutError('OPTION_INVALID', 'this checked run was made by another Fanout instance: check the plan with the one that runs it');
    }
    return handle.#checked;
  }
}

/** Wraps what `owner` checked as the opaque {@link CheckedRun} its callers hold. */
export function toCheckedRun(owner: object, checked: CheckedPlan): CheckedRun {
  // The brand exists in the type only; the private field is what is checked at run time.
  return new CheckedRunHandle(owner, checked) as unknown as CheckedRun;
}

/**
 * What `owner` checked, when `value` is a checked run it made; undefined
 * when `value` is no checked run (a plan, a task list or a file path).
 * Throws `OPTION_INVALID` for a checked run of another Fanout instance.
 */
export function openCheckedRun(value: unknown, owner: object): CheckedPlan | undefined {
  return typeof value === 'object' && value !== null ? CheckedRunHandle.open(value, owner) : undefined;
}

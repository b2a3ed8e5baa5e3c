import type { Model, ModelRequest, ModelResponse } from '../../contracts/model.js';
import { SIM_PROVIDER, type SimOptions } from '../../contracts/sim-options.js';
import { requestSimDirective } from './sim-directives.js';

/**
 * The simulated model as a provider: the Model of `sim` specs. It talks to
 * the simulated server through a real provider (`wire`: the Anthropic one,
 * or the OpenAI one for `sim:openai`) and adds what only the simulator
 * reads: the request's `providerOptions.sim`, as a `<fanout-sim>` directive
 * at the end of the system prompt. The real providers know nothing of it.
 */
export class SimModel implements Model {
  readonly provider = SIM_PROVIDER;

  constructor(
    readonly spec: string,
    private readonly wire: Model,
  ) {}

  generate(request: ModelRequest): Promise<ModelResponse> {
    // Checked by the plan schema when it came from a plan, and by the server in any case (a 400 naming the problem).
    const options = request.providerOptions?.[SIM_PROVIDER] as SimOptions | undefined;
    const directive = requestSimDirective(options);
    return this.wire.generate({ ...request, system: request.system === '' ? directive : `${request.system}\n\n${directive}` });
  }

  async preflight(signal?: AbortSignal): Promise<void> {
    await this.wire.preflight?.(signal);
  }
}

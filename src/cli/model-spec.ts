/** Whether a model spec names the simulated model (`sim`, `sim:<anything>`). */
export function isSimulatedSpec(spec: string): boolean {
  return spec === 'sim' || spec.startsWith('sim:');
}

/**
 * The real model the CLI's hints suggest: the default Anthropic model (the
 * one a plan naming no model gets when `ANTHROPIC_API_KEY` is set).
 */
export const REAL_MODEL_EXAMPLE = 'anthropic:claude-sonnet-5-5';

/** How `--model` is described in every command's help. */
export const MODEL_FLAG_HELP =
  'model spec: sim, sim:openai, anthropic:<model-id> (ANTHROPIC_API_KEY), openai:<model> (OPENAI_API_KEY, OPENAI_BASE_URL); see docs/models.md';

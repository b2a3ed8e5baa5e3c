/**
 * Default endpoints of the providers. Kept apart from the provider classes so
 * that resolving a spec does not load an SDK: the resolver imports those
 * lazily, on a model's first call.
 */

/** Base URL of the Anthropic API when `ANTHROPIC_BASE_URL` is not set. */
export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';

/** Base URL of the OpenAI API when `OPENAI_BASE_URL` is not set. */
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** Names of variables a sandboxed command never sees: API keys, tokens, passwords, cloud credentials. */
const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION)/i;
const SECRET_PREFIX = /^(ANTHROPIC_|OPENAI_|AWS_|AZURE_|GOOGLE_|GCP_|GH_|GITHUB_|NPM_CONFIG__AUTH|FANOUT_)/i;

/**
 * The environment of a sandboxed command: the caller's, less everything that
 * looks like a credential (and fanout's own settings), with a private
 * temporary directory and no pager or prompt.
 */
export function shellEnvironment(parent: NodeJS.ProcessEnv, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined || SECRET_NAME.test(name) || SECRET_PREFIX.test(name)) continue;
    env[name] = value;
  }
  return { ...env, TMPDIR: '/tmp', PAGER: 'cat', GIT_PAGER: 'cat', GIT_TERMINAL_PROMPT: '0', ...extra };
}

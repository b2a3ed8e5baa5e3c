import type { Plan, TaskSpec } from '../../contracts/plan.js';

/**
 * The request a planner prompt asks about: the text of a `<request>…</request>`
 * tag, else the rest of the line after a `Request:` label, else the whole prompt.
 */
export function findPlannerRequest(prompt: string): string {
  const tagged = /<request>([\s\S]*?)<\/request>/i.exec(prompt);
  if (tagged?.[1] !== undefined) return tagged[1].trim();
  const labelled = /^[ \t]*\**request\**[ \t]*:[ \t]*(\S.*)$/im.exec(prompt);
  if (labelled?.[1] !== undefined) return labelled[1].trim();
  return prompt.trim();
}

/**
 * The deterministic plan for a request: the five-task authentication plan
 * when the request mentions "authentication", else one task per part of
 * the request split on commas and " and ".
 */
export function simulatedPlan(request: string): Plan {
  const tasks = /\bauthentication\b/i.test(request) ? authenticationTasks(request) : splitTasks(request);
  return { name: clip(request, 60), tasks };
}

/** The planner's answer: one line, then the plan in a ```json fenced block. */
export function planAnswer(prompt: string): string {
  const request = findPlannerRequest(prompt);
  const plan = simulatedPlan(request);
  return `Plan for: ${clip(request, 120)} (simulated)\n\n\`\`\`json\n${JSON.stringify(plan, null, 2)}\n\`\`\``;
}

/** The parallel-execution pattern's example: five independent tasks with disjoint write scopes. */
function authenticationTasks(request: string): TaskSpec[] {
  const endpoint = (id: string, file: string, description: string, work: string): TaskSpec => ({
    id,
    description,
    role: 'backend engineer',
    prompt: `${work}\n\nPart of the request: ${request}`,
    writes: [`src/auth/${file}.ts`, `src/auth/${file}.test.ts`],
  });
  return [
    endpoint('login-endpoint', 'login', 'Login endpoint implementation', 'Implement the login endpoint: check the credentials and issue a session token.'),
    endpoint('registration-endpoint', 'register', 'Registration endpoint implementation', 'Implement the registration endpoint: validate the input, hash the password and create the user.'),
    endpoint('password-reset-endpoint', 'password-reset', 'Password reset endpoint implementation', 'Implement the password reset endpoints: request a reset token and set a new password with it.'),
    endpoint('auth-middleware', 'middleware', 'Auth middleware implementation', 'Implement the middleware that checks the session token and rejects unauthenticated requests.'),
    {
      id: 'integration-tests',
      description: 'Integration test writing',
      role: 'test engineer',
      prompt: `Write integration tests for login, registration, password reset and the auth middleware.\n\nPart of the request: ${request}`,
      writes: ['tests/auth/**'],
    },
  ];
}

function splitTasks(request: string): TaskSpec[] {
  const parts = request
    .split(/\s*,\s*(?:and\s+)?|\s+and\s+/i)
    .map((part) => part.trim().replace(/[.!?]+$/, ''))
    .filter((part) => part !== '');
  if (parts.length === 0) parts.push('handle the request');
  const used = new Set<string>();
  return parts.map((part) => {
    const base = slug(part);
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    const description = part.charAt(0).toUpperCase() + part.slice(1);
    return { id, description, role: 'software engineer', prompt: `${description}.\n\nPart of the request: ${request}` };
  });
}

function slug(text: string): string {
  const value = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 40).replace(/^-+|-+$/g, '');
  return value === '' ? 'task' : value;
}

function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

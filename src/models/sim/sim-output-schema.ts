/**
 * The JSON Schema a prompt asks the answer to follow: the first JSON object
 * after the words "JSON Schema:" (how fanout's role prompt states a task's
 * `outputFormat`, "Reply with only a JSON value that validates against this
 * JSON Schema:" and the schema). Undefined when there is none or it is not
 * valid JSON.
 */
export function outputSchemaInPrompt(text: string): Record<string, unknown> | undefined {
  for (const match of text.matchAll(/JSON Schema:\s*(?=\{)/gi)) {
    const start = (match.index ?? 0) + match[0].length;
    const json = balancedObject(text, start);
    if (json === undefined) continue;
    try {
      const value: unknown = JSON.parse(json);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // prose that happens to follow the words: keep looking
    }
  }
  return undefined;
}

/** The text of the `{…}` starting at `start`, braces inside strings ignored; undefined when it never closes. */
function balancedObject(text: string, start: number): string | undefined {
  let depth = 0;
  let inString = false;
  for (let at = start; at < text.length; at++) {
    const char = text[at];
    if (inString) {
      if (char === '\\') at++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '{') {
      depth++;
    } else if (char === '}') {
      depth--;
      if (depth === 0) return text.slice(start, at + 1);
    }
  }
  return undefined;
}

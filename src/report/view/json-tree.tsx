import type { VNode } from 'preact';

/** A JSON value as a tree: objects and arrays fold open with <details>, leaves show their JSON text. */
export function JsonTree({ value, label }: { value: unknown; label?: string }): VNode {
  const name = label === undefined ? null : <span class="json-key">{label}: </span>;
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value);
    const summary = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
    return (
      <details class="json-node" open={entries.length <= 20}>
        <summary>
          {name}
          <span class="json-count">{summary}</span>
        </summary>
        <ul class="json-children">
          {entries.map(([key, item]) => (
            <li key={key}>
              <JsonTree value={item} label={key} />
            </li>
          ))}
        </ul>
      </details>
    );
  }
  return (
    <span class="json-leaf">
      {name}
      <span class={`json-${value === null ? 'null' : typeof value}`}>{JSON.stringify(value)}</span>
    </span>
  );
}

import type { ComponentChildren, VNode } from 'preact';

/**
 * Markdown rendered as elements, never as HTML: text only ever becomes text
 * nodes, so an output holding `<script>` shows it instead of running it.
 * Covers what model outputs use: headings, paragraphs, lists, block quotes,
 * fenced code, `code`, **bold**, *emphasis* and links (http and https only).
 */
export function Markdown({ text }: { text: string }): VNode {
  return <div class="markdown">{blocks(text.replace(/\r\n?/g, '\n').split('\n'))}</div>;
}

function blocks(lines: readonly string[]): VNode[] {
  const out: VNode[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index] as string;
    const fence = /^\s*(```|~~~)/.exec(line);
    if (fence !== null) {
      const body: string[] = [];
      index += 1;
      while (index < lines.length && !(lines[index] as string).trimStart().startsWith(fence[1] as string)) body.push(lines[index++] as string);
      index += 1;
      out.push(
        <pre>
          <code>{body.join('\n')}</code>
        </pre>,
      );
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading !== null) {
      // Outputs sit under the page's own headings: their levels start at h4.
      const Tag = `h${Math.min(6, 3 + (heading[1] as string).length)}` as 'h4';
      out.push(<Tag>{inline(heading[2] as string)}</Tag>);
      index += 1;
      continue;
    }
    if (/^\s*([-*+]|\d+[.)])\s+/.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const items: VNode[] = [];
      while (index < lines.length && /^\s*([-*+]|\d+[.)])\s+/.test(lines[index] as string)) {
        items.push(<li>{inline((lines[index] as string).replace(/^\s*([-*+]|\d+[.)])\s+/, ''))}</li>);
        index += 1;
      }
      out.push(ordered ? <ol>{items}</ol> : <ul>{items}</ul>);
      continue;
    }
    if (/^\s*>/.test(line)) {
      const quoted: string[] = [];
      while (index < lines.length && /^\s*>/.test(lines[index] as string)) quoted.push((lines[index++] as string).replace(/^\s*>\s?/, ''));
      out.push(<blockquote>{blocks(quoted)}</blockquote>);
      continue;
    }
    if (line.trim() === '') {
      index += 1;
      continue;
    }
    const paragraph: string[] = [];
    while (index < lines.length && (lines[index] as string).trim() !== '' && !/^(#{1,6}\s|\s*```|\s*~~~|\s*>|\s*([-*+]|\d+[.)])\s)/.test(lines[index] as string)) {
      paragraph.push(lines[index++] as string);
    }
    out.push(<p>{inline(paragraph.join('\n'))}</p>);
  }
  return out;
}

const INLINE = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|\[([^\]]+)\]\(([^)\s]+)\)/g;

function inline(text: string): ComponentChildren[] {
  const parts: ComponentChildren[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    const at = match.index ?? 0;
    if (at > last) parts.push(text.slice(last, at));
    const [, code, bold, em, label, href] = match;
    if (code !== undefined) parts.push(<code>{code}</code>);
    else if (bold !== undefined) parts.push(<strong>{bold}</strong>);
    else if (em !== undefined) parts.push(<em>{em}</em>);
    else if (label !== undefined && href !== undefined) {
      parts.push(/^https?:\/\//i.test(href) ? <a href={href} rel="noopener noreferrer">{label}</a> : `${label} (${href})`);
    }
    last = at + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

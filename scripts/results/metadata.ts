/**
 * Writing a template's `metadata.result` back without reformatting the file: templates are laid out by hand (short
 * arrays on one line, nodes one per line), so a JSON.stringify of the whole file would rewrite every line. The
 * scanner below finds the exact span of the top-level `metadata` value; the result is checked with JSON.parse
 * against the intended document, and the whole file is rewritten only when that check fails.
 */
import { renameSync, writeFileSync } from 'node:fs';

/** The index just past the JSON string that starts at `i`. */
function stringEnd(text: string, i: number): number {
  for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
  return i + 1;
}

/** The index just past the JSON value that starts at `i`. */
function valueEnd(text: string, i: number): number {
  if (text[i] === '"') return stringEnd(text, i);
  if (text[i] !== '{' && text[i] !== '[') {
    while (i < text.length && !/[,}\]\s]/.test(text[i])) i++;
    return i;
  }
  let depth = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = stringEnd(text, i);
      continue;
    }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return text.length;
}

/** [start, end) of the value of a top-level key in JSON text, or null. */
function topLevelValueSpan(text: string, key: string): [number, number] | null {
  let depth = 0;
  let lastString: string | null = null;
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      lastString = depth === 1 ? (JSON.parse(text.slice(i, end)) as string) : null;
      i = end;
      continue;
    }
    if (c === ':' && depth === 1) {
      if (lastString === key) {
        let start = i + 1;
        while (/\s/.test(text[start] ?? '')) start++;
        return [start, valueEnd(text, start)];
      }
      lastString = null;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    i++;
  }
  return null;
}

/**
 * The file's text with metadata.result set. Only the metadata object is rewritten (2-space JSON at its nesting
 * level); every other byte stays, so hand-formatted templates keep their layout. Falls back to rewriting the
 * whole file as 2-space JSON when the metadata object cannot be located exactly.
 */
export function withResult(text: string, result: string): string {
  const doc = JSON.parse(text) as Record<string, unknown>;
  const metadata = { ...((doc.metadata as Record<string, unknown> | undefined) ?? { name: 'Untitled', description: '' }), result };
  const expected = { ...doc, metadata };
  if (!('metadata' in doc)) {
    // Put metadata where the editor writes it: after format and version.
    const { format, version, ...rest } = doc;
    return `${JSON.stringify({ format, version, metadata, ...rest }, null, 2)}\n`;
  }
  const span = topLevelValueSpan(text, 'metadata');
  if (span) {
    const lineStart = text.lastIndexOf('\n', span[0]) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
    const block = JSON.stringify(metadata, null, 2).split('\n').join(`\n${indent}`);
    let out = text.slice(0, span[0]) + block + text.slice(span[1]);
    if (!out.endsWith('\n')) out += '\n';
    try {
      if (JSON.stringify(JSON.parse(out)) === JSON.stringify(expected)) return out;
    } catch {
      // fall through
    }
  }
  return `${JSON.stringify(expected, null, 2)}\n`;
}

export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

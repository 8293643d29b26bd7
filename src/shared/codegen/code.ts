/** Small helpers both generators share for laying out code text. */

/** Lines with indentation; `block` indents what its callback adds. */
export class Lines {
  private readonly out: string[] = [];
  private depth = 0;

  constructor(private readonly unit = '    ') {}

  line(text = ''): this {
    this.out.push(text === '' ? '' : this.unit.repeat(this.depth) + text);
    return this;
  }

  lines(texts: Iterable<string>): this {
    for (const t of texts) this.line(t);
    return this;
  }

  block(fn: () => void): this {
    this.depth++;
    try {
      fn();
    } finally {
      this.depth--;
    }
    return this;
  }

  /** Raw text (already indented, possibly several lines). */
  raw(text: string): this {
    this.out.push(...text.replace(/\n$/, '').split('\n'));
    return this;
  }

  toString(): string {
    return `${this.out.join('\n')}\n`;
  }
}

/**
 * Node ids and port names are restricted by the document schema to [A-Za-z0-9_-]; generated comments and
 * docstrings name them. Anything outside that set (a program built by hand) is replaced, so no comment can be
 * ended or bent by a name.
 */
export function commentSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_.\-[\], ]/g, '?');
}

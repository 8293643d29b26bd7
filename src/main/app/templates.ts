/**
 * The template gallery: `templates/*.hnet.json`, summarised with the budget the compiler computes. A template is
 * read only by an id from the listing, so a request can never name another file.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TemplateSummary } from '../../shared/api/contract';
import { compile } from '../../shared/compiler/compile';
import { parseDocument } from '../../shared/document/load';
import { AppError } from './errors';
import { readDocumentText } from './files';

const SUFFIX = '.hnet.json';
/** What a template id may look like (before it is also checked against the listing). */
const TEMPLATE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

export const isTemplateId = (id: string): boolean => TEMPLATE_ID.test(id);

interface Cached {
  mtimeMs: number;
  size: number;
  summary: TemplateSummary;
}

export interface TemplateLibrary {
  list(): TemplateSummary[];
  /** The text of the template `id`; `not_found` unless `id` is in {@link list}. */
  read(id: string): string;
}

export function createTemplateLibrary(dir: string): TemplateLibrary {
  // Compiling every template on each gallery open is cheap but not free; a file's summary changes only with it.
  const cache = new Map<string, Cached>();

  /** id -> file path of every template file, by name order. */
  function files(): Map<string, string> {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return new Map();
    }
    const out = new Map<string, string>();
    for (const name of names.sort()) {
      if (!name.endsWith(SUFFIX)) continue;
      const id = name.slice(0, -SUFFIX.length);
      if (!isTemplateId(id)) continue;
      out.set(id, join(dir, name));
    }
    return out;
  }

  function summarise(id: string, path: string): TemplateSummary | null {
    let st;
    try {
      st = statSync(path);
    } catch {
      return null;
    }
    if (!st.isFile()) return null;
    const hit = cache.get(id);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.summary;
    let text: string;
    try {
      text = readDocumentText(path);
    } catch {
      return null;
    }
    const parsed = parseDocument(text);
    let summary: TemplateSummary;
    if (!parsed.ok) {
      summary = { id, name: id, description: 'This template could not be loaded.', budget: null };
    } else {
      const { metadata } = parsed.doc;
      let budget: TemplateSummary['budget'] = null;
      try {
        const result = compile(parsed.doc);
        if (result.ok && result.budget) budget = result.budget;
      } catch {
        budget = null;
      }
      summary = {
        id,
        name: metadata.name,
        description: metadata.description,
        ...(metadata.citation ? { citation: metadata.citation } : {}),
        ...(metadata.result ? { result: metadata.result } : {}),
        budget,
      };
    }
    cache.set(id, { mtimeMs: st.mtimeMs, size: st.size, summary });
    return summary;
  }

  return {
    list() {
      const out: TemplateSummary[] = [];
      for (const [id, path] of files()) {
        const s = summarise(id, path);
        if (s) out.push(s);
      }
      return out;
    },
    read(id) {
      const path = isTemplateId(id) ? files().get(id) : undefined;
      if (!path) throw new AppError('not_found', `there is no template "${id.slice(0, 100)}"`);
      return readDocumentText(path);
    },
  };
}

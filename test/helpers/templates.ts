/** The gallery's templates as tests use them: as text, edited as JSON, or compiled. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../src/shared/compiler/compile';
import { formatProblem } from '../../src/shared/compiler/errors';
import type { Program } from '../../src/shared/compiler/ir';
import { parseDocument } from '../../src/shared/document/load';
import type { HnetDocument } from '../../src/shared/document/schema';
import { root } from './cli';

export const templatesDir = join(root, 'templates');

/** A template's text, by name (`sinusoid-family` for templates/sinusoid-family.hnet.json). */
export const templateText = (name: string) => readFileSync(join(templatesDir, `${name}.hnet.json`), 'utf8');

/**
 * A document's JSON value as an edit sees it: any path may be read or set, invalid values included (tests make
 * documents the schema refuses), so it is not the document's type.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an edit reaches into the raw JSON anywhere, on purpose past the schema
export type JsonEdit = (doc: Record<string, any>) => void;

/** A template's text after an edit of its JSON value. */
export function editedTemplate(name: string, edit: JsonEdit): string {
  const value = JSON.parse(templateText(name)) as Record<string, unknown>;
  edit(value);
  return JSON.stringify(value, null, 2);
}

/** The compiled program of a document that must compile; the problems otherwise. */
export function compileOk(doc: HnetDocument): Program {
  const r = compile(doc);
  if (!r.ok || !r.program) throw new Error(`does not compile:\n${r.problems.map(formatProblem).join('\n')}`);
  return r.program;
}

/** A template compiled, after an optional edit of its JSON (loaded as the app loads a file). */
export function templateProgram(name: string, edit?: JsonEdit): Program {
  const text = edit ? editedTemplate(name, edit) : templateText(name);
  const parsed = parseDocument(text);
  if (!parsed.ok) throw new Error(`${name} does not load: ${JSON.stringify(parsed.problems)}`);
  return compileOk(parsed.doc);
}

/** A file under test/fixtures (workers that crash, hang or print garbage). */
export const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url);

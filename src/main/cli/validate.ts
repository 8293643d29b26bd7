/**
 * `hnet validate FILE...`: one verdict per file; exit 1 if any is invalid or unreadable. Besides the compiler's
 * checks, the files a data node names are read as a run reads them (the app's `data.probe`): a missing file or a
 * column the header lacks makes the document invalid here, not at the start of a run.
 */
import { dirname, resolve } from 'node:path';
import { formatProblem, type HnetProblem } from '../../shared/compiler/errors';
import type { HnetDocument } from '../../shared/document/schema';
import { probeDocument } from '../engine/data/probe';
import { dataAccessFromFlags, type DataFlags } from './dataFlags';
import { EXIT, budgetText, cannotRead, count, err, loadDocumentFile, out } from './io';

const plural = (n: number, word: string) => `${count(n)} ${word}${n === 1 ? '' : 's'}`;

export interface ValidateFlags extends DataFlags {
  json?: boolean;
  /** `--no-check-data`: skip reading the data files (false). */
  checkData?: boolean;
}

export function validateCommand(files: string[], flags: ValidateFlags): number {
  const access = dataAccessFromFlags(flags, '--allow-data');
  if (typeof access === 'number') return access;
  const dataProblems = (file: string, doc: HnetDocument | undefined): HnetProblem[] =>
    doc && flags.checkData !== false ? probeDocument(doc, { ...access, baseDir: dirname(resolve(file)) }) : [];
  let bad = 0;
  for (const file of files) {
    const loaded = loadDocumentFile(file);
    if (loaded.kind === 'unreadable') {
      bad++;
      if (flags.json) out(JSON.stringify({ file, ok: false, error: `cannot read ${file}: ${loaded.reason}`, problems: [] }));
      else err(cannotRead(file, loaded.reason));
      continue;
    }
    const problems = [...(loaded.kind === 'invalid' ? loaded.problems : []), ...dataProblems(file, loaded.doc)];
    if (problems.length > 0) {
      bad++;
      if (flags.json) {
        out(JSON.stringify({ file, ok: false, problems, warnings: loaded.warnings }));
      } else {
        out(`invalid  ${file}`);
        for (const p of problems) out(`    ${formatProblem(p)}`);
        for (const w of loaded.warnings) out(`    warning: ${w}`);
      }
      continue;
    }
    if (loaded.kind !== 'ok') continue; // unreachable: an invalid document has problems
    const { doc, result, warnings } = loaded;
    if (flags.json) {
      out(JSON.stringify({ file, ok: true, name: doc.metadata.name, nodes: doc.nodes.length, edges: doc.edges.length, budget: result.budget, warnings }));
    } else {
      out(`ok  ${file}  (${plural(doc.nodes.length, 'node')}, ${plural(doc.edges.length, 'edge')}; ${budgetText(result.budget)})`);
      for (const w of warnings) out(`    warning: ${w}`);
    }
  }
  return bad ? EXIT.invalid : EXIT.ok;
}

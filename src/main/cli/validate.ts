/** `hnet validate FILE...`: one verdict per file; exit 1 if any is invalid or unreadable. */
import { formatProblem } from '../../shared/compiler/errors';
import { EXIT, budgetText, cannotRead, count, err, loadDocumentFile, out } from './io';

const plural = (n: number, word: string) => `${count(n)} ${word}${n === 1 ? '' : 's'}`;

export interface ValidateFlags {
  json?: boolean;
}

export function validateCommand(files: string[], flags: ValidateFlags): number {
  let bad = 0;
  for (const file of files) {
    const loaded = loadDocumentFile(file);
    if (loaded.kind === 'unreadable') {
      bad++;
      if (flags.json) out(JSON.stringify({ file, ok: false, error: `cannot read ${file}: ${loaded.reason}`, problems: [] }));
      else err(cannotRead(file, loaded.reason));
      continue;
    }
    if (loaded.kind === 'invalid') {
      bad++;
      if (flags.json) {
        out(JSON.stringify({ file, ok: false, problems: loaded.problems, warnings: loaded.warnings }));
      } else {
        out(`invalid  ${file}`);
        for (const p of loaded.problems) out(`    ${formatProblem(p)}`);
        for (const w of loaded.warnings) out(`    warning: ${w}`);
      }
      continue;
    }
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

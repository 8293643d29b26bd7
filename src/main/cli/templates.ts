/** `hnet templates`: the templates shipped in the repository's templates/ folder, with their budgets. */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatProblem } from '../../shared/compiler/errors';
import { EXIT, budgetText, err, firstSentence, loadDocumentFile, out } from './io';

/** The templates folder, found from this source file so the command works from any working directory. */
export const templatesDir = (): string => fileURLToPath(new URL('../../../templates/', import.meta.url));

export interface TemplatesFlags {
  json?: boolean;
}

export function templatesCommand(flags: TemplatesFlags): number {
  const dir = templatesDir();
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.hnet.json')).sort();
  } catch {
    err(`hnet: cannot read the templates folder ${dir}`);
    return EXIT.invalid;
  }
  for (const file of files) {
    const loaded = loadDocumentFile(`${dir}${file}`);
    const doc = loaded.kind === 'ok' || loaded.kind === 'invalid' ? loaded.doc : undefined;
    const name = doc?.metadata.name ?? file;
    const description = doc ? firstSentence(doc.metadata.description) : '';
    const citation = doc?.metadata.citation ?? null;
    if (flags.json) {
      out(
        JSON.stringify({
          file,
          name,
          description,
          budget: loaded.kind === 'ok' ? loaded.result.budget : null,
          citation,
          ...(loaded.kind === 'ok' ? {} : { problems: loaded.kind === 'invalid' ? loaded.problems.map(formatProblem) : [loaded.reason] }),
        }),
      );
      continue;
    }
    out(`${file}  ${name}`);
    if (description) out(`    ${description}`);
    if (loaded.kind === 'ok') out(`    ${budgetText(loaded.result.budget)}`);
    else if (loaded.kind === 'invalid') out(`    invalid: ${loaded.problems.map(formatProblem).join('; ')}`);
    else out(`    cannot read: ${loaded.reason}`);
    if (citation) out(`    ${citation}`);
    out();
  }
  if (!files.length && !flags.json) out(`no templates in ${dir}`);
  return EXIT.ok;
}

/**
 * The code view's generated files: the pure generators of src/shared/codegen run on the compiled program, one
 * language at a time (only the one shown), memoised per program object. The compile cache hands out the same
 * program object until the graph changes, so showing, switching and re-rendering never generate twice.
 */
import type { ExportMetadata } from '../../../shared/codegen/project';
import { generatePytorch } from '../../../shared/codegen/pytorch';
import { generateTypescript } from '../../../shared/codegen/typescript';
import type { Program } from '../../../shared/compiler/ir';

export type CodeLanguage = 'typescript' | 'python';

export interface CodeFile {
  /** Path in the generated project (`model.py`, `src/train.ts`). */
  path: string;
  text: string;
}

export interface GeneratedCode {
  language: CodeLanguage;
  /** In the order the file list shows them: the model and the training loop first. */
  files: CodeFile[];
}

/** Files people look for first; the rest follow alphabetically. */
const FIRST: Record<CodeLanguage, string[]> = {
  python: ['model.py', 'train.py', 'data.py', 'rng.py', 'README.md', 'requirements.txt'],
  typescript: ['src/model.ts', 'src/train.ts', 'src/data.ts', 'src/ops.ts', 'src/weights.ts', 'src/rng.ts', 'README.md', 'package.json', 'tsconfig.json'],
};

export function orderFiles(language: CodeLanguage, paths: string[]): string[] {
  const first = FIRST[language];
  const rank = (p: string) => {
    const i = first.indexOf(p);
    return i < 0 ? first.length : i;
  };
  return [...paths].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Per program, per language: the last metadata it was generated with and the result. */
const cache = new WeakMap<Program, Map<CodeLanguage, { key: string; code: GeneratedCode }>>();

/** The generated project for `language` (memoised on the program and the metadata). */
export function generateCode(program: Program, language: CodeLanguage, metadata: ExportMetadata): GeneratedCode {
  const key = JSON.stringify([metadata.name ?? '', metadata.description ?? '', metadata.citation ?? '']);
  let byLanguage = cache.get(program);
  if (!byLanguage) cache.set(program, (byLanguage = new Map()));
  const hit = byLanguage.get(language);
  if (hit && hit.key === key) return hit.code;
  const project = language === 'python' ? generatePytorch(program, { metadata }) : generateTypescript(program, { metadata });
  const files = orderFiles(language, Object.keys(project.files)).map((path) => ({ path, text: project.files[path] ?? '' }));
  const code: GeneratedCode = { language, files };
  byLanguage.set(language, { key, code });
  return code;
}

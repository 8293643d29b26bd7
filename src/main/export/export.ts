/**
 * `hnet export`: a program's generated project written to a folder, with the data folder the generated code
 * reads (written from the engine's own loaders). Generators are pure (src/shared/codegen); files happen here.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EXPORT_MARKER, exportMarkerText } from '../../shared/codegen/exportMarker';
import type { ExportMetadata, GeneratedProject } from '../../shared/codegen/project';
import { generatePytorch } from '../../shared/codegen/pytorch';
import { generateTypescript } from '../../shared/codegen/typescript';
import type { Program } from '../../shared/compiler/ir';
import { dataAccessOf, type DataAccess } from '../engine/data/files';
import { writeDataFolder } from './data';
import { ExportFolderNotEmpty, exportFolderConflict } from './folder';

export { ExportFolderNotEmpty } from './folder';

export type ExportTarget = 'tfjs' | 'pytorch';
export const EXPORT_TARGETS: readonly ExportTarget[] = ['tfjs', 'pytorch'];

/** `baseDir` (the document's folder), `dataGrants`, `maxDataBytes`: what the data files may be (engine/data/files.ts). */
export interface ExportOptions extends DataAccess {
  /** Name, description and citation of the document (not part of the IR). */
  metadata?: ExportMetadata;
  /** Seed for splits and evaluation sets; the document's by default. */
  seed?: number;
  /** Skip the data folder (code only). */
  withoutData?: boolean;
  /**
   * Write into a folder that holds files not of an unchanged earlier export (the user's own, or ones edited
   * since). Without it such an export throws ExportFolderNotEmpty before writing anything.
   */
  force?: boolean;
}

export interface ExportResult {
  /** Files written, relative to the output folder. */
  files: string[];
}

/** The generated project for `to`, as file texts (no data). */
export function generateProject(program: Program, to: ExportTarget, metadata?: ExportMetadata): GeneratedProject {
  return to === 'pytorch' ? generatePytorch(program, { metadata }) : generateTypescript(program, { metadata });
}

export function exportProgram(program: Program, to: ExportTarget, outDir: string, opts: ExportOptions = {}): ExportResult {
  const project = generateProject(program, to, opts.metadata);
  if (!opts.force) {
    const conflict = exportFolderConflict(outDir);
    if (conflict) throw new ExportFolderNotEmpty(outDir, conflict);
  }
  const files: string[] = [];
  for (const [path, text] of Object.entries(project.files)) {
    const full = join(outDir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
    files.push(path);
  }
  // The mark that makes this folder an export of ours, which exporting again may replace while nobody edits it.
  // It is written even when the data cannot be read (a refused path, a missing file), so that exporting again
  // once the user has fixed that is not refused as a folder of someone else's files.
  const mark = () =>
    writeFileSync(join(outDir, EXPORT_MARKER), exportMarkerText(to, Object.fromEntries(files.map((f) => [f, readFileSync(join(outDir, f))]))));
  if (!opts.withoutData) {
    try {
      const written = writeDataFolder(program, join(outDir, 'data'), { ...dataAccessOf(opts), seed: opts.seed ?? program.training.seed });
      files.push(...written.files.map((f) => `data/${f}`));
    } catch (e) {
      mark();
      throw e;
    }
  }
  mark();
  files.push(EXPORT_MARKER);
  return { files };
}

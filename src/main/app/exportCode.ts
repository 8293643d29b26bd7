/**
 * `export.toFolder`: the editor's document, compiled here, exported as a standalone tfjs or PyTorch project with
 * its data folder (src/main/export). The data arrays come from the engine's own dataset loaders, which is why
 * export happens in the app and not in the renderer.
 *
 * Where it goes: the folder the user picks (Electron), or, without a dialog (browser mode), a folder beside the
 * document's file, `<document folder>/<document name>-export-<to>/`; a document without a file has nowhere to
 * go then (null: the editor offers a zip of the code instead).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { compile } from '../../shared/compiler/compile';
import { HnetError, formatProblem, type HnetProblem } from '../../shared/compiler/errors';
import type { Program } from '../../shared/compiler/ir';
import { parseDocument } from '../../shared/document/load';
import type { HnetDocument } from '../../shared/document/schema';
import type { DataAccess } from '../engine/data/files';
import { ExportFolderNotEmpty, exportProgram, type ExportTarget } from '../export/export';
import { AppError, ioReason } from './errors';

const MAX_LISTED_PROBLEMS = 20;

export interface ExportRequest {
  documentText: string;
  to: ExportTarget;
  /** The user confirmed writing into a folder that holds other files (see ExportedFolder.notEmpty). */
  overwrite?: boolean;
}

export interface ExportPlace {
  /** A native folder picker (Electron); without one the project goes beside the document. */
  chooseFolder?: (title: string) => Promise<string | null>;
  /** The document's file (absolute), when it has one: relative data paths resolve against its folder. */
  documentPath: string | null;
  /**
   * A native confirmation for a chosen folder that holds other files (Electron): true to write into it anyway.
   * Without one, the export answers `notEmpty` and the editor asks, then sends the request again with `overwrite`.
   */
  confirmOverwrite?: (folder: string, reason: string) => Promise<boolean>;
  /** Folders granted for data files besides the document's, and the size limit (engine/data/files.ts). */
  data?: Omit<DataAccess, 'baseDir'>;
}

export interface ExportedFolder {
  /** Absolute path of the folder written. */
  folder: string;
  /** Files written, relative to `folder` (data files included). */
  files: string[];
  /**
   * Set when nothing was written because the folder holds files not of an unchanged earlier export: why, as a
   * phrase after the folder's name ("is not empty and ..."). Ask the user, then export again with `overwrite`.
   */
  notEmpty?: string;
}

const TARGET_NAME: Record<ExportTarget, string> = { tfjs: 'TypeScript/tfjs', pytorch: 'PyTorch' };

function invalid(problems: HnetProblem[]): AppError {
  const lines = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `  ${formatProblem(p)}`);
  if (problems.length > MAX_LISTED_PROBLEMS) lines.push(`  ... and ${problems.length - MAX_LISTED_PROBLEMS} more`);
  return new AppError('invalid_document', `the document cannot be exported:\n${lines.join('\n')}`);
}

function compileText(text: string): { doc: HnetDocument; program: Program } {
  const parsed = parseDocument(text);
  if (!parsed.ok) throw invalid(parsed.problems);
  let result: ReturnType<typeof compile>;
  try {
    result = compile(parsed.doc);
  } catch (e) {
    throw invalid([{ code: 'HN004', message: `the compiler failed: ${e instanceof Error ? e.message : String(e)}` }]);
  }
  if (!result.ok || !result.program) throw invalid(result.problems);
  return { doc: parsed.doc, program: result.program };
}

/** `model.hnet.json` -> `model` */
export function documentStem(path: string): string {
  return basename(path).replace(/(\.hnet)?\.json$/i, '') || 'document';
}

/** The browser mode's export folder for a document file: `<folder>/<name>-export-<to>`. */
export function exportFolderBeside(documentPath: string, to: ExportTarget): string {
  return join(dirname(documentPath), `${documentStem(documentPath)}-export-${to}`);
}

export async function exportToFolder(req: ExportRequest, place: ExportPlace): Promise<ExportedFolder | null> {
  // A document that does not compile fails before any dialog opens.
  const { doc, program } = compileText(req.documentText);
  let folder: string | null;
  if (place.chooseFolder) {
    folder = await place.chooseFolder(`Export the ${TARGET_NAME[req.to]} project to a folder`);
    if (folder !== null && !isAbsolute(folder)) throw new AppError('internal', 'a shell passed a relative path');
  } else folder = place.documentPath ? exportFolderBeside(place.documentPath, req.to) : null;
  if (!folder) return null;
  if (existsSync(folder) && !statSync(folder).isDirectory()) throw new AppError('io', `cannot export to ${folder}: it is not a folder`);
  const write = (force: boolean) =>
    exportProgram(program, req.to, folder, {
      ...place.data,
      baseDir: place.documentPath ? dirname(place.documentPath) : undefined,
      metadata: { name: doc.metadata.name, description: doc.metadata.description, citation: doc.metadata.citation },
      force,
    });
  try {
    try {
      return { folder, files: write(req.overwrite === true).files };
    } catch (e) {
      if (!(e instanceof ExportFolderNotEmpty)) throw e;
      if (!place.confirmOverwrite) return { folder, files: [], notEmpty: e.reason };
      if (!(await place.confirmOverwrite(folder, e.reason))) return null;
      return { folder, files: write(true).files };
    }
  } catch (e) {
    // Data the document names but that cannot be read (a missing CSV) is the document's problem, not the disk's.
    if (e instanceof HnetError) throw invalid([e.problem]);
    if (e instanceof AppError) throw e;
    throw new AppError('io', `cannot export to ${folder}: ${ioReason(e)}`);
  }
}

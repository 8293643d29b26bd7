/** `hnet export FILE --to tfjs|pytorch --out DIR`: a standalone project generated from the document. */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { HnetError, formatProblem } from '../../shared/compiler/errors';
import { EXPORT_TARGETS, ExportFolderNotEmpty, exportProgram, type ExportTarget } from '../export/export';
import { addDataOptions, dataAccessFromFlags, type DataFlags } from './dataFlags';
import { EXIT, err, loadForCommand, messageOf, out } from './io';

export interface ExportFlags extends DataFlags {
  to: ExportTarget;
  out: string;
  json?: boolean;
  force?: boolean;
}

export function exportCommand(file: string, flags: ExportFlags): number {
  const data = dataAccessFromFlags(flags, '--allow-data');
  if (typeof data === 'number') return data;
  const loaded = loadForCommand(file);
  if (typeof loaded === 'number') return loaded;
  const outDir = resolve(flags.out);
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
    err(`hnet: --out ${flags.out} exists and is not a folder`);
    return EXIT.usage;
  }
  const { doc, result } = loaded;
  try {
    const written = exportProgram(result.program, flags.to, outDir, {
      baseDir: dirname(resolve(file)),
      ...data,
      metadata: { name: doc.metadata.name, description: doc.metadata.description, citation: doc.metadata.citation },
      force: flags.force,
    });
    if (flags.json) out(JSON.stringify({ file, to: flags.to, out: outDir, files: written.files }));
    else {
      out(`exported ${file} (${flags.to}) to ${outDir}: ${written.files.length} files`);
      const next = flags.to === 'pytorch' ? 'python train.py' : 'npm install && npm run train';
      out(`    cd ${outDir} && ${next}`);
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof ExportFolderNotEmpty) {
      err(`hnet: --out ${flags.out} ${e.reason}; nothing was written. Choose another folder, or pass --force to write into it anyway`);
      return EXIT.usage;
    }
    if (e instanceof HnetError) err(`hnet: ${formatProblem(e.problem)}`);
    else err(`hnet: export failed: ${messageOf(e)}`);
    return EXIT.invalid;
  }
}

/** Register `hnet export` on the program. */
export function registerExport(program: Command): void {
  const command = program
    .command('export')
    .description('generate a standalone TypeScript/tfjs or PyTorch project (model, data, training loop)')
    .argument('<file>', 'a *.hnet.json document')
    .addOption(new Option('--to <target>', 'what to generate').choices([...EXPORT_TARGETS]).makeOptionMandatory())
    .requiredOption('--out <dir>', 'folder to write the project to (created if missing)')
    .option('--json', 'print one JSON object describing what was written')
    .option('--force', 'write into a folder that holds other files (or an earlier export edited since), replacing files of the same names');
  addDataOptions(command, '--allow-data').action((file: string, flags: ExportFlags) => {
    process.exitCode = exportCommand(file, flags);
  });
}

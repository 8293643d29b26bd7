/**
 * `hnet runs FILE`: the document's runs as the Train tab's runs table shows them (src/shared/api/runTable.ts):
 * name, status, start, backend, the settings and node parameters that differ between runs, final metrics, time.
 * `--format csv|markdown` writes the table as a file, each run's id and provenance added (a results table made from
 * the recorded runs).
 */
import { resolve } from 'node:path';
import { runsTable, runsTableText, sortRuns } from '../../shared/api/runTable';
import { createRunManager } from '../app/runs/manager';
import { runsDirFor } from '../app/runs/store';
import { EXIT, err, out } from './io';

export interface RunsFlags {
  json?: boolean;
  /** A column key or label to sort by (default: newest first). */
  sort?: string;
  desc?: boolean;
  /** Only the runs of this sweep group. */
  group?: string;
  /** `csv` or `markdown`: the table as a file, with each run's id and provenance. */
  format?: 'text' | 'csv' | 'markdown';
}

export async function runsCommand(file: string, flags: RunsFlags): Promise<number> {
  const root = runsDirFor(resolve(file));
  const manager = createRunManager<void>({ push: () => {}, defaultRoot: root, queueFile: null });
  try {
    let runs = await manager.list(root);
    if (flags.group) runs = runs.filter((r) => r.group?.id === flags.group);
    if (flags.json) {
      for (const r of runs) out(JSON.stringify(r));
      return EXIT.ok;
    }
    if (runs.length === 0) {
      err(`hnet: ${file} has no runs yet (they are kept in ${root})`);
      return EXIT.ok;
    }
    const { columns } = runsTable(runs);
    if (flags.sort) {
      const col = columns.find((c) => c.key === flags.sort || c.label === flags.sort || c.key.endsWith(`:${flags.sort}`));
      if (!col) {
        err(`hnet: --sort ${flags.sort}: no such column; the columns are ${columns.map((c) => c.label).join(', ')}`);
        return EXIT.usage;
      }
      runs = sortRuns(runs, columns, col.key, flags.desc ? 'desc' : 'asc');
    }
    if (flags.format === 'csv' || flags.format === 'markdown') {
      process.stdout.write(runsTableText(runs, flags.format));
      return EXIT.ok;
    }
    const rows = runs.map((r) => columns.map((c) => c.text(r)));
    const widths = columns.map((c, i) => Math.max(c.label.length, ...rows.map((row) => row[i].length)));
    out(columns.map((c, i) => c.label.padEnd(widths[i])).join('  ').trimEnd());
    for (const row of rows) out(row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
    return EXIT.ok;
  } finally {
    await manager.close();
  }
}

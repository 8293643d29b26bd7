/**
 * A file-reading data node's files in the inspector: for each path param a "Choose file…" button (Electron: the
 * app's native dialog; browser mode: a list of the files under the document's folder, which the app keeps inside
 * the workspace), and what the app found there (`data.probe`): the first rows of a CSV with the columns the node
 * uses marked (inputs, target, task), or each IDX file's dimensions.
 */
import { useEffect, useRef } from 'react';
import { create } from 'zustand';
import type { CsvPreview, DataFileListing, DataProbeResult } from '../../../shared/api/data';
import type { NodeType } from '../../../shared/nodes/types';
import { api } from '../api/client';
import { probeNow, probeOf, useDataProbes } from '../store/dataProbe';
import { setParam } from '../store/docOps';
import { useEditor } from '../store/editor';
import { useUi } from '../store/ui';

type Format = 'csv' | 'idx';

const useDataFileDialog = create<{ pending: { listing: DataFileListing; format: Format; resolve: (path: string | null) => void } | null }>()(() => ({ pending: null }));

export const dataFileDialogOpen = (): boolean => useDataFileDialog.getState().pending !== null;

function closeDialog(path: string | null): void {
  const p = useDataFileDialog.getState().pending;
  useDataFileDialog.setState({ pending: null });
  p?.resolve(path);
}

/** Ask the app for a file: the path to write into the param (relative to the document's folder), or null. */
async function chooseFile(format: Format): Promise<string | null> {
  const { handle } = useEditor.getState().file;
  if (api.transport === 'electron') return (await api.invoke('data.choose', { handle, format }))?.path ?? null;
  if (!handle) {
    useUi.getState().notify('info', 'Save the document first: data files are chosen from its folder.');
    return null;
  }
  const listing = await api.invoke('data.list', { handle, format });
  if (!listing) return null;
  return new Promise((resolve) => useDataFileDialog.setState({ pending: { listing, format, resolve } }));
}

export function DataFiles({ id, type }: { id: string; type: NodeType }) {
  const files = type.dataset?.files;
  useDataProbes((s) => s.version);
  const doc = useEditor((s) => s.doc);
  const handle = useEditor((s) => s.file.handle);
  const apply = useEditor((s) => s.apply);
  if (!files) return null;
  const probe: DataProbeResult | undefined = probeOf(doc, handle, id);
  const pick = async (field: string) => {
    try {
      const path = await chooseFile(files.format);
      if (path === null) return;
      apply((d) => setParam(d, id, field, path));
      probeNow();
    } catch (e) {
      useUi.getState().notify('error', `Cannot choose a file: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return (
    <div className="hn-datafiles" data-testid="data-files">
      {files.params.map((field) => {
        const probed = probe?.files.find((f) => f.field === field);
        return (
          <div key={field} className="hn-datafiles__row">
            <button type="button" className="hn-btn" onClick={() => void pick(field)} data-testid={`choose-file-${field}`}>
              Choose file…
            </button>
            <span className="hn-datafiles__field">{field}</span>
            {probed?.dims && (
              <span className="hn-datafiles__dims" data-testid={`data-dims-${field}`}>
                [{probed.dims.join(' × ')}]
              </span>
            )}
          </div>
        );
      })}
      {probe?.csv && <CsvTablePreview preview={probe.csv} />}
      {!probe && <p className="hn-muted">Checking the files…</p>}
    </div>
  );
}

const ROLE_LABEL = { input: 'x', target: 'y', task: 'task', unused: '' } as const;

function CsvTablePreview({ preview }: { preview: CsvPreview }) {
  const { header, rows, roles } = preview;
  return (
    <div className="hn-datafiles__preview" data-testid="data-preview">
      <p className="hn-muted">
        {preview.rowCount} row{preview.rowCount === 1 ? '' : 's'}, {preview.columnCount} column{preview.columnCount === 1 ? '' : 's'}
        {preview.columnCount > header.length ? ` (the first ${header.length} shown)` : ''}; inputs (x) and target (y) marked.
      </p>
      <div className="hn-datafiles__scroll">
        <table className="hn-datatable">
          <thead>
            <tr>
              {header.map((h, c) => (
                <th key={c} className={`is-${roles[c]}`} data-role={roles[c]} data-testid={`data-col-${c}`}>
                  {h}
                  {ROLE_LABEL[roles[c]] && <span className="hn-datatable__role">{ROLE_LABEL[roles[c]]}</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                {r.map((cell, c) => (
                  <td key={c} className={`is-${roles[c] ?? 'unused'}`}>
                    {cell}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** Browser mode's file picker: the files under the document's folder that fit the node's format. */
export function DataFileDialog() {
  const pending = useDataFileDialog((s) => s.pending);
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!pending) return;
    first.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        closeDialog(null);
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [pending]);
  if (!pending) return null;
  const { listing, format } = pending;
  return (
    <div className="hn-overlay" onMouseDown={(e) => e.target === e.currentTarget && closeDialog(null)}>
      <div className="hn-dialog hn-opendialog" role="dialog" aria-modal="true" aria-labelledby="hn-datafile-title" data-testid="data-file-dialog">
        <h2 id="hn-datafile-title">Choose a {format === 'csv' ? 'CSV' : 'IDX'} file</h2>
        <p>
          Files in the document&apos;s folder <b>{listing.folder}</b> and its subfolders.
        </p>
        {listing.files.length === 0 ? (
          <p className="hn-muted" data-testid="data-file-empty">
            There are no {format === 'csv' ? '*.csv' : 'IDX'} files beside the document.
          </p>
        ) : (
          <ul className="hn-opendialog__list hn-datafiles__list">
            {listing.files.map((f, i) => (
              <li key={f.path}>
                <button type="button" ref={i === 0 ? first : undefined} className="hn-opendialog__item" title={f.path} data-testid={`data-file-${f.path}`} onClick={() => closeDialog(f.path)}>
                  {f.path} <span className="hn-muted">({f.size.toLocaleString('en')} bytes)</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        {listing.truncated && <p className="hn-muted">The folder has more files than the list shows.</p>}
        <div className="hn-dialog__buttons">
          <button type="button" className="hn-btn" onClick={() => closeDialog(null)} data-testid="data-file-cancel">
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}

/**
 * The browser mode's workspace dialogs: the name prompt of Save (a new document becomes `NAME.hnet.json` in the
 * workspace) and the Open list of the workspace's documents, subfolders included. Both are plain React
 * (no native dialogs in a browser); names are checked as they are typed with the rule the app enforces.
 */
import { useEffect, useRef, useState } from 'react';
import { create } from 'zustand';
import { DOCUMENT_SUFFIX, documentNameProblem, type WorkspaceEntry, type WorkspaceListing } from '../../../shared/api/workspace';

type Pending =
  | { kind: 'name'; suggested: string; workspace: string; resolve: (name: string | null) => void }
  | { kind: 'open'; listing: WorkspaceListing; resolve: (choice: WorkspaceEntry | 'upload' | null) => void };

const useWorkspaceDialog = create<{ pending: Pending | null }>()(() => ({ pending: null }));

function close(): void {
  const p = useWorkspaceDialog.getState().pending;
  useWorkspaceDialog.setState({ pending: null });
  p?.resolve(null);
}

/** Whether a workspace dialog is showing (the editor's shortcuts wait meanwhile). */
export const workspaceDialogOpen = (): boolean => useWorkspaceDialog.getState().pending !== null;

/** Ask for a new document's name; null when cancelled. `workspace` is the folder's name, shown to the user. */
export function askDocumentName(suggested: string, workspace: string): Promise<string | null> {
  close();
  return new Promise((resolve) => useWorkspaceDialog.setState({ pending: { kind: 'name', suggested, workspace, resolve } }));
}

/** Show the workspace's documents; the chosen one, 'upload' for a file from this computer, or null. */
export function chooseWorkspaceDocument(listing: WorkspaceListing): Promise<WorkspaceEntry | 'upload' | null> {
  close();
  return new Promise((resolve) => useWorkspaceDialog.setState({ pending: { kind: 'open', listing, resolve } }));
}

function finish<T>(resolve: (v: T) => void, value: T): void {
  useWorkspaceDialog.setState({ pending: null });
  resolve(value);
}

function useEscape(active: boolean): void {
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        close();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [active]);
}

export function WorkspaceDialogs() {
  const pending = useWorkspaceDialog((s) => s.pending);
  useEscape(pending !== null);
  if (!pending) return null;
  return pending.kind === 'name' ? <NameDialog key="name" pending={pending} /> : <OpenDialog key="open" pending={pending} />;
}

function NameDialog({ pending }: { pending: Extract<Pending, { kind: 'name' }> }) {
  const [name, setName] = useState(pending.suggested);
  const [touched, setTouched] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  const problem = documentNameProblem(name);
  const submit = () => {
    setTouched(true);
    if (problem === null) finish(pending.resolve, name.trim());
  };
  return (
    <div className="hn-overlay">
      <form
        className="hn-dialog hn-namedialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="hn-name-title"
        data-testid="save-name-dialog"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <h2 id="hn-name-title">Save the document</h2>
        <p>
          It is saved in the workspace <b>{pending.workspace}</b>, on the machine running <code>hnet serve</code>.
        </p>
        <label className="hn-namedialog__field">
          <span>Name</span>
          <span className="hn-namedialog__row">
            <input
              ref={input}
              type="text"
              value={name}
              spellCheck={false}
              maxLength={200}
              aria-invalid={touched && problem !== null}
              aria-describedby="hn-name-error"
              data-testid="save-name-input"
              onChange={(e) => {
                setName(e.target.value);
                setTouched(true);
              }}
            />
            <span className="hn-muted">{name.toLowerCase().endsWith(DOCUMENT_SUFFIX) ? '' : DOCUMENT_SUFFIX}</span>
          </span>
        </label>
        <p id="hn-name-error" className="hn-error-text hn-namedialog__error" data-testid="save-name-error" role={touched && problem ? 'alert' : undefined}>
          {touched && problem ? `Name: ${problem}` : ' '}
        </p>
        <div className="hn-dialog__buttons">
          <button type="button" className="hn-btn" onClick={close} data-testid="save-name-cancel">
            Cancel
          </button>
          <button type="submit" className="hn-btn hn-btn--primary" disabled={problem !== null} data-testid="save-name-ok">
            Save
          </button>
        </div>
      </form>
    </div>
  );
}

function OpenDialog({ pending }: { pending: Extract<Pending, { kind: 'open' }> }) {
  const { listing } = pending;
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);
  // Grouped by folder, the workspace itself first.
  const folders = new Map<string, WorkspaceEntry[]>();
  for (const d of listing.documents) folders.set(d.folder, [...(folders.get(d.folder) ?? []), d]);
  const order = [...folders.keys()].sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  let firstItem = true;
  return (
    <div className="hn-overlay" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className="hn-dialog hn-opendialog" role="dialog" aria-modal="true" aria-labelledby="hn-open-title" data-testid="open-dialog">
        <h2 id="hn-open-title">Open a document</h2>
        <p>
          Documents in the workspace <b>{listing.name}</b> and its subfolders.
        </p>
        {listing.documents.length === 0 ? (
          <p className="hn-muted" data-testid="open-empty">
            There are no *.hnet.json documents in the workspace yet.
          </p>
        ) : (
          <div className="hn-opendialog__list" data-testid="open-list">
            {order.map((folder) => (
              <section key={folder} className="hn-opendialog__folder" data-testid={`open-folder-${folder || '.'}`}>
                <h3>{folder ? `${folder}/` : `${listing.name}/`}</h3>
                <ul>
                  {folders.get(folder)!.map((d) => {
                    const isFirst = firstItem;
                    firstItem = false;
                    return (
                      <li key={d.path}>
                        <button type="button" ref={isFirst ? first : undefined} className="hn-opendialog__item" title={d.path} data-testid={`open-item-${d.path}`} onClick={() => finish(pending.resolve, d)}>
                          {d.name}
                        </button>
                      </li>
                    );
                  })}
                </ul>
              </section>
            ))}
          </div>
        )}
        {listing.truncated && <p className="hn-muted">The workspace has more documents than the list shows.</p>}
        <div className="hn-dialog__buttons">
          <button type="button" className="hn-btn" onClick={() => finish(pending.resolve, 'upload')} data-testid="open-upload">
            From this computer…
          </button>
          <button type="button" className="hn-btn" onClick={close} data-testid="open-cancel">
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}

/** Modal dialogs, notices and the draft-recovery banner. Every text is rendered as text, never as HTML. */
import { useEffect, useRef } from 'react';
import { SHORTCUTS, shortcutText, type CommandId } from '../commands';
import { discardDraft, recoverDraft } from '../files';
import { useUi } from '../store/ui';

export function Dialog() {
  const dialog = useUi((s) => s.dialog);
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!dialog) return;
    first.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        useUi.getState().closeDialog('cancel');
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [dialog]);
  if (!dialog) return null;
  const primary = dialog.buttons.find((b) => b.primary) ?? dialog.buttons[dialog.buttons.length - 1];
  return (
    <div className="hn-overlay">
      <div className="hn-dialog" role="alertdialog" aria-modal="true" aria-labelledby="hn-dialog-title" data-testid={dialog.testId ?? 'dialog'}>
        <h2 id="hn-dialog-title">{dialog.title}</h2>
        {dialog.intro && <p>{dialog.intro}</p>}
        {dialog.lines && dialog.lines.length > 0 && (
          <ul className="hn-dialog__lines" data-testid="dialog-lines">
            {dialog.lines.map((l, i) => (
              <li key={i}>{l}</li>
            ))}
          </ul>
        )}
        <div className="hn-dialog__buttons">
          {dialog.buttons.map((b) => (
            <button
              key={b.value}
              type="button"
              ref={b === primary ? first : undefined}
              className={`hn-btn${b.primary ? ' hn-btn--primary' : ''}${b.danger ? ' hn-btn--danger' : ''}`}
              onClick={() => useUi.getState().closeDialog(b.value)}
              data-testid={`dialog-${b.value}`}
            >
              {b.label}
            </button>
          ))}
        </div>
      </div>
    </div>
  );
}

export function HelpDialog() {
  const open = useUi((s) => s.helpOpen);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') useUi.getState().set({ helpOpen: false });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  if (!open) return null;
  // One row per command, with all its keys.
  const rows = new Map<CommandId, { label: string; keys: string[] }>();
  for (const s of SHORTCUTS) {
    const r = rows.get(s.command) ?? { label: s.label, keys: [] };
    r.keys.push(shortcutText(s));
    rows.set(s.command, r);
  }
  const close = () => useUi.getState().set({ helpOpen: false });
  return (
    <div className="hn-overlay" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className="hn-dialog hn-help" role="dialog" aria-modal="true" aria-labelledby="hn-help-title" data-testid="help-dialog">
        <h2 id="hn-help-title">Keyboard shortcuts</h2>
        <table>
          <tbody>
            {[...rows.values()].map((r) => (
              <tr key={r.label}>
                <td>{r.label}</td>
                <td>
                  {r.keys.map((k) => (
                    <kbd key={k}>{k}</kbd>
                  ))}
                </td>
              </tr>
            ))}
            <tr>
              <td>Select several nodes</td>
              <td>
                <kbd>Shift</kbd>+click, or <kbd>Shift</kbd>+drag a box
              </td>
            </tr>
            <tr>
              <td>Wire ports</td>
              <td>drag from an output (right) to an input (left)</td>
            </tr>
          </tbody>
        </table>
        <p className="hn-muted">Single-letter shortcuts work when no text field has the focus.</p>
        <div className="hn-dialog__buttons">
          <button type="button" className="hn-btn hn-btn--primary" onClick={close}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}

export function Notices() {
  const notices = useUi((s) => s.notices);
  return (
    <div className="hn-notices" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`hn-notice is-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'} data-testid="notice">
          <span>{n.text}</span>
          <button type="button" className="hn-icon-btn" aria-label="Dismiss" onClick={() => useUi.getState().dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

export function DraftsBanner() {
  const drafts = useUi((s) => s.drafts);
  if (!drafts.length) return null;
  return (
    <div className="hn-drafts" role="status" data-testid="drafts-banner">
      <span className="hn-drafts__title">Unsaved work from an earlier session:</span>
      {drafts.slice(0, 3).map((d) => (
        <span key={d.id} className="hn-drafts__item">
          <b>{d.name}</b> <span className="hn-muted">{formatTime(d.savedAt)}</span>
          <button type="button" className="hn-btn hn-btn--small hn-btn--primary" onClick={() => void recoverDraft(d.id)}>
            Recover
          </button>
          <button type="button" className="hn-btn hn-btn--small" onClick={() => void discardDraft(d.id)}>
            Discard
          </button>
        </span>
      ))}
      {drafts.length > 3 && <span className="hn-muted">and {drafts.length - 3} more</span>}
      <button type="button" className="hn-icon-btn" aria-label="Hide" onClick={() => useUi.getState().set({ drafts: [] })}>
        ×
      </button>
    </div>
  );
}

function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

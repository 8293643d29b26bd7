/** The header: file actions, edit history, layout and view, theme, gallery, help, and the save state. */
import { runCommand, SHORTCUTS, shortcutText, type CommandId } from '../commands';
import { isDirty, useEditor } from '../store/editor';
import { useUi } from '../store/ui';
import { Icon, Logo, type IconName } from './icons';

function keyFor(command: CommandId): string {
  const s = SHORTCUTS.find((x) => x.command === command);
  return s ? ` (${shortcutText(s)})` : '';
}

function ToolButton({ command, icon, label, disabled, testId, text }: { command: CommandId; icon: IconName; label: string; disabled?: boolean; testId?: string; text?: string }) {
  return (
    <button
      type="button"
      className={`hn-tool${text ? ' has-text' : ''}`}
      onClick={() => runCommand(command)}
      disabled={disabled}
      title={`${label}${keyFor(command)}`}
      aria-label={label}
      data-testid={testId ?? `tool-${command}`}
    >
      <Icon name={icon} />
      {text && <span>{text}</span>}
    </button>
  );
}

export function SaveStatus() {
  const dirty = useEditor(isDirty);
  const activity = useEditor((s) => s.saveActivity);
  const everSaved = useEditor((s) => s.everSaved);
  let text: string;
  let kind: string;
  if (activity.kind === 'saving') [text, kind] = ['Saving…', 'saving'];
  else if (activity.kind === 'failed') [text, kind] = [`Save failed: ${activity.message}`, 'failed'];
  else if (dirty) [text, kind] = ['Unsaved changes', 'dirty'];
  else if (everSaved) [text, kind] = ['Saved', 'saved'];
  else [text, kind] = ['Not saved yet', 'new'];
  return (
    <span className={`hn-save-status is-${kind}`} data-testid="save-status" role="status" title={text}>
      <span className="hn-save-status__dot" aria-hidden />
      {text}
    </span>
  );
}

export function Toolbar() {
  const canUndo = useEditor((s) => s.past.length > 0);
  const canRedo = useEditor((s) => s.future.length > 0);
  const name = useEditor((s) => s.doc.metadata.name || 'Untitled');
  const fileName = useEditor((s) => s.file.name);
  const theme = useUi((s) => s.theme);
  const mode = useUi((s) => s.mode);
  const showPalette = useUi((s) => s.showPalette);
  const showInspector = useUi((s) => s.showInspector);
  const showDock = useUi((s) => s.showDock);
  return (
    <header className="hn-toolbar" role="toolbar" aria-label="Editor toolbar">
      <div className="hn-brand">
        <Logo />
        <span className="hn-brand__name">Hypernet Studio</span>
      </div>
      <div className="hn-toolbar__group">
        <ToolButton command="new" icon="new" label="New document" />
        <ToolButton command="open" icon="open" label="Open…" />
        <ToolButton command="save" icon="save" label="Save" />
        <ToolButton command="saveAs" icon="saveAs" label="Save as…" />
        {mode === 'browser' && <ToolButton command="downloadCopy" icon="download" label="Download a copy" />}
      </div>
      <div className="hn-toolbar__group">
        <ToolButton command="undo" icon="undo" label="Undo" disabled={!canUndo} />
        <ToolButton command="redo" icon="redo" label="Redo" disabled={!canRedo} />
      </div>
      <div className="hn-toolbar__group">
        <ToolButton command="quickAdd" icon="plus" label="Add a node" />
        <ToolButton command="autoLayout" icon="layout" label="Auto-layout" />
        <ToolButton command="fitView" icon="fit" label="Fit view" />
      </div>
      <div className="hn-toolbar__doc" title={fileName ? `${name} — ${fileName}` : name}>
        <span className="hn-toolbar__name" data-testid="doc-title">
          {name}
        </span>
        {fileName && <span className="hn-toolbar__file">{fileName}</span>}
        <SaveStatus />
      </div>
      <div className="hn-toolbar__group">
        <ToolButton command="newFromTemplate" icon="gallery" label="Templates" text="Templates" testId="tool-gallery" />
      </div>
      <div className="hn-toolbar__group">
        <button type="button" className={`hn-tool${showPalette ? ' is-on' : ''}`} aria-pressed={showPalette} title="Show or hide the palette" aria-label="Palette" onClick={() => runCommand('togglePalette')}>
          <Icon name="panelLeft" />
        </button>
        <button type="button" className={`hn-tool${showDock ? ' is-on' : ''}`} aria-pressed={showDock} title="Show or hide the problems panel" aria-label="Problems panel" onClick={() => runCommand('toggleProblems')}>
          <Icon name="panelBottom" />
        </button>
        <button type="button" className={`hn-tool${showInspector ? ' is-on' : ''}`} aria-pressed={showInspector} title="Show or hide the inspector" aria-label="Inspector" onClick={() => runCommand('toggleInspector')}>
          <Icon name="panelRight" />
        </button>
      </div>
      <div className="hn-toolbar__group">
        <ToolButton command="toggleTheme" icon={theme === 'dark' ? 'sun' : 'moon'} label={theme === 'dark' ? 'Light theme' : 'Dark theme'} testId="theme-toggle" />
        <ToolButton command="shortcuts" icon="help" label="Keyboard shortcuts" />
      </div>
    </header>
  );
}

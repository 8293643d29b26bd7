/**
 * Quick add ("/" or Ctrl/Cmd+K on the canvas, a double-click on it, "Add node here", or a wire dropped on empty
 * canvas): search node types by keyboard, Enter adds the highlighted one. From a dropped wire the search lists
 * only the types with a port the wire can join, and the new node is wired to it.
 */
import { useEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import { addNodeOfType } from '../commands';
import { CATEGORY_TITLES, compatiblePort, getNodeType, searchNodeTypes, summary } from '../store/catalog';
import { connect, connectionProblem } from '../store/docOps';
import { useEditor } from '../store/editor';
import { useUi, type QuickAddContext } from '../store/ui';

/** Add a node of `typeId` where quick add was opened, and wire it to the dropped wire's port if there was one. */
export function addFromQuickAdd(typeId: string, ctx: QuickAddContext | null): string {
  const type = getNodeType(typeId);
  const wire = ctx?.wire;
  // A wire from an output puts the new node to the right of the drop point; from an input, to the left.
  const at = ctx?.at && (wire?.type === 'target' ? { x: ctx.at.x - 230, y: ctx.at.y - 40 } : wire ? { x: ctx.at.x + 10, y: ctx.at.y - 40 } : ctx.at);
  const id = addNodeOfType(typeId, at);
  if (!wire || !type) return id;
  const port = compatiblePort(type, wire.type, wire.kind);
  if (!port) return id;
  const c =
    wire.type === 'source'
      ? { source: wire.nodeId, sourceHandle: wire.handle, target: id, targetHandle: port.name }
      : { source: id, sourceHandle: port.name, target: wire.nodeId, targetHandle: wire.handle };
  const s = useEditor.getState();
  const why = connectionProblem(s.doc, c);
  if (why) useUi.getState().notify('warn', `Added ${id}, but could not wire it: ${why}`);
  else s.apply((d) => connect(d, c), { select: [id] });
  return id;
}

export function QuickAdd() {
  const open = useUi((s) => s.quickAddOpen);
  if (!open) return null;
  return <QuickAddDialog />;
}

function QuickAddDialog() {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const ctx = useUi((s) => s.quickAddContext);
  const wire = ctx?.wire;
  const matches = useMemo(
    () => searchNodeTypes(query).filter((t) => !wire || compatiblePort(t, wire.type, wire.kind) !== undefined).slice(0, 12),
    [query, wire],
  );
  const close = () => useUi.getState().set({ quickAddOpen: false });

  useEffect(() => input.current?.focus(), []);
  useEffect(() => setActive(0), [query]);

  const choose = (i: number) => {
    const t = matches[i];
    if (!t) return;
    close();
    addFromQuickAdd(t.id, ctx);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      close();
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => Math.min(a + 1, matches.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      choose(active);
    }
  };

  // Opened at a point, the search shows there (kept on screen); otherwise at the top.
  const style: CSSProperties | undefined = ctx?.screen
    ? { position: 'fixed', left: Math.max(8, Math.min(ctx.screen.x, window.innerWidth - 520)), top: Math.max(8, Math.min(ctx.screen.y, window.innerHeight - 420)) }
    : undefined;
  return (
    <div className="hn-overlay hn-overlay--top" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className="hn-quickadd" role="dialog" aria-label="Add a node" data-testid="quick-add" onKeyDown={onKeyDown} style={style}>
        {wire && (
          <div className="hn-quickadd__for" data-testid="quick-add-for">
            Node types that can {wire.type === 'source' ? 'take' : 'drive'} {wire.nodeId}.{wire.handle} ({wire.kind})
          </div>
        )}
        <input
          ref={input}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Add a node: type to search, Enter to add, Esc to close"
          aria-label="Search node types to add"
          data-testid="quick-add-search"
          spellCheck={false}
        />
        <ul role="listbox">
          {matches.map((t, i) => (
            <li
              key={t.id}
              data-testid={`quick-add-${t.id}`}
              role="option"
              aria-selected={i === active}
              className={`cat-${t.category}${i === active ? ' is-active' : ''}`}
              onMouseEnter={() => setActive(i)}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(i);
              }}
            >
              <span className="hn-palette__swatch" />
              <span className="hn-quickadd__title">{t.title}</span>
              <span className="hn-quickadd__cat">{CATEGORY_TITLES[t.category]}</span>
              <span className="hn-quickadd__doc">{summary(t.doc, 90)}</span>
            </li>
          ))}
          {!matches.length && <li className="hn-muted">No node type {wire ? 'with a port for this wire ' : ''}matches.</li>}
        </ul>
      </div>
    </div>
  );
}

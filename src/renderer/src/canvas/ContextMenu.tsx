/**
 * The canvas's context menus: on a node (duplicate, delete, make block, enter or ungroup a block, disconnect) and
 * on the canvas (add node here, paste, auto-layout, fit view, leave the block). Each item runs the same command
 * the toolbar and the keyboard do. Closes on Escape, a click elsewhere or a scroll.
 */
import { useEffect, useRef } from 'react';
import { isBlock } from '../../../shared/document/blocks';
import { autoLayout, canBypass, canPaste, deleteSelection, disconnectSelection, duplicate, makeBlockOfSelection, paste, toggleBypass, ungroup } from '../commands';
import { currentLevel, useEditor } from '../store/editor';
import { useUi, type MenuSpec } from '../store/ui';
import { fitView } from './view';

interface Item {
  id: string;
  label: string;
  hint?: string;
  run: () => void;
  disabled?: boolean;
  danger?: boolean;
}

function nodeItems(menu: MenuSpec): Item[] {
  const s = useEditor.getState();
  const id = menu.nodeId!;
  const node = s.doc.nodes.find((n) => n.id === id);
  if (!node) return [];
  const many = s.selectedNodes.size > 1;
  const items: Item[] = [];
  if (isBlock(node)) {
    items.push({
      id: 'enter',
      label: 'Open block',
      hint: 'Double-click',
      run: () => {
        s.enterBlock(id);
        requestAnimationFrame(() => fitView(undefined, false));
      },
    });
    items.push({ id: 'ungroup', label: 'Ungroup', hint: 'Ctrl+Shift+G', run: () => ungroup(id) });
  }
  items.push(
    { id: 'duplicate', label: many ? `Duplicate ${s.selectedNodes.size} nodes` : 'Duplicate', hint: 'Ctrl+D', run: duplicate },
    { id: 'make-block', label: many ? `Make a block of ${s.selectedNodes.size} nodes` : 'Make a block', hint: 'Ctrl+G', run: makeBlockOfSelection },
    { id: 'disconnect', label: 'Disconnect all wires', run: disconnectSelection },
    ...(canBypass(node)
      ? [{ id: 'bypass', label: node.bypass ? 'Stop bypassing' : 'Bypass (pass the input through)', run: () => toggleBypass(id) }]
      : []),
    { id: 'delete', label: many ? `Delete ${s.selectedNodes.size} nodes` : 'Delete', hint: 'Del', run: deleteSelection, danger: true },
  );
  return items;
}

function canvasItems(menu: MenuSpec): Item[] {
  const s = useEditor.getState();
  const items: Item[] = [
    { id: 'add', label: 'Add node here…', hint: '/ or double-click', run: () => useUi.getState().openQuickAdd({ at: menu.flow, screen: { x: menu.x, y: menu.y } }) },
    { id: 'paste', label: 'Paste', hint: 'Ctrl+V', run: () => paste(menu.flow), disabled: !canPaste() },
    { id: 'layout', label: 'Auto-layout', hint: 'L', run: () => void autoLayout() },
    { id: 'fit', label: 'Fit view', hint: 'F', run: () => fitView() },
  ];
  if (currentLevel(s) !== undefined) items.push({ id: 'leave', label: 'Leave block', hint: 'Ctrl+Backspace', run: () => s.leaveTo(s.blockPath.length - 1) });
  return items;
}

export function ContextMenu() {
  const menu = useUi((s) => s.menu);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!menu) return;
    const close = (e: Event) => {
      if (e instanceof MouseEvent && ref.current?.contains(e.target as Node)) return;
      useUi.getState().set({ menu: null });
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && useUi.getState().set({ menu: null });
    window.addEventListener('mousedown', close);
    window.addEventListener('wheel', close, { passive: true });
    window.addEventListener('keydown', onKey);
    ref.current?.querySelector<HTMLButtonElement>('button:not([disabled])')?.focus();
    return () => {
      window.removeEventListener('mousedown', close);
      window.removeEventListener('wheel', close);
      window.removeEventListener('keydown', onKey);
    };
  }, [menu]);
  if (!menu) return null;
  const items = menu.nodeId ? nodeItems(menu) : canvasItems(menu);
  const style = { left: Math.min(menu.x, window.innerWidth - 250), top: Math.min(menu.y, window.innerHeight - items.length * 34 - 16) };
  return (
    <div className="hn-menu" role="menu" ref={ref} style={style} data-testid={menu.nodeId ? 'node-menu' : 'canvas-menu'} onContextMenu={(e) => e.preventDefault()}>
      {items.map((it) => (
        <button
          key={it.id}
          type="button"
          role="menuitem"
          className={`hn-menu__item${it.danger ? ' is-danger' : ''}`}
          disabled={it.disabled}
          data-testid={`menu-${it.id}`}
          onClick={() => {
            useUi.getState().set({ menu: null });
            it.run();
          }}
        >
          <span>{it.label}</span>
          {it.hint && <kbd>{it.hint}</kbd>}
        </button>
      ))}
    </div>
  );
}

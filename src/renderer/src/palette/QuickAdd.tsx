/** Quick add ("/" or Ctrl/Cmd+K on the canvas): search node types by keyboard, Enter adds the highlighted one. */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { addNodeOfType } from '../commands';
import { CATEGORY_TITLES, searchNodeTypes, summary } from '../store/catalog';
import { useUi } from '../store/ui';

export function QuickAdd() {
  const open = useUi((s) => s.quickAddOpen);
  if (!open) return null;
  return <QuickAddDialog />;
}

function QuickAddDialog() {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const matches = useMemo(() => searchNodeTypes(query).slice(0, 12), [query]);
  const close = () => useUi.getState().set({ quickAddOpen: false });

  useEffect(() => input.current?.focus(), []);
  useEffect(() => setActive(0), [query]);

  const choose = (i: number) => {
    const t = matches[i];
    if (!t) return;
    close();
    addNodeOfType(t.id);
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

  return (
    <div className="hn-overlay hn-overlay--top" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className="hn-quickadd" role="dialog" aria-label="Add a node" data-testid="quick-add" onKeyDown={onKeyDown}>
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
          {!matches.length && <li className="hn-muted">No node type matches.</li>}
        </ul>
      </div>
    </div>
  );
}

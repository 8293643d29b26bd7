/**
 * The node palette: every node type grouped by category, with a search over title, id and documentation.
 * Enter (or a click) adds the first match at the middle of the view; types can also be dragged onto the canvas.
 */
import { memo, useMemo, useState, type DragEvent, type KeyboardEvent } from 'react';
import { PALETTE_MIME } from '../canvas/Canvas';
import { addNodeOfType } from '../commands';
import { CATEGORIES, CATEGORY_TITLES, searchNodeTypes, summary, type NodeType } from '../store/catalog';

function onDragStart(e: DragEvent, type: string) {
  e.dataTransfer.setData(PALETTE_MIME, type);
  e.dataTransfer.effectAllowed = 'copy';
}

const PaletteItem = memo(function PaletteItem({ type, first }: { type: NodeType; first: boolean }) {
  return (
    <li>
      <button
        type="button"
        className={`hn-palette__item cat-${type.category}${first ? ' is-first' : ''}`}
        draggable
        onDragStart={(e) => onDragStart(e, type.id)}
        onClick={() => addNodeOfType(type.id)}
        title={`${type.title} (${type.id}): ${summary(type.doc, 400)}`}
        data-testid={`palette-${type.id}`}
      >
        <span className="hn-palette__swatch" />
        <span className="hn-palette__text">
          <span className="hn-palette__title">{type.title}</span>
          <span className="hn-palette__id">{type.id}</span>
        </span>
      </button>
    </li>
  );
});

export function Palette() {
  const [query, setQuery] = useState('');
  const matches = useMemo(() => searchNodeTypes(query), [query]);
  const searching = query.trim() !== '';

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter' && matches[0]) {
      e.preventDefault();
      addNodeOfType(matches[0].id);
    } else if (e.key === 'Escape') {
      setQuery('');
      (e.target as HTMLInputElement).blur();
    }
  };

  return (
    <aside className="hn-palette" aria-label="Node palette">
      <div className="hn-panel__title">Nodes</div>
      <div className="hn-palette__search">
        <input
          type="search"
          placeholder="Search nodes…  (Enter adds)"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={onKeyDown}
          data-testid="palette-search"
          aria-label="Search node types"
          spellCheck={false}
        />
      </div>
      <div className="hn-palette__list">
        {searching ? (
          matches.length ? (
            <ul>
              {matches.map((t, i) => (
                <PaletteItem key={t.id} type={t} first={i === 0} />
              ))}
            </ul>
          ) : (
            <p className="hn-muted hn-palette__none">No node type matches “{query}”.</p>
          )
        ) : (
          CATEGORIES.map((c) => {
            const types = matches.filter((t) => t.category === c);
            if (!types.length) return null;
            return (
              <section key={c} className="hn-palette__group">
                <h3 className={`cat-${c}`}>{CATEGORY_TITLES[c]}</h3>
                <ul>
                  {types.map((t) => (
                    <PaletteItem key={t.id} type={t} first={false} />
                  ))}
                </ul>
              </section>
            );
          })
        )}
      </div>
    </aside>
  );
}

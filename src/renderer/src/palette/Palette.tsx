/**
 * The node palette: every node type grouped by category, with a search over title, id and documentation.
 * Enter (or a click) adds the first match at the middle of the view; types can also be dragged onto the canvas.
 */
import { memo, useEffect, useMemo, useState, type DragEvent, type KeyboardEvent } from 'react';
import type { LibraryBlock } from '../../../shared/api/contract';
import { api } from '../api/client';
import { BLOCK_MIME, PALETTE_MIME } from '../canvas/Canvas';
import { addNodeOfType, insertLibraryBlock, LIBRARY_CHANGED, setLibrary } from '../commands';
import { useUi } from '../store/ui';
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

/** The block library (shipped blocks, then the user's), listed again when a block is saved. */
function useLibrary(): LibraryBlock[] {
  const [blocks, setBlocks] = useState<LibraryBlock[]>([]);
  useEffect(() => {
    let live = true;
    const load = () =>
      api
        .invoke('blocks.list', {})
        .then((b) => {
          setLibrary(b);
          if (live) setBlocks(b);
        })
        .catch(() => undefined);
    void load();
    window.addEventListener(LIBRARY_CHANGED, load);
    return () => {
      live = false;
      window.removeEventListener(LIBRARY_CHANGED, load);
    };
  }, []);
  return blocks;
}

function insert(id: string) {
  insertLibraryBlock(id).catch((e) => useUi.getState().notify('error', e instanceof Error ? e.message : String(e)));
}

const BlockItem = memo(function BlockItem({ block }: { block: LibraryBlock }) {
  return (
    <li>
      <button
        type="button"
        className="hn-palette__item cat-block"
        draggable
        onDragStart={(e) => {
          e.dataTransfer.setData(BLOCK_MIME, block.id);
          e.dataTransfer.effectAllowed = 'copy';
        }}
        onClick={() => insert(block.id)}
        title={`${block.name} (${block.source === 'shipped' ? 'shipped with the app' : 'your block library'}): ${block.description}`}
        data-testid={`palette-block-${block.id}`}
      >
        <span className="hn-palette__swatch" />
        <span className="hn-palette__text">
          <span className="hn-palette__title">{block.name}</span>
          <span className="hn-palette__id">{block.source === 'shipped' ? 'block' : 'my block'}</span>
        </span>
      </button>
    </li>
  );
});

export function Palette() {
  const [query, setQuery] = useState('');
  const matches = useMemo(() => searchNodeTypes(query), [query]);
  const searching = query.trim() !== '';
  const library = useLibrary();
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const blocks = library.filter((b) => words.every((w) => `${b.name} ${b.description}`.toLowerCase().includes(w)));

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
          matches.length || blocks.length ? (
            <ul>
              {matches.map((t, i) => (
                <PaletteItem key={t.id} type={t} first={i === 0} />
              ))}
              {blocks.map((b) => (
                <BlockItem key={b.id} block={b} />
              ))}
            </ul>
          ) : (
            <p className="hn-muted hn-palette__none">No node type matches “{query}”.</p>
          )
        ) : (
          <>
            {CATEGORIES.map((c) => {
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
            })}
            {blocks.length > 0 && (
              <section className="hn-palette__group" data-testid="palette-blocks">
                <h3 className="cat-block">Blocks</h3>
                <ul>
                  {blocks.map((b) => (
                    <BlockItem key={b.id} block={b} />
                  ))}
                </ul>
              </section>
            )}
          </>
        )}
      </div>
    </aside>
  );
}

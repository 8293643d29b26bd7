/**
 * The template gallery: a card per template with its name, description, citation, parameter budget and the
 * result it reaches. Opening one makes a new, unsaved document.
 */
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { newDocument, openDocument, openTemplate } from '../files';
import { compact, ratio } from '../panels/BudgetBar';
import { useEditor } from '../store/editor';
import type { TemplateSummary } from '../store/types';
import { inline } from '../ui/Markdown';
import { useUi } from '../store/ui';

type Load = { state: 'loading' } | { state: 'ok'; templates: TemplateSummary[] } | { state: 'error'; message: string };

export function Gallery() {
  const open = useUi((s) => s.galleryOpen);
  if (!open) return null;
  return <GalleryDialog />;
}

function GalleryDialog() {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const hasNodes = useEditor((s) => s.doc.nodes.length > 0);
  const close = () => useUi.getState().set({ galleryOpen: false });

  useEffect(() => {
    let live = true;
    api
      .invoke('templates.list', {})
      .then((templates) => live && setLoad({ state: 'ok', templates }))
      .catch((e: unknown) => live && setLoad({ state: 'error', message: e instanceof Error ? e.message : String(e) }));
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="hn-overlay" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className="hn-gallery" role="dialog" aria-modal="true" aria-labelledby="gallery-title" data-testid="gallery">
        <header className="hn-gallery__head">
          <div>
            <h2 id="gallery-title">Start from a template</h2>
            <p className="hn-muted">Each template reproduces a published hypernetwork. Opening one creates a new, unsaved document.</p>
          </div>
          <div className="hn-gallery__actions">
            <button type="button" className="hn-btn" onClick={() => void openDocument()}>
              Open file…
            </button>
            <button
              type="button"
              className="hn-btn"
              data-testid="gallery-blank"
              onClick={() => {
                close();
                if (hasNodes) void newDocument();
              }}
            >
              {hasNodes ? 'New empty graph' : 'Start with an empty graph'}
            </button>
            <button type="button" className="hn-icon-btn" aria-label="Close the gallery" onClick={close}>
              ×
            </button>
          </div>
        </header>
        <div className="hn-gallery__grid">
          {load.state === 'loading' && <p className="hn-muted">Loading templates…</p>}
          {load.state === 'error' && <p className="hn-error-text">Could not list the templates: {load.message}</p>}
          {load.state === 'ok' && load.templates.length === 0 && <p className="hn-muted">No templates are installed.</p>}
          {load.state === 'ok' &&
            load.templates.map((t) => (
              <article key={t.id} className="hn-card" data-testid={`template-${t.id}`}>
                <h3>{t.name}</h3>
                <div className="hn-card__desc">{inline(t.description.replace(/\s*\n\s*/g, ' '))}</div>
                {t.citation && <p className="hn-card__cite">{t.citation}</p>}
                <dl className="hn-card__budget">
                  {t.budget ? (
                    <>
                      <div>
                        <dt>Hypernetwork</dt>
                        <dd>{compact(t.budget.hyper)}</dd>
                      </div>
                      <div>
                        <dt>Generated</dt>
                        <dd>{compact(t.budget.generated)}</dd>
                      </div>
                      <div>
                        <dt>Ordinary</dt>
                        <dd>{compact(t.budget.ordinary)}</dd>
                      </div>
                      <div>
                        <dt title="Compression: hypernetwork parameters ÷ generated parameters">Ratio</dt>
                        <dd>{ratio(t.budget)}</dd>
                      </div>
                    </>
                  ) : (
                    <div>
                      <dt>Budget</dt>
                      <dd>not compiled</dd>
                    </div>
                  )}
                </dl>
                {t.result && (
                  <p className="hn-card__result">
                    <span>Result</span> {t.result}
                  </p>
                )}
                <button type="button" className="hn-btn hn-btn--primary" data-testid={`open-template-${t.id}`} onClick={() => void openTemplate(t.id, t.name)}>
                  Open template
                </button>
              </article>
            ))}
        </div>
      </div>
    </div>
  );
}

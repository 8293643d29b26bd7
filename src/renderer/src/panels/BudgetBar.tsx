/**
 * The parameter budget, always visible (SPEC 2): what the hypernetwork costs, what it generates, what the target
 * owns, and the compression ratio with a sentence saying which way it reads. When the graph does not compile, the last known values stay, greyed.
 */
import type { Budget } from '../../../shared/compiler/budget';
import { useCompiled } from '../store/compiled';
import { useUi } from '../store/ui';

export function compact(n: number): string {
  if (n < 10_000) return n.toLocaleString('en');
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 2 : 1)}M`;
}

export function ratio(b: Budget): string {
  if (b.compression === null) return '–';
  const c = b.compression;
  return c >= 100 ? `${Math.round(c)}×` : c >= 10 ? `${c.toFixed(1)}×` : `${c.toFixed(2)}×`;
}

/** The ratio as a sentence that says which way it reads. */
export function ratioSentence(b: Budget): string {
  if (b.compression === null) return 'nothing is generated, so there is no ratio';
  const r = ratio(b);
  return b.compression < 1
    ? `the hypernetwork is ${r} the weights it generates (${(1 / b.compression).toFixed(1)}× smaller)`
    : `the hypernetwork is ${r} the weights it generates`;
}

function Stat({ label, value, title, testId, kind }: { label: string; value: string; title: string; testId: string; kind: string }) {
  return (
    <div className={`hn-budget__stat ${kind}`} title={title}>
      <span className="hn-budget__label">{label}</span>
      <span className="hn-budget__value" data-testid={testId}>
        {value}
      </span>
    </div>
  );
}

export function BudgetBar() {
  const { result, lastBudget } = useCompiled();
  const toggleDock = () => useUi.getState().set({ showDock: true, dockTab: 'problems' });
  const ok = result.ok && result.budget;
  const b = ok ? result.budget! : lastBudget;
  const n = result.problems.length;
  const total = b ? b.hyper + b.ordinary : null;
  return (
    <footer className={`hn-budget${ok ? '' : ' is-stale'}`} data-testid="budget-bar" aria-label="Parameter budget">
      <span className="hn-budget__title">Parameters</span>
      <Stat kind="hyper" label="Hypernetwork" value={b ? compact(b.hyper) : '—'} title={b ? `${b.hyper.toLocaleString('en')} trainable parameters in heads, context encoders and embeddings` : 'not known until the graph compiles'} testId="budget-hyper" />
      <Stat kind="generated" label="Generated" value={b ? compact(b.generated) : '—'} title={b ? `${b.generated.toLocaleString('en')} target parameters produced by heads (one weight set)` : 'not known until the graph compiles'} testId="budget-generated" />
      <Stat kind="ordinary" label="Ordinary" value={b ? compact(b.ordinary) : '—'} title={b ? `${b.ordinary.toLocaleString('en')} target parameters trained as ordinary weights` : 'not known until the graph compiles'} testId="budget-ordinary" />
      <Stat
        kind="ratio"
        label="Hypernetwork ÷ generated"
        value={b ? ratio(b) : '—'}
        title={b ? `${ratioSentence(b)} (hypernetwork parameters ÷ generated parameters; below 1× it is smaller than what it generates)` : 'not known until the graph compiles'}
        testId="budget-compression"
      />
      {b && (
        // Said in words, visibly: "67.7×" alone does not say which way the ratio reads.
        <span className="hn-budget__sentence" data-testid="budget-ratio-sentence">
          {ratioSentence(b)}
        </span>
      )}
      {total !== null && (
        <span className="hn-budget__total" title="everything that is trained">
          {total.toLocaleString('en')} trainable
        </span>
      )}
      <span className="hn-budget__spacer" />
      {n > 0 ? (
        <button type="button" className="hn-budget__problems" onClick={toggleDock} data-testid="budget-problems">
          {ok ? '' : b ? 'last compiled values · ' : ''}
          {n} problem{n === 1 ? '' : 's'}
        </button>
      ) : (
        <span className="hn-budget__ok">compiles</span>
      )}
    </footer>
  );
}

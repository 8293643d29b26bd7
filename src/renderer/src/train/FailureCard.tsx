import { useEffect, useState } from 'react';
import type { CheckpointInfo, RunHistory, RunOverrides, RunSummary } from '../../../shared/api/runs';
import { focusNode } from '../canvas/view';
import { useEditor } from '../store/editor';
import { failureAdvice, type FailedStatus } from './failure';

/** Select a node the engine blamed and centre the canvas on it (as the Problems panel does), if it still exists. */
function showNode(id: string): void {
  const s = useEditor.getState();
  if (s.doc.nodes.some((n) => n.id === id)) s.setSelection(new Set([id]), new Set());
  focusNode(id);
}

/** The run's learning rate divided by ten: where a retry after a divergence starts. */
function lowerRate(summary: RunSummary | null | undefined): string {
  const lr = summary?.settings.optimizer.learningRate;
  return lr ? String(Number((lr / 10).toPrecision(3))) : '';
}

/**
 * Why the run ended badly, the node the engine blames (click to show it on the canvas), and the newest
 * checkpoint to continue from (at a learning rate ten times lower, prefilled, when the loss diverged), or what to do
 * without one (./failure.ts says what fits each way a run ends).
 */
export function FailureCard(props: {
  status: FailedStatus;
  error: RunHistory['error'];
  message: string | null;
  checkpoint: CheckpointInfo | undefined;
  summary: RunSummary | null | undefined;
  busy: boolean;
  onResume(cp: CheckpointInfo, overrides: RunOverrides): void;
}) {
  const { status, error: err, checkpoint } = props;
  const [rate, setRate] = useState(() => (status === 'diverged' ? lowerRate(props.summary) : ''));
  const runId = props.summary?.id;
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the suggestion resets when the run or its status changes, not on each push of its summary (a new object every time), which would overwrite what the user typed
  useEffect(() => setRate(status === 'diverged' ? lowerRate(props.summary) : ''), [runId, status]);
  const lr = Number(rate);
  const advice = failureAdvice(status, lowerRate(props.summary));
  const rateOk = rate.trim() === '' || (Number.isFinite(lr) && lr > 0 && lr <= 10);
  return (
    <div className="hn-train__failure" role="alert" data-testid="train-failure">
      <div>
        <strong className="hn-train__failure-title">{advice.title}</strong>
        {err?.step !== undefined && <span> at step {err.step}</span>}
        {err?.node && (
          <>
            {' '}in node{' '}
            <button type="button" className="hn-train__link hn-train__node" onClick={() => showNode(err.node!)} title="Select this node on the canvas" data-testid="train-failure-node">
              {err.node}
              {err.port ? `.${err.port}` : ''}
            </button>
          </>
        )}
      </div>
      <div className="hn-train__failure-message" data-testid="train-failure-message">
        {err?.message ?? props.message ?? 'the run ended.'}
      </div>
      {checkpoint ? (
        <form
          className="hn-train__failure-resume"
          onSubmit={(e) => {
            e.preventDefault();
            if (rateOk) props.onResume(checkpoint, rate.trim() === '' ? {} : { learningRate: lr });
          }}
        >
          <label>
            {advice.rateLabel}{' '}
            <input
              value={rate}
              placeholder="as before"
              onChange={(e) => setRate(e.target.value)}
              inputMode="decimal"
              aria-invalid={!rateOk}
              data-testid="train-resume-lr"
            />
          </label>
          <button type="submit" className="hn-btn hn-btn--primary" disabled={props.busy || !rateOk} data-testid="train-resume-checkpoint">
            Resume from checkpoint (step {checkpoint.step})
          </button>
        </form>
      ) : (
        <div className="hn-train__muted" data-testid="train-failure-advice">
          {advice.noCheckpoint}
        </div>
      )}
    </div>
  );
}

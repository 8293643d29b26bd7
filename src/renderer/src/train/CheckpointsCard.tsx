import type { CheckpointInfo } from '../../../shared/api/runs';

/** An ended run's checkpoints, newest first: export the weights (the project's format, or safetensors), or resume from any of them. */
export function CheckpointsCard(props: {
  checkpoints: CheckpointInfo[];
  /** Where the weights were last written, with their files and step; null before an export. */
  exported: string | null;
  busy: boolean;
  onExport(format: 'hnet' | 'safetensors'): void;
  onResume(cp: CheckpointInfo): void;
}) {
  const { checkpoints, exported } = props;
  return (
    <div className="hn-train__card" data-testid="train-checkpoints">
      <div className="hn-train__card-title">
        Checkpoints{' '}
        <button type="button" className="hn-btn" disabled={props.busy || checkpoints.length === 0} onClick={() => props.onExport('hnet')} data-testid="train-export">
          Export weights
        </button>
        <button
          type="button"
          className="hn-btn"
          disabled={props.busy || checkpoints.length === 0}
          onClick={() => props.onExport('safetensors')}
          title="One .safetensors file: the hypernetwork's parameters and the weights it generates for each trained task, with the document, seed and metrics in its metadata"
          data-testid="train-export-safetensors"
        >
          Export safetensors
        </button>
      </div>
      {exported && (
        <div className="hn-train__muted" data-testid="train-exported">
          Written to {exported}
        </div>
      )}
      <ul className="hn-train__cps">
        {checkpoints.map((c) => (
          <li key={c.name}>
            step {c.step} · {new Date(c.savedAt).toLocaleTimeString()} · {(c.bytes / 1024).toFixed(0)} KB{' '}
            <button type="button" className="hn-train__link" onClick={() => props.onResume(c)}>
              resume from here
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

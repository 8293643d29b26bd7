/**
 * A run's trained weights as one safetensors file (src/main/engine/safetensors.ts): the hypernetwork's parameters
 * from a checkpoint under their canonical names, the weights it generates for each task as
 * `generated/task<k>/<node>.<port>`, and a `__metadata__` saying what they are. The app's `run.exportWeights`
 * and `hnet train --save-safetensors` both write it with {@link writeRunSafetensors}.
 */
import { createHash } from 'node:crypto';
import type { GeneratedTensors, Provenance } from '../../../shared/api/runs';
import type { Program } from '../../../shared/compiler/ir';
import { decode, type Checkpoint } from '../../engine/checkpoint';
import { writeSafetensors } from '../../engine/safetensors';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The largest document kept whole in a safetensors file's metadata; a bigger one is named by its hash. */
const MAX_METADATA_DOCUMENT = 1_000_000;

/**
 * A safetensors file's `__metadata__` (string to string, as the format asks): what the weights are, the run's
 * document (whole, or its sha256 when over 1 MB), seed, step, final metrics and provenance, and the layout.
 */
export function safetensorsMetadata(a: {
  documentText: string;
  /** The run: its id (or what names it, `hnet train`), its name, seed, final metrics and provenance. */
  record: { id: string; name: string; seed: number; metrics: Record<string, number>; provenance: Provenance | null };
  step: number;
  generatedFor: number[];
  notes: string[];
  contexts: string[];
}): Record<string, string> {
  const r = a.record;
  return {
    format: 'hypernet-studio-weights',
    version: '1',
    layout:
      "the engine's: Dense kernels [in, out], Conv2D kernels [kh, kw, in, out]; hypernetwork parameters under their canonical names, generated weights as generated/task<k>/<node>.<port>",
    run: r.id,
    name: r.name,
    seed: String(r.seed),
    step: String(a.step),
    metrics: JSON.stringify(r.metrics),
    generated_for_tasks: JSON.stringify(a.generatedFor),
    ...(a.contexts.length ? { generated_contexts: JSON.stringify(a.contexts) } : {}),
    ...(a.notes.length ? { notes: a.notes.join('; ') } : {}),
    ...(r.provenance
      ? {
          app_version: r.provenance.appVersion,
          document_sha256: r.provenance.documentHash,
          graph_sha256: r.provenance.graphHash,
          ...(r.provenance.dataHash ? { data_sha256: r.provenance.dataHash } : {}),
        }
      : {}),
    document: a.documentText.length <= MAX_METADATA_DOCUMENT ? a.documentText : `(over 1 MB; sha256 ${sha256(a.documentText)})`,
  };
}

/** Write `path`: the checkpoint's parameters and the generated weights, with {@link safetensorsMetadata}. */
export function writeRunSafetensors(
  path: string,
  a: { program: Program; checkpoint: Checkpoint; generated: GeneratedTensors; tasks: number[]; documentText: string; record: Parameters<typeof safetensorsMetadata>[0]['record'] },
): void {
  const params = a.program.params.map((p) => ({ name: p.name, shape: p.shape, values: decode(a.checkpoint.params[p.name]) }));
  writeSafetensors(
    path,
    [...params, ...a.generated.tensors.map((t) => ({ name: `generated/task${t.task}/${t.target}`, shape: t.shape, values: t.values }))],
    safetensorsMetadata({
      documentText: a.documentText,
      record: a.record,
      step: a.checkpoint.step,
      generatedFor: a.tasks,
      notes: a.generated.notes,
      contexts: [...new Set(a.generated.tensors.map((t) => `task ${t.task}: ${t.context}`))],
    }),
  );
}

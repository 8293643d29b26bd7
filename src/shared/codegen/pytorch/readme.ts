/**
 * README.md of the PyTorch export: what each file is and how to train, evaluate and move weights. Its own module
 * because it is prose, not code: user strings (name, description, citation) go through markdownText.
 */
import type { Program } from '../../compiler/ir';
import { Lines } from '../code';
import type { ExportMetadata } from '../project';
import { readmeHeading } from '../readme';

export function readme(program: Program, metadata: ExportMetadata): string {
  const name = metadata.name ?? program.name;
  const L = new Lines();
  readmeHeading(L, name, 'PyTorch', metadata);
  L.raw(String.raw`Exported from Hypernet Studio. For the same parameters and inputs this code computes what the Hypernet
Studio engine computes (activations are channels-last, as in the engine).

## Files

- model.py: one nn.Module per hypernetwork node, Target (the network that uses generated weights; it takes
  them as a dict keyed by "<layer>.<port>", per-sample weights included), and Model, which composes them with
  the losses and metrics. PARAMETERS lists every parameter under its canonical name ("<node>.<param>").
- ops.py: the ops PyTorch has no one call for (TensorFlow's "same" padding, channels-last convolution and
  pooling, FiLM, ...), computed as the engine computes them.
- parameters.py: initialisation (the engine's, hyperfan included) and the weights.json + weights.bin format.
- data.py, data/: the dataset as the engine feeds it (training splits, evaluation batches), and rng.py, the
  engine's seeded generator, so batches and initial values follow the engine's streams.
- train.py: the training loop, printing JSON lines in the schema of "hnet train --json".
- constants.py: settings and file versions shared with Hypernet Studio.

## Use

    pip install -r requirements.txt
    python train.py                                 # the document's settings, CPU or CUDA
    python train.py --steps 200 --seed 3 --device cuda --save out/
    python train.py --init-from weights/ --steps 0  # evaluate weights saved by "hnet train FILE --save weights/"
    torchrun --nproc_per_node=2 train.py            # DistributedDataParallel: gradients averaged over ranks

In one process, Ctrl-C stops after the current step: the model is evaluated (and saved with --save) and the done
event says "stopped": true. --event-every N prints a step event every N steps (about 200 per run by default).

Under torchrun each rank draws its own batches and rank 0 prints the events; --save-all-ranks makes every rank
save to SAVE/rank<r> (to check that the replicas agree). Debian's python3-torch 1.13 on Python 3.11 cannot
parse torchrun's default --redirects/--tee; add "--redirects 9:1 --tee 9:1" there (no redirection for any rank).

Weights move between Hypernet Studio, this project and the TypeScript export as weights.json (names, shapes,
offsets) plus weights.bin (float32, little-endian): load_hnet_weights and save_hnet_weights in model.py.

The data folder was written with the document's seed: a different --seed changes initialisation and the order
of batches, not the train/test split. Dropout and noise draw from PyTorch's generator, not the engine's.
`);
  return L.toString();
}

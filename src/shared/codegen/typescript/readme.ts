/**
 * README.md of the TypeScript export: what each file is and how to install, type-check and train. Its own module
 * because it is prose, not code: user strings (name, description, citation) go through markdownText.
 */
import type { Program } from '../../compiler/ir';
import { Lines } from '../code';
import type { ExportMetadata } from '../project';
import { readmeHeading } from '../readme';

export function readme(program: Program, metadata: ExportMetadata): string {
  const L = new Lines();
  readmeHeading(L, metadata.name ?? program.name, 'TensorFlow.js', metadata);
  L.raw(String.raw`Exported from Hypernet Studio: the same model, data and training loop as the Hypernet Studio engine, as a
standalone TypeScript project.

## Files

- src/model.ts: every parameter as a tf.Variable under its canonical name ("<node>.<param>") and forward(), one
  statement per op, named after the graph's nodes. Generated weights are keyed "<layer>.<port>".
- src/ops.ts, src/conv2d.ts: the ops forward() uses, the very code the Hypernet Studio engine runs (channels-last
  images, TensorFlow padding); src/init.ts: the engine's initialisation (hyperfan included); src/types.ts.
- src/data.ts, data/: the dataset as the engine feeds it; src/rng.ts: the engine's seeded generator.
- src/train.ts: runs src/trainer.ts, the training loop, printing JSON lines in the schema of "hnet train --json".
- src/weights.ts: weights.json + weights.bin, the format shared with Hypernet Studio and the PyTorch export;
  src/formats.ts, src/constants.ts: the versions and settings shared with it.

## Use

    npm install
    npm run typecheck
    npm run train                                  # the graph's settings
    npm run train -- --steps 200 --seed 3 --save out/
    npm run train -- --init-from weights/ --steps 0  # evaluate weights saved by "hnet train FILE --save weights/"

Install @tensorflow/tfjs-node next to it for the native backend; train.ts uses it when present.
The data folder was written with the graph's seed: a different --seed changes initialisation and the order of
batches, not the train/test split.
`);
  return L.toString();
}

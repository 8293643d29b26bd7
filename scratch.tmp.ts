import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { useBackend } from './src/main/engine/backend';
import { openDataset } from './src/main/engine/data';
import { Model } from './src/main/engine/runtime';
import { withFeeds } from './src/main/engine/train';
import { compile } from './src/shared/compiler/compile';
import { parseDocument } from './src/shared/document/load';
import { Rng } from './src/shared/util/rng';
await useBackend('cpu');
const r = parseDocument(readFileSync(process.argv[2], 'utf8')); if (!r.ok) throw 1;
const program = compile(r.doc).program!;
const seed = 1;
const data = openDataset(program.data.type, program.data.params, { seed, node: program.data.node });
const tasks = Array.from({ length: data.tasks }, (_, i) => i).slice(0, 32);
const perTask = Math.max(1, Math.ceil(4 / tasks.length));
const batches = tasks.flatMap((task) => { const rr = new Rng(seed).fork(`init${task}`); return Array.from({ length: perTask }, () => data.trainBatch(task, program.training.batchSize, rr)); });
const model = new Model(program, seed);
withFeeds(program, batches, (feeds) => model.initHyperfan(feeds));
for (const [name, v] of model.vars) {
  const d = v.dataSync(); let s = 0; for (const x of d) s += x * x;
  console.log(name, v.shape.join('x'), 'rms', Math.sqrt(s / d.length).toExponential(3));
  if (name.endsWith('chunk_embeddings')) { const [c, e] = v.shape; const norms = Array.from({ length: c }, (_, i) => Math.sqrt(d.slice(i * e, (i + 1) * e).reduce((a, b) => a + b * b, 0) / e)); console.log('  row rms min', Math.min(...norms).toFixed(3), 'max', Math.max(...norms).toFixed(3), 'median', norms.sort()[Math.floor(c/2)].toFixed(3)); }
}

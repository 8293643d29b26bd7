/** The parameter budget (SPEC 2): what the hypernetwork costs against what it generates. */
import type { Program } from './ir';
import { sizeOf } from './shape';

export interface Budget {
  /** Trainable parameters of hypernetworks, context encoders and embeddings. */
  hyper: number;
  /** Target parameters produced by heads (one weight set). */
  generated: number;
  /** Target parameters trained as ordinary weights. */
  ordinary: number;
  /** hyper / generated; below 1 the hypernetwork is smaller than what it generates. Null when nothing is generated. */
  compression: number | null;
}

export function parameterBudget(program: Pick<Program, 'params' | 'generated'>): Budget {
  let hyper = 0;
  let ordinary = 0;
  for (const p of program.params) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    if (p.role === 'target') ordinary += n;
    else hyper += n;
  }
  const generated = program.generated.reduce((a, g) => a + sizeOf(g.perSample ? g.shape.slice(1) : g.shape), 0);
  return { hyper, generated, ordinary, compression: generated > 0 ? hyper / generated : null };
}

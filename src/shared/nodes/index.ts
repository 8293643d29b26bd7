/** The node registry: every node type, looked up by its stable id. */
import { ConstantContext } from './context/constant';
import { ConvEncoder } from './context/convEncoder';
import { LearnedVector } from './context/learnedVector';
import { MlpEncoder } from './context/mlpEncoder';
import { NoiseContext } from './context/noise';
import { TaskEmbedding } from './context/taskEmbedding';
import { dataNodes } from './data';
import { ChunkedHead } from './heads/chunked';
import { FilmHead } from './heads/film';
import { HaStaticHead } from './heads/haStatic';
import { LinearHead } from './heads/linear';
import { LowRankHead } from './heads/lowRank';
import { MlpHead } from './heads/mlp';
import { BinaryCrossEntropy } from './objectives/bce';
import { CrossEntropy } from './objectives/crossEntropy';
import { L2Weights } from './objectives/l2Weights';
import { AccuracyMetric, MseMetric, PsnrMetric } from './objectives/metrics';
import { MseLoss } from './objectives/mse';
import { OutputRegularizer } from './objectives/outputRegularizer';
import { Probe } from './probe';
import { ActivationLayer } from './targets/activation';
import { Add } from './targets/add';
import { Concat } from './targets/concat';
import { Conv2D } from './targets/conv2d';
import { Dense } from './targets/dense';
import { Dropout } from './targets/dropout';
import { FilmApply } from './targets/film';
import { Flatten } from './targets/flatten';
import { LayerNorm } from './targets/layerNorm';
import { Pool } from './targets/pool';
import { Reshape } from './targets/reshape';
import { CATEGORIES, type Category, type NodeType } from './types';

export const nodeTypes: readonly NodeType[] = [
  ...dataNodes,
  TaskEmbedding,
  LearnedVector,
  MlpEncoder,
  ConvEncoder,
  NoiseContext,
  ConstantContext,
  LinearHead,
  MlpHead,
  ChunkedHead,
  LowRankHead,
  HaStaticHead,
  FilmHead,
  Dense,
  Conv2D,
  Pool,
  Flatten,
  Reshape,
  ActivationLayer,
  Dropout,
  LayerNorm,
  Add,
  Concat,
  FilmApply,
  CrossEntropy,
  MseLoss,
  BinaryCrossEntropy,
  L2Weights,
  OutputRegularizer,
  AccuracyMetric,
  MseMetric,
  PsnrMetric,
  Probe,
] as unknown as NodeType[];

const byId = new Map(nodeTypes.map((t) => [t.id, t]));

export function getNodeType(id: string): NodeType | undefined {
  return byId.get(id);
}

/**
 * The category a type id belongs to, also for an id this version does not know (a typo, a newer document's):
 * ids are `<category>.<name>`, so an unknown `data.…` still says the document meant a dataset.
 *
 * @example categoryOfId('data.mnist') === 'data'; categoryOfId('objective.typo') === 'objective'
 */
export function categoryOfId(id: string): Category | undefined {
  return getNodeType(id)?.category ?? CATEGORIES.find((c) => id.startsWith(`${c}.`));
}

export type { NodeType } from './types';

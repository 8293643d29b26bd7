/**
 * What a node type is. Each type is declared once, in its own file under src/shared/nodes/, with its ports,
 * its parameter schema (defaults and UI hints included), its documentation, its shape rule and its lowering to
 * program IR. The palette, the inspector, the compiler and both code generators all read this declaration.
 */
import type { z } from 'zod';
import type { DatasetSpec, DType, Init, MetricKind, OpBody, ParamRole, ValueId } from '../compiler/ir';
import type { ErrorCode } from '../compiler/errors';
import type { Shape } from '../compiler/shape';

/** The categories in palette order. A type id is `<category>.<name>` (the probe's is `probe` alone). */
export const CATEGORIES = ['data', 'context', 'head', 'target', 'objective', 'metric', 'probe'] as const;

export type Category = (typeof CATEGORIES)[number];

/**
 * tensor: activations with a batch dimension. weights: one parameter tensor of one target layer.
 * task: the id of the task a batch belongs to. any: a probe's input.
 */
export type PortKind = 'tensor' | 'weights' | 'task' | 'any';

export interface PortDecl {
  name: string;
  kind: PortKind;
  doc: string;
  optional?: boolean;
}

/** What flows on a wire, as shape inference sees it. */
export type ValueInfo =
  | { kind: 'tensor'; shape: Shape; dtype: DType }
  | { kind: 'task'; count: number }
  /** A head's output: `size` numbers per weight set, one set per sample when perSample. */
  | { kind: 'weights'; perSample: boolean; size: number };

/**
 * How a target parameter is initialised when it is owned, and what a head aims for when it generates it:
 * fan: N(0, 1/fanIn) (a fan-in initialisation) unless the declaration sets its own `variance`, zeros, ones.
 */
export type WeightInit = 'fan' | 'zeros' | 'ones';

export interface WeightDecl {
  port: string;
  shape: number[];
  init: WeightInit;
  fanIn: number;
  fanOut: number;
  /**
   * `fan` only: the variance the layer prescribes for each element (a SIREN layer's depends on its ω₀), used
   * instead of 1/fanIn (or 1/fanOut under hyperfan-out). Owned, the weight is drawn from U(±sqrt(3·variance)).
   */
  variance?: number;
  /**
   * The order a head fills this parameter in, when it differs from the parameter's own: the head generates it
   * as `shape` (the layout PyTorch's own module holds it in, as hypnettorch and the PyTorch export do: a Dense
   * kernel as [out, in], a Conv2D kernel as [out, in, kh, kw]), then transposes it by `perm` into the
   * parameter's shape. So a chunk of a chunked head holds whole units' input weights, not a strip of a few
   * inputs across all units. Absent: generated in the parameter's own order (biases, 1-D tensors).
   *
   * @example Dense kernel [in, units]: `{ shape: [units, in], perm: [1, 0] }`
   */
  order?: GenerationOrder;
}

/** A parameter generated as `shape`, then transposed by `perm` (tf.transpose / torch.permute) into its own shape. */
export interface GenerationOrder {
  shape: number[];
  perm: number[];
}

/** One weights port a head drives, in wiring order. */
export interface Route extends WeightDecl {
  target: string;
  /** The head's output port driving it. */
  headPort: string;
}

/** UI hints for a parameter field, attached with `.meta({ ui: ... })` on the zod schema. */
export interface ParamUi {
  label?: string;
  help?: string;
  /** Show this parameter on the node face. */
  key?: boolean;
  step?: number;
}

export interface InferContext<P> {
  readonly id: string;
  readonly params: P;
  /** Info of what is wired to an input port, undefined when unwired. */
  input(port: string): ValueInfo | undefined;
  /** The tensor wired to `port`, failing with a clear message if it is missing or not a tensor. */
  tensor(port: string): { shape: Shape; dtype: DType };
  /** Heads: the weights ports an output drives, in wiring order, with their shapes. */
  routes(port: string): Route[];
  fail(code: ErrorCode, message: string, port?: string): never;
  /** Report something that compiles but is likely not what the user meant (a warning on this node). */
  warn(code: ErrorCode, message: string, port?: string): void;
}

export interface LowerContext<P> {
  readonly id: string;
  readonly params: P;
  readonly seed: number;
  input(port: string): ValueId;
  has(port: string): boolean;
  info(port: string): ValueInfo;
  /** Emit an op; returns the value it defines. `name` makes the value id `<node>.<name>`. */
  op(body: OpBody, inputs: (ValueId | null)[], shape: Shape, name: string, dtype?: DType): ValueId;
  /** Declare a parameter `<node>.<name>`; returns its value. */
  param(name: string, shape: number[], init: Init, role?: ParamRole): ValueId;
  /** Target layers: the generated weight wired to `port`, or an owned parameter initialised per its decl. */
  /** A weights port's value: what a head delivers (generated) or, unwired, the layer's own parameter. */
  weight(port: string): { value: ValueId; perSample: boolean; generated: boolean };
  /** Heads: the routes of an output port. */
  routes(port: string): Route[];
  /** Consumers of a head's output other than target layers (L2 penalty, probe): what the head delivered. */
  generatedFrom(port: string): { route: Route; value: ValueId; perSample: boolean }[];
  /** Heads: deliver the generated value for a route, shaped [...route.shape] or ['B', ...route.shape]. */
  deliver(route: Route, value: ValueId): void;
  /** Dataset nodes: the dataset a run trains on (its type is the lowered node's). */
  dataset(spec: Omit<DatasetSpec, 'node' | 'type'>): void;
  loss(value: ValueId, weight: number, name: string): void;
  metric(value: ValueId, kind: MetricKind, name: string): void;
  prediction(value: ValueId): void;
  probe(value: ValueId, name: string): void;
  outputRegularizer(beta: number): void;
  fail(code: ErrorCode, message: string, port?: string): never;
}

/**
 * What a node type does beyond its category, for the passes that treat some types apart. Declared here so that
 * no pass compares type ids: a new type with the same role is treated the same by declaring it.
 *
 * @example Output regulariser: `roles: { regularizer: true, onlyServesGeneration: true }`
 */
export interface NodeRoles {
  /**
   * An objective that only regularises what other objectives train (it adds no loss of its own to fit): a graph
   * whose only objectives are regularisers has nothing to train.
   */
  regularizer?: boolean;
  /**
   * Means something only while weights are generated (a penalty on generated weights, the continual-learning
   * output regulariser): a static twin drops it even when nothing is wired to it.
   */
  onlyServesGeneration?: boolean;
}

/**
 * What a dataset node's samples are, as passes outside the loader need to know it (the inspector, the export's
 * data folder). The engine's loader for the type implements each declared fact (src/main/engine/data/index.ts).
 */
export interface DatasetFacts {
  /**
   * Every task past the first is task 0's samples seen through the task's own fixed permutation of the input
   * values (Permuted MNIST): images of those tasks look scrambled, and an export stores task 0's rows once.
   */
  permutedTasks?: boolean;
  /**
   * Training batches are drawn fresh from a generator, not from a stored training split (the sinusoid family):
   * an export writes the generator's settings instead of training rows.
   */
  generatedTrainBatches?: boolean;
  /**
   * The samples are read from files the user names, in these params (paths relative to the document's folder):
   * the inspector offers a file picker and a preview for each, and the app checks the files as the document is
   * edited (`data.probe`), so a missing file or a column mismatch is a problem before any run.
   */
  files?: { format: 'csv' | 'idx'; params: readonly string[] };
}

export interface NodeType<S extends z.ZodObject = z.ZodObject> {
  /** Stable id, never renamed (a rename needs a document migration). */
  id: string;
  category: Category;
  /** Roles some passes treat apart (none by default). */
  roles?: NodeRoles;
  /** Dataset nodes: what their samples are, beyond their shapes. */
  dataset?: DatasetFacts;
  title: string;
  /** Markdown shown in the palette and the inspector. */
  doc: string;
  params: S;
  /**
   * Parameters older documents may set that no longer do anything: each key with the sentence of the warning
   * the compiler gives when a document still sets it (the value is ignored, never an error).
   */
  retiredParams?: Record<string, string>;
  /** Input ports, weights ports of target layers included. */
  inputs(p: z.output<S>): PortDecl[];
  outputs(p: z.output<S>): PortDecl[];
  /** Target layers: the shape and initialisation of each parameter, from the layer's tensor inputs. */
  weights?(p: z.output<S>, ctx: InferContext<z.output<S>>): WeightDecl[];
  infer(ctx: InferContext<z.output<S>>): Record<string, ValueInfo>;
  lower(ctx: LowerContext<z.output<S>>): Record<string, ValueId>;
}

/**
 * Declare a node type with its params' type flowing into every callback. The id keeps its literal type, so
 * tables keyed by node type (`satisfies Record<DataNodeType, …>`) are checked for completeness.
 */
export function defineNode<S extends z.ZodObject, const Id extends string>(def: NodeType<S> & { id: Id }): NodeType<S> & { id: Id } {
  return def;
}

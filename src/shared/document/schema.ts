/**
 * The saved format of a Hypernet Studio project (`*.hnet.json`), declared once.
 *
 * Every object is `.loose()`: fields this version does not know are kept, so a file written by a newer
 * version survives a round trip through an older one. Node `params` are checked here only as a JSON object;
 * each node type's own zod schema checks them in the compiler's validate pass, where the error can name the
 * node and the field.
 */
import { z } from 'zod';

export const FORMAT_NAME = 'hypernet-studio';
export const CURRENT_VERSION = 2;

/** Ids name nodes in error messages and generated code, so they are kept short and plain. */
export const NodeId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'must start with a letter or _ and use only letters, digits, _ and -');

export const PortName = z.string().min(1).max(64).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'is not a port name');

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const Position = z.object({ x: finite, y: finite }).loose();

/** The node type of a block (a subgraph): not a registered node type; the compiler flattens blocks away. */
export const BLOCK_TYPE = 'block';

/** A port of a block: the name it shows on the block, and the port of a node directly inside it that it stands for. */
export const BlockPort = z.object({ name: PortName, node: NodeId, port: PortName }).loose();
export type BlockPort = z.infer<typeof BlockPort>;

/** An inner node's parameter shown (and edited) in the block's inspector. */
export const PromotedParam = z.object({ node: NodeId, param: z.string().min(1).max(64), label: z.string().max(200).optional() }).loose();
export type PromotedParam = z.infer<typeof PromotedParam>;

/**
 * What makes a node of type {@link BLOCK_TYPE} a block: its description, its ports and its promoted parameters.
 * The block's name is the node's `label`. The nodes inside it are ordinary nodes with `parent` set to its id, and
 * wires always join real nodes, so the compiler, the engine and the code exports see the flat graph.
 */
export const BlockSpec = z
  .object({
    description: z.string().max(20_000).default(''),
    /** Inputs, in order (left side of the block). */
    inputs: z.array(BlockPort).max(1000).default([]),
    /** Outputs, in order (right side). */
    outputs: z.array(BlockPort).max(1000).default([]),
    promoted: z.array(PromotedParam).max(1000).default([]),
  })
  .loose();
export type BlockSpec = z.infer<typeof BlockSpec>;

export const DocNode = z
  .object({
    id: NodeId,
    type: z.string().min(1).max(64),
    params: z.record(z.string(), z.unknown()).default({}),
    position: Position.default({ x: 0, y: 0 }),
    label: z.string().max(200).optional(),
    /** The block this node is inside (absent: the document's top level). Positions are in the block's own canvas. */
    parent: NodeId.optional(),
    /** Set on a block node only (type {@link BLOCK_TYPE}). */
    block: BlockSpec.optional(),
    /**
     * Bypassed: left out of the program, its tensor input passed straight to what its output fed (a layer tried
     * without, as node editors' bypass). Only layers with a tensor input and output can be bypassed.
     */
    bypass: z.boolean().optional(),
  })
  .loose();
export type DocNode = z.infer<typeof DocNode>;

export const DocEdge = z
  .object({
    id: z.string().min(1).max(200).optional(),
    source: NodeId,
    sourcePort: PortName,
    target: NodeId,
    targetPort: PortName,
  })
  .loose();
export type DocEdge = z.infer<typeof DocEdge>;

export const Metadata = z
  .object({
    name: z.string().max(200).default('Untitled'),
    description: z.string().max(20_000).default(''),
    citation: z.string().max(2_000).optional(),
    /** What the template reaches, in words and numbers, filled in by scripts/results.ts. */
    result: z.string().max(2_000).optional(),
    /** The published figure a template reproduces, and where it was published (shown beside ours in docs/RESULTS.md). */
    published: z
      .object({
        figure: z.string().max(2_000),
        source: z.string().max(1_000),
        /** How the paper's setup differs from the template's default budget (data, model size, steps). */
        setup: z.string().max(4_000).optional(),
        /** The figure as a number in the template's main metric (accuracy as a fraction: 0.9757), for the gap to it. */
        value: z.number().finite().optional(),
      })
      .loose()
      .optional(),
    /** Why the template misses a goal docs/RESULTS.md marks (its twin, fine-tuning, the published figure): shown there. */
    shortfall: z.string().max(2_000).optional(),
  })
  .loose();

export const Optimizer = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('adam'),
      learningRate: z.number().positive().max(10).default(1e-3),
      beta1: z.number().min(0).max(1).default(0.9),
      beta2: z.number().min(0).max(1).default(0.999),
      epsilon: z.number().positive().default(1e-7),
    })
    .loose(),
  z
    .object({
      type: z.literal('sgd'),
      learningRate: z.number().positive().max(10).default(1e-2),
      momentum: z.number().min(0).max(1).default(0),
    })
    .loose(),
  z
    .object({
      type: z.literal('rmsprop'),
      learningRate: z.number().positive().max(10).default(1e-3),
      decay: z.number().min(0).max(1).default(0.9),
      momentum: z.number().min(0).max(1).default(0),
      epsilon: z.number().positive().default(1e-7),
    })
    .loose(),
]);
export type Optimizer = z.infer<typeof Optimizer>;
/** The optimizer types, as the union above declares them (the Train tab and the API's overrides list these). */
export const OptimizerType = z.enum(Optimizer.options.map((o) => o.shape.type.value) as [Optimizer['type'], ...Optimizer['type'][]]);
export type OptimizerType = z.infer<typeof OptimizerType>;

/**
 * Where training runs: `auto` and the five tfjs backends run the engine itself (`webgpu` on a GPU through Dawn, engine/webgpu.ts); `pytorch` runs the program's
 * PyTorch export (train.py) in a Python subprocess with the same events (src/main/engine/pytorch.ts).
 */
export const Backend = z.enum(['auto', 'webgpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu', 'pytorch']);
export type Backend = z.infer<typeof Backend>;

/**
 * How a sequential schedule trains task after task. The defaults keep the engine's original behaviour (one
 * optimizer state through all tasks, every parameter trained, the regulariser on all earlier tasks at Θ).
 * hypercl's behaviour (von Oswald et al. 2020, github.com/chrhenning/hypercl) is
 * `{ optimizerPerTask: true, currentEmbeddingOnly: true, lookAhead: true }`, with `fixedEmbeddings: true` where it
 * keeps the task embeddings at their random start (its default); add `regularizedTasksPerStep`
 * for long sequences (hypercl's --hnet_reg_batch_size) and `taskInference` where the paper reports CL2/CL3.
 */
export const Continual = z
  .object({
    /** A fresh optimizer state (moments, step count) at the start of every task, as hypercl makes one per task. */
    optimizerPerTask: z.boolean().default(false),
    /** Only the current task's row of a task-embedding table is trained; earlier (and later) rows stay exactly as they are. */
    currentEmbeddingOnly: z.boolean().default(false),
    /**
     * Task embeddings are never trained: each task keeps its random initial code (the node's initial std) and the
     * hypernetwork alone learns to map it to the task's weights, as hypercl does unless --train_class_embeddings.
     */
    fixedEmbeddings: z.boolean().default(false),
    /**
     * The output regulariser is evaluated at Θ + ΔΘ, ΔΘ the step the optimizer would take on the task loss alone
     * (hypercl's look-ahead; detached, as its default). Adam and SGD only.
     */
    lookAhead: z.boolean().default(false),
    /** Regularise a random subset of this many earlier tasks per step (all when absent or when fewer are done). */
    regularizedTasksPerStep: z.number().int().min(1).max(10_000).optional(),
    /**
     * Task inference (HNET+ENT): at the end, each test sample is run with every trained task's embedding and the
     * task whose prediction has the lowest entropy is picked; reports accuracy_cl1 (task given), accuracy_cl2
     * (class right with the inferred task's weights), accuracy_cl3 (task and class right) and task_inferred.
     */
    taskInference: z.boolean().default(false),
  })
  .loose();
export type Continual = z.infer<typeof Continual>;

/** The continual-learning settings of a training section, defaults filled in. */
export function continualOf(t: { continual?: Continual }): Continual {
  return t.continual ?? Continual.parse({});
}

export const Training = z
  .object({
    optimizer: Optimizer.default(() => Optimizer.parse({ type: 'adam' })),
    batchSize: z.number().int().min(1).max(65_536).default(32),
    /** Steps per task (per run when the data has one task). Takes precedence over epochs. */
    steps: z.number().int().min(0).max(100_000_000).optional(),
    /** Passes over each task's training split, used when steps is absent. */
    epochs: z.number().positive().max(100_000).optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
    /** Evaluate every N steps (and always at the end of each task). 0 evaluates only at task ends. */
    evalEvery: z.number().int().min(0).default(200),
    /** Tasks in training order; absent means all tasks of the dataset, in order. */
    tasks: z.array(z.number().int().min(0).max(10_000)).max(10_000).optional(),
    /**
     * sequential: tasks one after the other (continual learning; earlier tasks are not revisited).
     * interleaved: every step draws a task at random (multi-task training).
     */
    schedule: z.enum(['sequential', 'interleaved']).default('sequential'),
    backend: Backend.default('auto'),
    /** Continual-learning semantics of a sequential schedule (absent: the defaults above). */
    continual: Continual.optional(),
  })
  .loose();
export type Training = z.infer<typeof Training>;

export const DataSettings = z
  .object({
    /** Largest number of test samples evaluated per task (keeps evaluation cheap on big sets). */
    maxEvalSamples: z.number().int().min(1).max(1_000_000).default(2000),
    evalBatchSize: z.number().int().min(1).max(65_536).default(500),
  })
  .loose();

/**
 * A second, larger setting of the same graph: the paper's configuration for users with more time or a GPU
 * (`hnet train FILE --budget full`). `training` replaces fields of the training section, `data` fields of the data
 * section (a paper's figure is on its whole test set), `params` fields of the named nodes' parameters; all are
 * checked when applied (src/shared/compiler/variants.ts), where an error can name the field or the node.
 */
export const FullBudget = z
  .object({
    /** What the full budget changes, in a sentence or two (shown by `hnet train --budget full` and RESULTS.md). */
    note: z.string().max(4_000).default(''),
    training: z.record(z.string(), z.unknown()).default({}),
    data: z.record(z.string(), z.unknown()).default({}),
    params: z.record(NodeId, z.record(z.string(), z.unknown())).default({}),
  })
  .loose();
export type FullBudget = z.infer<typeof FullBudget>;

export const HnetDocument = z
  .object({
    format: z.literal(FORMAT_NAME),
    version: z.literal(CURRENT_VERSION),
    metadata: Metadata.default(() => Metadata.parse({})),
    nodes: z.array(DocNode).max(10_000),
    edges: z.array(DocEdge).max(50_000).default([]),
    data: DataSettings.default(() => DataSettings.parse({})),
    training: Training.default(() => Training.parse({})),
    fullBudget: FullBudget.optional(),
    /** Editor state (viewport, open panels). Never read by the compiler. */
    ui: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();
export type HnetDocument = z.infer<typeof HnetDocument>;
/** A document as written by hand, before defaults are filled in. */
export type HnetDocumentInput = z.input<typeof HnetDocument>;

export const BLOCK_FILE_FORMAT = 'hypernet-studio-block';
export const BLOCK_FILE_SUFFIX = '.hnet-block.json';

/**
 * A block saved to the block library (`*.hnet-block.json`): the block node first (no `parent`), then every node
 * inside it, and the wires among them. Inserting one renames its nodes where the document already uses the ids.
 */
export const BlockFile = z
  .object({
    format: z.literal(BLOCK_FILE_FORMAT),
    version: z.literal(CURRENT_VERSION),
    nodes: z.array(DocNode).min(1).max(10_000),
    edges: z.array(DocEdge).max(50_000).default([]),
  })
  .loose();
export type BlockFile = z.infer<typeof BlockFile>;

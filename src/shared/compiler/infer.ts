/**
 * Pass 3, infer shapes. Tensor shapes never depend on generated weights, so inference runs in two sweeps:
 * first every node except heads (and what reads a head's output directly), which fixes every tensor shape and
 * every target layer's parameter shapes; then the heads, which size themselves from the weights they drive.
 */
import { MAX_ELEMENTS } from '../nodes/common';
import type { InferContext, Route, ValueInfo, WeightDecl } from '../nodes/types';
import { HnetError, problem, type ErrorCode, type HnetProblem } from './errors';
import { portKey, type Graph, type GraphNode } from './graph';
import { formatShape, type Shape } from './shape';

export interface Inference {
  /** What each output port carries, by `node.port`. */
  values: Map<string, ValueInfo>;
  /** Parameter shapes of target layers, by node id. */
  weights: Map<string, WeightDecl[]>;
  /** Weights ports each head output drives, by `head.port`, in wiring order. */
  routes: Map<string, Route[]>;
  /** A label per edge (by document edge index): the shape it carries, for the canvas. */
  edgeLabels: Map<number, string>;
  /** Nodes whose inference failed or was skipped because an input failed. */
  failed: Set<string>;
  problems: HnetProblem[];
  /** Warnings of nodes whose inference succeeded (severity 'warning'). */
  warnings: HnetProblem[];
}

/** Thrown when an input is unknown because an upstream node failed: the node is skipped, not reported. */
class UpstreamFailed extends Error {}

export function inferShapes(graph: Graph): Inference {
  const inf: Inference = { values: new Map(), weights: new Map(), routes: new Map(), edgeLabels: new Map(), failed: new Set(), problems: [], warnings: [] };
  const readsHead = (n: GraphNode) =>
    n.type.category === 'head' ||
    n.inputs.some((p) => p.kind !== 'weights' && graph.nodes.get(graph.inEdge.get(portKey(n.doc.id, p.name))?.source ?? '')?.type.category === 'head');

  const deferred: string[] = [];
  for (const id of graph.order) {
    const n = graph.nodes.get(id)!;
    if (readsHead(n)) deferred.push(id);
    else inferNode(graph, inf, n);
  }
  for (const id of deferred) inferNode(graph, inf, graph.nodes.get(id)!);

  graph.doc.edges.forEach((e, i) => {
    const info = inf.values.get(portKey(e.source, e.sourcePort));
    if (!info) return;
    if (info.kind === 'tensor') inf.edgeLabels.set(i, formatShape(info.shape));
    else if (info.kind === 'task') inf.edgeLabels.set(i, 'task');
    else {
      const decl = inf.weights.get(e.target)?.find((w) => w.port === e.targetPort);
      const shape = decl ? formatShape(decl.shape) : `${info.size}`;
      inf.edgeLabels.set(i, info.perSample ? `B × ${shape}` : shape);
    }
  });
  return inf;
}

function inferNode(graph: Graph, inf: Inference, n: GraphNode): void {
  const id = n.doc.id;
  const warnings: HnetProblem[] = [];
  const ctx: InferContext<Record<string, unknown>> = {
    id,
    params: n.params,
    input(port) {
      const e = graph.inEdge.get(portKey(id, port));
      if (!e) return undefined;
      const info = inf.values.get(portKey(e.source, e.sourcePort));
      if (!info) throw new UpstreamFailed();
      return info;
    },
    tensor(port) {
      const info = ctx.input(port);
      // A required input left unwired was reported by validation already.
      if (!info) throw new UpstreamFailed();
      if (info.kind !== 'tensor') return ctx.fail('HN022', `expects a tensor, got ${info.kind}`, port);
      return info;
    },
    routes(port) {
      return routesOf(graph, inf, id, port);
    },
    fail(code: ErrorCode, message: string, port?: string): never {
      throw new HnetError(problem(code, message, { node: id, port }));
    },
    warn(code: ErrorCode, message: string, port?: string) {
      warnings.push({ ...problem(code, message, { node: id, port }), severity: 'warning' });
    },
  };
  const raw = n.doc.params ?? {};
  for (const [key, why] of Object.entries(n.type.retiredParams ?? {}))
    if (Object.hasOwn(raw, key)) ctx.warn('HN012', `${key} is no longer used and is ignored: ${why}`);
  try {
    const out = n.type.infer(ctx);
    if (n.type.weights) {
      const decls = n.type.weights(n.params, ctx);
      for (const d of decls) {
        const size = d.shape.reduce((a, b) => a * b, 1);
        if (!(size <= MAX_ELEMENTS))
          ctx.fail('HN013', `${d.port} would have ${formatShape(d.shape)} = ${size.toExponential(2)} elements, more than the ${MAX_ELEMENTS.toExponential(0)} allowed`, d.port);
      }
      inf.weights.set(id, decls);
    }
    for (const [port, info] of Object.entries(out)) {
      if (info.kind === 'tensor') checkShape(ctx, port, info.shape);
      if (info.kind === 'weights' && !(info.size <= MAX_ELEMENTS))
        ctx.fail('HN013', `would generate ${info.size.toExponential(2)} numbers per weight set, more than the ${MAX_ELEMENTS.toExponential(0)} allowed`, port);
      inf.values.set(portKey(id, port), info);
    }
    inf.warnings.push(...warnings);
  } catch (err) {
    inf.failed.add(id);
    if (err instanceof UpstreamFailed) return;
    if (err instanceof HnetError) inf.problems.push(err.problem);
    else inf.problems.push(problem('HN030', `shape inference failed: ${(err as Error).message}`, { node: id }));
  }
}

function checkShape(ctx: InferContext<unknown>, port: string, shape: Shape): void {
  let n = 1;
  for (const d of shape) {
    if (d === 'B') continue;
    if (!Number.isInteger(d) || d < 1) ctx.fail('HN030', `would produce an invalid shape ${formatShape(shape)}`, port);
    n *= d;
  }
  if (n > MAX_ELEMENTS) ctx.fail('HN013', `would produce ${formatShape(shape)} = ${n.toExponential(2)} elements per sample, more than allowed`, port);
}

/** The weights ports a head's output drives, from the target layers' parameter declarations. */
function routesOf(graph: Graph, inf: Inference, head: string, port: string): Route[] {
  const key = portKey(head, port);
  const cached = inf.routes.get(key);
  if (cached) return cached;
  const routes: Route[] = [];
  for (const e of graph.outEdges.get(key) ?? []) {
    const target = graph.nodes.get(e.target);
    if (target?.type.category !== 'target') continue;
    const decl = inf.weights.get(e.target)?.find((w) => w.port === e.targetPort);
    if (!decl) throw new UpstreamFailed();
    routes.push({ ...decl, target: e.target, headPort: port });
  }
  inf.routes.set(key, routes);
  return routes;
}

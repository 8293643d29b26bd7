/**
 * Pass 4, lower: each node, in topological order, emits program IR ops and parameters through a LowerContext.
 * Heads deliver one value per weights port they drive; target layers pick those up (or own a parameter).
 */
import type { DocEdge } from '../document/schema';
import { ownedInit } from '../nodes/common';
import type { LowerContext, Route } from '../nodes/types';
import { HnetError, problem, type ErrorCode, type HnetProblem } from './errors';
import { portKey, type Graph } from './graph';
import type { Inference } from './infer';
import type { DatasetSpec, DType, Init, Op, OpBody, ParamRole, ParamSpec, Program, ValueId } from './ir';
import type { Shape } from './shape';

export function lowerToProgram(graph: Graph, inf: Inference): { program?: Program; problems: HnetProblem[] } {
  const problems: HnetProblem[] = [];
  const ops: Op[] = [];
  const opById = new Map<ValueId, Op>();
  const params: ParamSpec[] = [];
  const outputs = new Map<string, ValueId>();
  const delivered = new Map<string, { route: Route; value: ValueId; perSample: boolean }>();
  const program: Omit<Program, 'data' | 'training' | 'evaluation' | 'name' | 'irVersion'> & { data?: DatasetSpec } = {
    params,
    ops,
    losses: [],
    metrics: [],
    generated: [],
    probes: [],
  };
  const taken = new Set<string>();
  const paramNames = new Set<string>();
  const typeCounts = new Map<string, number>();
  for (const n of graph.nodes.values()) typeCounts.set(n.type.id, (typeCounts.get(n.type.id) ?? 0) + 1);
  const unique = (name: string) => {
    let n = name;
    for (let i = 2; taken.has(n); i++) n = `${name}_${i}`;
    taken.add(n);
    return n;
  };

  for (const id of graph.order) {
    const n = graph.nodes.get(id)!;
    const edgeInto = (port: string): DocEdge | undefined => graph.inEdge.get(portKey(id, port));
    const ctx: LowerContext<Record<string, unknown>> = {
      id,
      params: n.params,
      seed: graph.doc.training.seed,
      input(port) {
        const e = edgeInto(port);
        const v = e && outputs.get(portKey(e.source, e.sourcePort));
        if (!v) return ctx.fail('HN024', `input "${port}" is not wired`, port);
        return v;
      },
      has: (port) => edgeInto(port) !== undefined,
      info(port) {
        const e = edgeInto(port);
        const info = e && inf.values.get(portKey(e.source, e.sourcePort));
        if (!info) return ctx.fail('HN024', `input "${port}" is not wired`, port);
        return info;
      },
      op(body: OpBody, inputs: (ValueId | null)[], shape: Shape, name: string, dtype: DType = 'float32') {
        const opId = unique(`${id}.${name}`);
        const dataDependent =
          (body.op === 'input' && body.name !== 'task') || body.op === 'noise' || body.op === 'dropout' || inputs.some((v) => v !== null && opById.get(v)?.dataDependent);
        const trainable = body.op === 'param' || inputs.some((v) => v !== null && opById.get(v)?.trainable);
        const op = { ...body, id: opId, inputs, shape: [...shape], dtype, node: id, dataDependent, trainable } as Op;
        ops.push(op);
        opById.set(opId, op);
        return opId;
      },
      param(name: string, shape: number[], init: Init, role: ParamRole = n.type.category === 'target' ? 'target' : 'hyper') {
        const pname = `${id}.${name}`;
        if (paramNames.has(pname)) return ctx.fail('HN030', `declares parameter ${name} twice`);
        paramNames.add(pname);
        params.push({ name: pname, shape, init, node: id, role });
        return ctx.op({ op: 'param', name: pname }, [], shape, name);
      },
      weight(port) {
        const got = delivered.get(portKey(id, port));
        if (got) return { value: got.value, perSample: got.perSample, generated: true };
        const decl = inf.weights.get(id)?.find((w) => w.port === port);
        if (!decl) return ctx.fail('HN030', `has no weights port "${port}"`, port);
        return { value: ctx.param(port, decl.shape, ownedInit(decl), 'target'), perSample: false, generated: false };
      },
      routes: (port) => inf.routes.get(portKey(id, port)) ?? [],
      deliver(route, value) {
        const perSample = opById.get(value)?.shape[0] === 'B' && opById.get(value)!.shape.length === route.shape.length + 1;
        delivered.set(portKey(route.target, route.port), { route, value, perSample });
        program.generated.push({
          head: id,
          headPort: route.headPort,
          target: route.target,
          targetPort: route.port,
          value,
          shape: opById.get(value)!.shape,
          perSample,
        });
      },
      generatedFrom(port) {
        const e = edgeInto(port);
        if (!e) return [];
        return (inf.routes.get(portKey(e.source, e.sourcePort)) ?? []).flatMap((r) => {
          const d = delivered.get(portKey(r.target, r.port));
          return d ? [d] : [];
        });
      },
      dataset(spec) {
        program.data = { node: id, type: n.type.id, ...spec };
      },
      loss(value, weight, name) {
        program.losses.push({ node: id, value, weight, name: labelFor(graph, typeCounts, id, name) });
      },
      metric(value, kind, name) {
        program.metrics.push({ node: id, value, kind, name: labelFor(graph, typeCounts, id, name) });
      },
      prediction(value) {
        program.prediction ??= value;
      },
      probe(value, name) {
        program.probes.push({ node: id, value, name: `${graph.nodes.get(id)!.doc.label ?? id}/${name}` });
      },
      outputRegularizer(beta) {
        program.outputRegularizer = { node: id, beta };
      },
      fail(code: ErrorCode, message: string, port?: string): never {
        throw new HnetError(problem(code, message, { node: id, port }));
      },
    };
    try {
      const out = n.type.lower(ctx);
      for (const [port, v] of Object.entries(out)) outputs.set(portKey(id, port), v);
    } catch (err) {
      if (err instanceof HnetError) problems.push(err.problem);
      else problems.push(problem('HN030', `could not be compiled: ${(err as Error).message}`, { node: id }));
    }
  }
  if (problems.length) return { problems };
  if (!program.data) return { problems: [problem('HN040', 'the graph has no dataset; add one from the Data category', { path: 'nodes' })] };
  const doc = graph.doc;
  return {
    problems,
    program: {
      irVersion: 1,
      name: doc.metadata.name,
      ...program,
      data: program.data,
      training: doc.training,
      evaluation: { maxEvalSamples: doc.data.maxEvalSamples, evalBatchSize: doc.data.evalBatchSize },
    },
  };
}

/** Metric and loss names: the node's label if it has one, else the kind, made unique with the node id. */
function labelFor(graph: Graph, typeCounts: Map<string, number>, id: string, kind: string): string {
  const node = graph.nodes.get(id)!;
  if (node.doc.label) return node.doc.label;
  return (typeCounts.get(node.type.id) ?? 0) > 1 ? `${kind}:${id}` : kind;
}

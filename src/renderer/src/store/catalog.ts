/**
 * What the editor needs to know about node types, read from the one declaration in src/shared/nodes:
 * ports for a node's current params, its parameter fields (from the zod schema, UI hints included) and the
 * categories in palette order.
 */
import { z } from 'zod';
import type { DocNode } from '../../../shared/document/schema';
import { getNodeType, nodeTypes, type NodeType } from '../../../shared/nodes';
import type { Category, ParamUi, PortDecl } from '../../../shared/nodes/types';

export { CATEGORIES } from '../../../shared/nodes/types';

export const CATEGORY_TITLES: Record<Category, string> = {
  data: 'Data',
  context: 'Context encoders',
  head: 'Hypernetwork heads',
  target: 'Target layers',
  objective: 'Objectives',
  metric: 'Metrics',
  probe: 'Probes',
};

/** One parameter field as the inspector renders it. */
export interface ParamField {
  key: string;
  label: string;
  help?: string;
  ui: ParamUi;
  kind: 'integer' | 'number' | 'boolean' | 'enum' | 'numberList' | 'string' | 'json';
  options?: string[];
  min?: number;
  max?: number;
  /** Exclusive bounds, e.g. `positive()`. */
  exclusiveMin?: number;
  itemKind?: 'integer' | 'number';
  optional: boolean;
  default?: unknown;
  schema: z.ZodType;
}

interface JsonProp {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  default?: unknown;
  items?: JsonProp;
  ui?: ParamUi;
  description?: string;
}

const fieldCache = new Map<string, ParamField[]>();

/** The parameter fields of a node type, in declaration order. */
export function paramFields(type: NodeType): ParamField[] {
  const hit = fieldCache.get(type.id);
  if (hit) return hit;
  let props: Record<string, JsonProp> = {};
  try {
    const js = z.toJSONSchema(type.params, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, JsonProp> };
    props = js.properties ?? {};
  } catch {
    props = {};
  }
  const shape = type.params.shape as Record<string, z.ZodType>;
  const fields: ParamField[] = Object.keys(shape).map((key) => {
    const p = props[key] ?? {};
    const ui = p.ui ?? {};
    let kind: ParamField['kind'] = 'json';
    let itemKind: ParamField['itemKind'];
    if (p.enum) kind = 'enum';
    else if (p.type === 'integer') kind = 'integer';
    else if (p.type === 'number') kind = 'number';
    else if (p.type === 'boolean') kind = 'boolean';
    else if (p.type === 'string') kind = 'string';
    else if (p.type === 'array' && (p.items?.type === 'integer' || p.items?.type === 'number')) {
      kind = 'numberList';
      itemKind = p.items.type as 'integer' | 'number';
    }
    return {
      key,
      label: ui.label ?? humanize(key),
      help: ui.help ?? p.description,
      ui,
      kind,
      options: p.enum?.map(String),
      min: p.minimum,
      max: p.maximum,
      exclusiveMin: p.exclusiveMinimum,
      itemKind,
      optional: p.default === undefined,
      default: p.default,
      schema: shape[key],
    };
  });
  fieldCache.set(type.id, fields);
  return fields;
}

/** `chunkEmbeddingDim` -> `chunk embedding dim` */
export function humanize(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
}

/** A node's params with the type's defaults filled in; falls back to the defaults alone when they are invalid. */
export function effectiveParams(type: NodeType, params: Record<string, unknown> | undefined): { params: Record<string, unknown>; valid: boolean } {
  const r = type.params.safeParse(params ?? {});
  if (r.success) return { params: r.data as Record<string, unknown>, valid: true };
  const d = type.params.safeParse({});
  return { params: { ...(d.success ? (d.data as Record<string, unknown>) : {}), ...(params ?? {}) }, valid: false };
}

export interface NodePorts {
  inputs: PortDecl[];
  outputs: PortDecl[];
}

const portsCache = new WeakMap<DocNode, NodePorts & { params: Record<string, unknown>; type?: NodeType }>();

/** Ports and effective params of a document node (cached per node object: documents are immutable). */
export function nodeInfo(node: DocNode): NodePorts & { params: Record<string, unknown>; type?: NodeType } {
  const hit = portsCache.get(node);
  if (hit) return hit;
  const type = getNodeType(node.type);
  let info: NodePorts & { params: Record<string, unknown>; type?: NodeType };
  if (!type) info = { inputs: [], outputs: [], params: node.params ?? {} };
  else {
    const { params } = effectiveParams(type, node.params);
    let inputs: PortDecl[] = [];
    let outputs: PortDecl[] = [];
    try {
      inputs = type.inputs(params as never);
      outputs = type.outputs(params as never);
    } catch {
      // Params that passed no schema can make a port function throw; the node then shows no ports and its error.
    }
    info = { inputs, outputs, params, type };
  }
  portsCache.set(node, info);
  return info;
}

/** A readable new id for a node of `typeId` that is not in `taken`: `dense_1`, `mlp_head_2`, `mse_loss_1`. */
export function newNodeId(typeId: string, taken: ReadonlySet<string>): string {
  const [category, ...rest] = typeId.split('.');
  const last = (rest.length ? rest.join('_') : category).replace(/[^A-Za-z0-9_]/g, '_');
  const base =
    category === 'head' ? `${last}_head` : category === 'objective' ? `${last}_loss` : category === 'metric' ? `${last}_metric` : category === 'data' ? 'data' : last;
  for (let i = 1; ; i++) {
    const id = `${base}_${i}`;
    if (!taken.has(id)) return id;
  }
}

/** A fresh id for a copy of node `id`: `dense_1` -> `dense_2` (the next free number). */
export function copyNodeId(id: string, taken: ReadonlySet<string>): string {
  const m = /^(.*?)(?:_(\d+))?$/.exec(id);
  const base = (m?.[1] || id).slice(0, 56);
  for (let i = Number(m?.[2] ?? 1) + 1; ; i++) {
    const c = `${base}_${i}`;
    if (!taken.has(c)) return c;
  }
}

/** Palette search: title, id and documentation, all words must match. */
export function searchNodeTypes(query: string): NodeType[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [...nodeTypes];
  const scored: { t: NodeType; score: number }[] = [];
  for (const t of nodeTypes) {
    const title = t.title.toLowerCase();
    const hay = `${title} ${t.id.toLowerCase()} ${t.category} ${t.doc.toLowerCase()}`;
    if (!words.every((w) => hay.includes(w))) continue;
    // Title and id matches rank above matches in the documentation.
    let score = 0;
    for (const w of words) {
      if (title.startsWith(w)) score += 4;
      else if (title.includes(w)) score += 3;
      else if (t.id.toLowerCase().includes(w)) score += 2;
    }
    scored.push({ t, score });
  }
  return scored.sort((a, b) => b.score - a.score).map((s) => s.t);
}

/** The first line or sentence of a doc string, without Markdown code marks. */
export function summary(doc: string, max = 140): string {
  const first = doc.split(/\n\s*\n/)[0].replace(/\n/g, ' ').replace(/`/g, '');
  // A sentence ends at . ! ? before a capital letter or the end ("e.g." and "et al." do not end one).
  const sentence = /^(.+?[.!?])(?=\s+[A-Z]|\s*$)/.exec(first)?.[1] ?? first;
  return sentence.length > max ? `${sentence.slice(0, max - 1)}…` : sentence;
}

export { getNodeType, nodeTypes };
export type { NodeType, PortDecl, Category };

/** A node type's ports with its default parameters (what a new node of the type has). */
export function defaultPorts(type: NodeType): NodePorts {
  const { params } = effectiveParams(type, {});
  try {
    return { inputs: type.inputs(params as never), outputs: type.outputs(params as never) };
  } catch {
    return { inputs: [], outputs: [] };
  }
}

/**
 * The port of a new node of `type` a dropped wire connects to: for a wire from an output (`from: 'source'`) of
 * `kind`, the first input that takes it; for a wire from an input, the first output that can drive it.
 */
export function compatiblePort(type: NodeType, from: 'source' | 'target', kind: string): PortDecl | undefined {
  const ports = defaultPorts(type);
  return from === 'source'
    ? ports.inputs.find((p) => p.kind === 'any' || p.kind === kind)
    : ports.outputs.find((p) => kind === 'any' || p.kind === kind);
}

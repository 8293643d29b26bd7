/**
 * Auto-layout with ELK's layered algorithm, left to right, with each node's ports in their on-screen order so
 * wires cross as little as possible. ELK is loaded on first use (it is large).
 */
import type { ElkNode } from 'elkjs/lib/elk-api';
import type { HnetDocument } from '../../../shared/document/schema';
import { levelOf, portsOf } from './level';

type Elk = { layout(graph: ElkNode): Promise<ElkNode> };
let elk: Promise<Elk> | null = null;

function loadElk(): Promise<Elk> {
  elk ??= import('elkjs/lib/elk.bundled.js').then((m) => {
    const ELK = (m as unknown as { default: new () => Elk }).default;
    return new ELK();
  });
  return elk;
}

/** New positions for every node at `level` (the block shown; undefined: the top level), by id. */
export async function layoutPositions(
  doc: HnetDocument,
  sizes: ReadonlyMap<string, { width: number; height: number }>,
  level?: string,
): Promise<Map<string, { x: number; y: number }>> {
  const view = levelOf(doc, level);
  const ids = new Set(view.nodes.map((n) => n.id));
  const children: ElkNode[] = view.nodes.map((n) => {
    const info = portsOf(doc.nodes, n);
    const size = sizes.get(n.id) ?? { width: 220, height: 120 };
    return {
      id: n.id,
      width: size.width,
      height: size.height,
      layoutOptions: { 'elk.portConstraints': 'FIXED_ORDER' },
      ports: [
        ...info.inputs.map((p, i) => ({ id: `${n.id}::in::${p.name}`, layoutOptions: { 'elk.port.side': 'WEST', 'elk.port.index': String(info.inputs.length - 1 - i) } })),
        ...info.outputs.map((p, i) => ({ id: `${n.id}::out::${p.name}`, layoutOptions: { 'elk.port.side': 'EAST', 'elk.port.index': String(i) } })),
      ],
    };
  });
  const portIds = new Set(children.flatMap((c) => c.ports?.map((p) => p.id) ?? []));
  const edges = view.edges
    .filter((e) => ids.has(e.source) && ids.has(e.target))
    .map((e, i) => {
      const s = `${e.source}::out::${e.sourceHandle}`;
      const t = `${e.target}::in::${e.targetHandle}`;
      return { id: `e${i}`, sources: [portIds.has(s) ? s : e.source], targets: [portIds.has(t) ? t : e.target] };
    });
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '110',
      'elk.layered.spacing.edgeNodeBetweenLayers': '24',
      'elk.spacing.nodeNode': '40',
      'elk.spacing.componentComponent': '60',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.crossingMinimization.semiInteractive': 'true',
    },
    children,
    edges,
  };
  const out = await (await loadElk()).layout(graph);
  const positions = new Map<string, { x: number; y: number }>();
  for (const c of out.children ?? []) positions.set(c.id, { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) });
  return positions;
}

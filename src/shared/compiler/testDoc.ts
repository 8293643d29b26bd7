/** Builds documents for tests: nodes as [id, type, params], edges as 'src.port -> dst.port'. */
import { CURRENT_VERSION, HnetDocument } from '../document/schema';

export function testDoc(
  nodes: [id: string, type: string, params?: Record<string, unknown>][],
  edges: string[],
  training: Record<string, unknown> = {},
): HnetDocument {
  return HnetDocument.parse({
    format: 'hypernet-studio',
    version: CURRENT_VERSION,
    nodes: nodes.map(([id, type, params], i) => ({ id, type, params: params ?? {}, position: { x: i * 200, y: 0 } })),
    edges: edges.map((e) => {
      const [from, to] = e.split('->').map((s) => s.trim());
      const [source, sourcePort] = from.split('.');
      const [target, targetPort] = to.split('.');
      return { source, sourcePort, target, targetPort };
    }),
    training,
  });
}

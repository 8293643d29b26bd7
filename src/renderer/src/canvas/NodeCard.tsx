/**
 * Node components, one per category, built once at module level (React Flow re-mounts every node when the
 * nodeTypes object changes). Each shows the node's title, id or label, its key parameters, its ports as typed
 * handles coloured by kind, and its problems; zoomed out below FAR_ZOOM, a plain box of the same size instead
 * (see detail.ts).
 */
import { Handle, Position, useStoreApi, type Node, type NodeProps } from '@xyflow/react';
import { memo, useContext, type ComponentType, type CSSProperties } from 'react';
import type { DocNode } from '../../../shared/document/schema';
import { specOf } from '../../../shared/document/blocks';
import { nodeInfo, paramFields, type Category, type NodePorts } from '../store/catalog';
import { FarView, farGeometry, type FarGeometry, type HandleBox } from './detail';

export interface HnNodeData extends Record<string, unknown> {
  node: DocNode;
  /** Problems on this node, formatted for people (message without the node id). */
  problems: string[];
  /** Warnings on this node (it compiles, but likely not as meant), formatted the same way. */
  warnings?: string[];
  /** A block's ports (or the boundary's), from the nodes inside it. */
  ports?: NodePorts;
  /** A block: how many nodes are inside it, and how many of their problems it shows. */
  innerCount?: number;
  innerProblems?: number;
  /** A block's promoted parameters' values (`node.param`), read from the nodes inside it. */
  promotedValues?: Record<string, unknown>;
  /** The boundary of the block shown: which of its sides this node draws. */
  boundary?: 'inputs' | 'outputs';
}

export type HnNodeType = Category | 'unknown' | 'block' | 'boundary';
export type HnNode = Node<HnNodeData, HnNodeType>;

export const CATEGORY_LABEL: Record<HnNodeType, string> = {
  data: 'Data',
  context: 'Context',
  head: 'Head',
  target: 'Layer',
  objective: 'Objective',
  metric: 'Metric',
  probe: 'Probe',
  unknown: 'Unknown',
  block: 'Block',
  boundary: 'Block',
};

/** A parameter value as it reads on a node face: lists as `64, 64`, booleans as on/off, numbers compact. */
export function formatValue(v: unknown): string {
  if (Array.isArray(v)) return v.length ? v.map(formatValue).join(', ') : '–';
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en') : String(Number(v.toPrecision(4)));
  if (v === undefined || v === null || v === '') return '–';
  const s = String(v);
  return s.length > 28 ? `${s.slice(0, 27)}…` : s;
}

function NodeCard({ id, data, selected, category }: NodeProps<HnNode> & { category: HnNodeType }) {
  const far = useContext(FarView);
  const store = useStoreApi<HnNode>();
  // Read, not subscribed (see FarView). A node first shown while zoomed out has no measurements yet and shows its
  // full face; React Flow then measures it, and the new size reaches this component as new `data` (the canvas
  // derives a new node when its measured size changes), which renders the far face.
  const geometry = far && category !== 'boundary' ? farGeometry(store.getState().nodeLookup.get(id)) : null;
  if (geometry) return <FarFace data={data} selected={selected} category={category} geometry={geometry} />;
  return <FullFace data={data} selected={selected} category={category} />;
}

interface FaceProps {
  data: HnNodeData;
  selected: boolean;
  category: HnNodeType;
}

/** A block: its name, description, ports (names for ports inside it), promoted parameters and what is inside. */
function BlockFace({ data, selected }: FaceProps) {
  const { node, problems } = data;
  const ports = data.ports ?? { inputs: [], outputs: [] };
  const spec = specOf(node);
  const hasError = problems.length > 0;
  return (
    <div className={`hn-node cat-block${hasError ? ' has-error' : ''}${selected ? ' is-selected' : ''}`} data-node-id={node.id} data-testid={`node-${node.id}`} title="Double-click to open the block">
      <div className="hn-node__head">
        <span className="hn-node__cat">Block</span>
        <span className="hn-node__title" title={node.label ?? node.id}>
          {node.label ?? 'Block'}
        </span>
        <span className="hn-node__id">
          {node.id} · {data.innerCount ?? 0} nodes
        </span>
      </div>
      {spec.description && <div className="hn-node__desc">{spec.description}</div>}
      <PortRows ports={ports} />
      {spec.promoted.length > 0 && (
        <dl className="hn-node__params">
          {spec.promoted.map((p) => (
            <div key={`${p.node}.${p.param}`} className="hn-node__param">
              <dt>{p.label ?? `${p.node}.${p.param}`}</dt>
              <dd data-testid={`block-param-${node.id}-${p.node}-${p.param}`}>{formatValue(data.promotedValues?.[`${p.node}.${p.param}`])}</dd>
            </div>
          ))}
        </dl>
      )}
      {hasError && <NodeErrors id={node.id} problems={problems} />}
    </div>
  );
}

/** A node's problems on its face: the first, and how many there are. */
function NodeErrors({ id, problems }: { id: string; problems: string[] }) {
  return (
    <div className="hn-node__error" role="alert" data-testid={`node-error-${id}`} title={problems.join('\n')}>
      {problems.length > 1 && <span className="hn-node__more">{problems.length} problems · </span>}
      {problems[0]}
    </div>
  );
}

/** One side of the block shown, as a node: its inputs come in on the left, its outputs leave on the right. */
function BoundaryFace({ data }: FaceProps) {
  const side = data.boundary ?? 'inputs';
  const ports = data.ports ?? { inputs: [], outputs: [] };
  const list = side === 'inputs' ? ports.inputs : ports.outputs;
  return (
    <div className={`hn-node cat-boundary is-${side}`} data-testid={`block-boundary-${side}`}>
      <div className="hn-node__head">
        <span className="hn-node__cat">{side === 'inputs' ? 'Block inputs' : 'Block outputs'}</span>
        <span className="hn-node__title">{data.node.label ?? 'Block'}</span>
      </div>
      <div className="hn-node__ports">
        <div className={side === 'inputs' ? 'hn-node__col out' : 'hn-node__col'}>
          {list.map((p) =>
            side === 'inputs' ? (
              <div key={p.name} className={`hn-port out kind-${p.kind}`} title={p.doc}>
                <span className="hn-port__name">{p.name}</span>
                <Handle type="source" position={Position.Right} id={p.name} className={`hn-handle kind-${p.kind}`} isConnectable={false} />
              </div>
            ) : (
              <div key={p.name} className={`hn-port in kind-${p.kind}`} title={p.doc}>
                <Handle type="target" position={Position.Left} id={p.name} className={`hn-handle kind-${p.kind}`} isConnectable={false} />
                <span className="hn-port__name">{p.name}</span>
              </div>
            ),
          )}
          {list.length === 0 && <div className="hn-train__muted">no {side}</div>}
        </div>
      </div>
    </div>
  );
}

function PortRows({ ports }: { ports: NodePorts }) {
  const rows = Math.max(ports.inputs.length, ports.outputs.length);
  if (!rows) return null;
  return (
    <div className="hn-node__ports">
      <div className="hn-node__col">
        {ports.inputs.map((p) => (
          <div key={p.name} className={`hn-port in kind-${p.kind}${p.optional ? ' optional' : ''}`} title={`${p.name} (${p.kind}${p.optional ? ', optional' : ''}): ${p.doc}`}>
            <Handle type="target" position={Position.Left} id={p.name} className={`hn-handle kind-${p.kind}`} />
            <span className="hn-port__name">{p.name}</span>
          </div>
        ))}
      </div>
      <div className="hn-node__col out">
        {ports.outputs.map((p) => (
          <div key={p.name} className={`hn-port out kind-${p.kind}`} title={`${p.name} (${p.kind}): ${p.doc}`}>
            <span className="hn-port__name">{p.name}</span>
            <Handle type="source" position={Position.Right} id={p.name} className={`hn-handle kind-${p.kind}`} />
          </div>
        ))}
      </div>
    </div>
  );
}

function FullFace({ data, selected, category }: FaceProps) {
  if (category === 'block') return <BlockFace data={data} selected={selected} category={category} />;
  if (category === 'boundary') return <BoundaryFace data={data} selected={selected} category={category} />;
  const { node, problems } = data;
  const info = nodeInfo(node);
  const type = info.type;
  const keyParams = type ? paramFields(type).filter((f) => f.ui.key) : [];
  const rows = Math.max(info.inputs.length, info.outputs.length);
  const title = type?.title ?? node.type;
  const hasError = problems.length > 0;
  return (
    <div
      className={`hn-node cat-${category}${hasError ? ' has-error' : ''}${selected ? ' is-selected' : ''}${node.bypass ? ' is-bypassed' : ''}`}
      data-node-id={node.id}
      data-testid={`node-${node.id}`}
      data-bypassed={node.bypass ? 'true' : undefined}
    >
      <div className="hn-node__head">
        <span className="hn-node__cat">{node.bypass ? `${CATEGORY_LABEL[category]} · bypassed` : CATEGORY_LABEL[category]}</span>
        <span className="hn-node__title" title={title}>
          {node.label ?? title}
        </span>
        <span className="hn-node__id" title={node.label ? `${title} · ${node.id}` : node.id}>
          {node.label ? `${title} · ${node.id}` : node.id}
        </span>
      </div>
      {rows > 0 && <PortRows ports={info} />}
      {keyParams.length > 0 && (
        <dl className="hn-node__params">
          {keyParams.map((f) => (
            <div key={f.key} className="hn-node__param">
              <dt>{f.label}</dt>
              <dd>{formatValue(info.params[f.key])}</dd>
            </div>
          ))}
        </dl>
      )}
      {hasError && <NodeErrors id={node.id} problems={problems} />}
      {!hasError && data.warnings && data.warnings.length > 0 && (
        <div className="hn-node__error is-warning" data-testid={`node-warning-${node.id}`} title={data.warnings.join('\n')}>
          {data.warnings[0]}
        </div>
      )}
    </div>
  );
}

/**
 * Where a handle goes on the far face: where React Flow measured it on the full face, or an estimate for a port
 * added while zoomed out. Placed by margins in the face's one grid cell rather than positioned: a positioned
 * element is a paint layer of its own, and a few thousand of those cost more per pan frame than the nodes.
 */
function handleStyle(box: HandleBox | undefined, side: 'source' | 'target', row: number, width: number): CSSProperties {
  const b = box ?? { x: side === 'target' ? -4.5 : width - 8.5, y: FULL_FACE_FIRST_PORT_Y + FULL_FACE_PORT_PITCH * row - 5.5, width: 11, height: 11 };
  return { marginLeft: b.x, marginTop: b.y, width: b.width, height: b.height };
}

/** Centre of the first port row on a full face, and the rows' pitch (styles.css), for ports added while zoomed out. */
const FULL_FACE_FIRST_PORT_Y = 82;
const FULL_FACE_PORT_PITCH = 22;

/**
 * About two lines of the far face's title. Cut here rather than by CSS (`text-overflow`), which needs a clip on
 * every title, and 500 clips double what Chrome spends per pan frame deciding how to composite the canvas.
 */
const FAR_TITLE_CHARS = 26;

const shorten = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1).trimEnd()}…` : s);

/**
 * The far face: one box the size of the full face, coloured by category (red when the node has problems), with
 * its title, and its handles as plain dots (unseen on a big graph) at the very spots React Flow measured on the
 * full face, so wires keep their ends and a re-measurement changes nothing.
 */
function FarFace({ data, selected, category, geometry }: FaceProps & { geometry: FarGeometry }) {
  const { node, problems } = data;
  const own = nodeInfo(node);
  const info = data.ports ?? own;
  const title = own.type?.title ?? (category === 'block' ? 'Block' : node.type);
  const hasError = problems.length > 0;
  return (
    <div
      className={`hn-node is-far cat-${category}${hasError ? ' has-error' : ''}${selected ? ' is-selected' : ''}`}
      data-node-id={node.id}
      data-testid={`node-${node.id}`}
      style={{ width: geometry.width, height: geometry.height }}
      title={hasError ? `${node.label ?? title}: ${problems.join('\n')}` : `${node.label ?? title} · ${node.id}`}
    >
      <div className="hn-node__far-title">{shorten(node.label ?? title, FAR_TITLE_CHARS)}</div>
      {(['target', 'source'] as const).flatMap((side) =>
        (side === 'target' ? info.inputs : info.outputs).map((p, i) => (
          <Handle
            key={`${side}:${p.name}`}
            type={side}
            position={side === 'target' ? Position.Left : Position.Right}
            id={p.name}
            className={`hn-handle-far kind-${p.kind}`}
            style={handleStyle(geometry[side].get(p.name), side, i, geometry.width)}
          />
        )),
      )}
    </div>
  );
}

function forCategory(category: HnNodeType): ComponentType<NodeProps<HnNode>> {
  const C = memo((props: NodeProps<HnNode>) => <NodeCard {...props} category={category} />);
  C.displayName = `${CATEGORY_LABEL[category]}Node`;
  return C;
}

export const DataNode = forCategory('data');
export const ContextNode = forCategory('context');
export const HeadNode = forCategory('head');
export const TargetNode = forCategory('target');
export const ObjectiveNode = forCategory('objective');
export const MetricNode = forCategory('metric');
export const ProbeNode = forCategory('probe');
export const UnknownNode = forCategory('unknown');
export const BlockNode = forCategory('block');
export const BoundaryNode = forCategory('boundary');

/** Built once: React Flow must get the same object on every render. */
export const nodeComponents = {
  data: DataNode,
  context: ContextNode,
  head: HeadNode,
  target: TargetNode,
  objective: ObjectiveNode,
  metric: MetricNode,
  probe: ProbeNode,
  unknown: UnknownNode,
  block: BlockNode,
  boundary: BoundaryNode,
} as const;

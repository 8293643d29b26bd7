/** The graph canvas: React Flow, controlled entirely by the document in the editor store. */
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  type Connection,
  type EdgeChange,
  type FinalConnectionState,
  type IsValidConnection,
  type NodeChange,
  type ReactFlowInstance,
  useConnection,
  useStore,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type MouseEvent as ReactMouseEvent } from 'react';
import { isBlock } from '../../../shared/document/blocks';
import { addNodeOfType, insertLibraryBlock } from '../commands';
import { useCompiled } from '../store/compiled';
import { connect, connectionProblem, moveNodes } from '../store/docOps';
import { currentLevel, useEditor, validPath } from '../store/editor';
import { useUi } from '../store/ui';
import { Breadcrumb } from './Breadcrumb';
import { ContextMenu } from './ContextMenu';
import { useLabelLayout } from './labels';
import { isBoundary, levelOf, portsOf } from './level';
import { EdgeDeriver, NodeDeriver } from './derive';
import { FarView, isFar } from './detail';
import { FarWires } from './FarWires';
import { nodeComponents, type HnNode } from './NodeCard';
import { edgeComponents, type HnEdge } from './ShapeEdge';
import { fitView, registerCanvas, screenToFlow, setViewport } from './view';

export const PALETTE_MIME = 'application/x-hnet-node-type';
/** A library block dragged from the palette (its library id). */
export const BLOCK_MIME = 'application/x-hnet-block';

const MINIMAP_CLASS = (n: HnNode) => `mm-node cat-${n.type ?? 'unknown'}`;
const PRO_OPTIONS = { hideAttribution: false };
const FIT_OPTIONS = { padding: 0.15, maxZoom: 1.25 };
const MINIMAP_STYLE = { width: 168, height: 112 };
/** Below this canvas height the minimap is left out (it and the zoom controls would take most of it). */
const MINIMAP_MIN_CANVAS = 300;
const MULTI_SELECT_KEYS = ['Shift', 'Meta', 'Control'];
/**
 * Above this many nodes the canvas culls what is off screen when zoomed in, and in the far view draws the wires
 * itself (FarWires) with the handles unseen: a graph that big cannot be wired at that zoom anyway, and React
 * Flow's own edges and handle dots cost too much per pan frame there. Smaller graphs keep React Flow's edges.
 */
const BIG_GRAPH = 300;
const NO_EDGES: HnEdge[] = [];

/** Each drag gets its own number, so all its moves coalesce into one undo step. */
let dragSeq = 0;
let inDrag = false;

function isViewport(v: unknown): v is { x: number; y: number; zoom: number } {
  if (!v || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return [o.x, o.y, o.zoom].every((n) => typeof n === 'number' && Number.isFinite(n)) && (o.zoom as number) > 0.02 && (o.zoom as number) < 10;
}

interface HandleRef {
  nodeId: string;
  id?: string | null;
  type: 'source' | 'target';
}

/** Why a wire between two handles is refused (either may be where the drag started). */
function refusal(from: HandleRef, to: HandleRef): string | null {
  if (from.type === to.type)
    return `${from.type === 'source' ? 'both ports are outputs' : 'both ports are inputs'}; wire an output (right side) to an input (left side)`;
  const [src, dst] = from.type === 'source' ? [from, to] : [to, from];
  return connectionProblem(useEditor.getState().doc, { source: src.nodeId, sourceHandle: src.id, target: dst.nodeId, targetHandle: dst.id });
}

/** While a wire hovers a port it cannot connect to, say why. */
function ConnectionHint() {
  const key = useConnection((c) =>
    c.inProgress && c.toHandle && c.isValid === false
      ? JSON.stringify([c.fromHandle.nodeId, c.fromHandle.id, c.fromHandle.type, c.toHandle.nodeId, c.toHandle.id, c.toHandle.type])
      : null,
  );
  if (!key) return null;
  const [fn, fh, ft, tn, th, tt] = JSON.parse(key) as [string, string | null, 'source' | 'target', string, string | null, 'source' | 'target'];
  const reason = refusal({ nodeId: fn, id: fh, type: ft }, { nodeId: tn, id: th, type: tt });
  if (!reason) return null;
  return (
    <div className="hn-connection-hint" data-testid="connection-hint" role="status">
      Cannot connect: {reason}
    </div>
  );
}

/** The kind of wire a handle carries (for the search a dropped wire opens). */
function handleKind(nodeId: string, handle: string | null | undefined, type: 'source' | 'target'): string {
  const doc = useEditor.getState().doc;
  const n = doc.nodes.find((d) => d.id === nodeId);
  if (!n) return 'any';
  const ports = portsOf(doc.nodes, n);
  return (type === 'source' ? ports.outputs : ports.inputs).find((p) => p.name === handle)?.kind ?? 'any';
}

export function Canvas() {
  const doc = useEditor((s) => s.doc);
  const blockPath = useEditor((s) => s.blockPath);
  const level = useMemo(() => currentLevel({ doc, blockPath }), [doc, blockPath]);
  const view = useMemo(() => levelOf(doc, level), [doc, level]);
  const selectedNodes = useEditor((s) => s.selectedNodes);
  const selectedEdges = useEditor((s) => s.selectedEdges);
  const measured = useEditor((s) => s.measured);
  const session = useEditor((s) => s.session);
  const theme = useUi((s) => s.theme);
  const compiled = useCompiled();
  const wrapper = useRef<HTMLDivElement>(null);
  const nodeDeriver = useRef(new NodeDeriver()).current;
  const edgeDeriver = useRef(new EdgeDeriver()).current;

  const nodes = useMemo(
    () => nodeDeriver.derive(view.nodes, selectedNodes, compiled.byNode, measured, doc.nodes, level),
    [nodeDeriver, view, doc.nodes, level, selectedNodes, compiled, measured],
  );
  // Culling pays off when few nodes are on screen (zoomed in); zoomed out over a big graph it would unmount and
  // remount the nodes crossing the edge on every pan frame, so in the far view (cheap node faces) everything
  // stays mounted.
  const far = useStore(isFar);
  const big = nodes.length > BIG_GRAPH;
  const cull = big && !far;
  const farWires = big && far;
  const edges = useMemo(() => edgeDeriver.derive(doc, selectedEdges, compiled, level), [edgeDeriver, doc, selectedEdges, compiled, level]);

  useLabelLayout(wrapper, [edges, nodes, far]);

  // A newly loaded document shows its saved viewport, or the whole graph.
  useEffect(() => {
    const vp = useEditor.getState().doc.ui?.viewport;
    const t = setTimeout(() => (isViewport(vp) ? setViewport(vp) : fitView(undefined, false)), 60);
    return () => clearTimeout(t);
  }, [session]);

  // A canvas made short by a tall dock drops its minimap, which would cover the graph and the zoom controls.
  const [roomForMap, setRoomForMap] = useState(true);
  useEffect(() => {
    const el = wrapper.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setRoomForMap(el.clientHeight >= MINIMAP_MIN_CANVAS));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const onInit = useCallback((inst: ReactFlowInstance<HnNode, HnEdge>) => {
    registerCanvas(inst as unknown as ReactFlowInstance, wrapper.current);
  }, []);
  useEffect(() => () => registerCanvas(null, null), []);

  const onNodesChange = useCallback((changes: NodeChange<HnNode>[]) => {
    const s = useEditor.getState();
    const moves = new Map<string, { x: number; y: number }>();
    const sizes = new Map<string, { width: number; height: number }>();
    let selection: Set<string> | null = null;
    let dragEnded = false;
    for (const c of changes) {
      if ('id' in c && isBoundary(c.id)) continue; // the block's boundary is drawn, not part of the document
      if (c.type === 'position') {
        if (c.dragging && !inDrag) {
          inDrag = true;
          dragSeq++;
        } else if (c.dragging === false) dragEnded = true;
        if (c.position) moves.set(c.id, { x: Math.round(c.position.x), y: Math.round(c.position.y) });
      } else if (c.type === 'dimensions' && c.dimensions) {
        const old = s.measured.get(c.id);
        if (!old || old.width !== c.dimensions.width || old.height !== c.dimensions.height) sizes.set(c.id, c.dimensions);
      } else if (c.type === 'select') {
        selection ??= new Set(s.selectedNodes);
        if (c.selected) selection.add(c.id);
        else selection.delete(c.id);
      }
    }
    if (sizes.size) s.setMeasured(sizes);
    if (moves.size) s.apply((d) => moveNodes(d, moves), { coalesce: `drag:${dragSeq}`, graph: false });
    if (dragEnded) inDrag = false;
    if (selection) useEditor.getState().setSelection(selection, useEditor.getState().selectedEdges);
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange<HnEdge>[]) => {
    const s = useEditor.getState();
    let selection: Set<string> | null = null;
    for (const c of changes) {
      if (c.type === 'select') {
        selection ??= new Set(s.selectedEdges);
        if (c.selected) selection.add(c.id);
        else selection.delete(c.id);
      }
    }
    if (selection) s.setSelection(s.selectedNodes, selection);
  }, []);

  const onDragStop = useCallback(() => {
    inDrag = false;
  }, []);

  const isValidConnection: IsValidConnection<HnEdge> = useCallback((c) => {
    return connectionProblem(useEditor.getState().doc, { source: c.source, sourceHandle: c.sourceHandle, target: c.target, targetHandle: c.targetHandle }) === null;
  }, []);

  const onConnect = useCallback((c: Connection) => {
    const s = useEditor.getState();
    if (connectionProblem(s.doc, c)) return;
    s.apply((d) => connect(d, c));
  }, []);

  const onConnectEnd = useCallback((e: MouseEvent | TouchEvent, state: FinalConnectionState) => {
    const from = state.fromHandle;
    if (from && !state.toHandle && !state.toNode && !isBoundary(from.nodeId)) {
      // Dropped on empty canvas: search the node types that can take this wire, and wire the one chosen.
      const p = 'changedTouches' in e ? e.changedTouches[0] : e;
      if (!p) return;
      const handle = from.id ?? '';
      useUi.getState().openQuickAdd({
        at: screenToFlow({ x: p.clientX, y: p.clientY }),
        screen: { x: p.clientX, y: p.clientY },
        wire: { nodeId: from.nodeId, handle, type: from.type, kind: handleKind(from.nodeId, handle, from.type) },
      });
      return;
    }
    if (state.isValid !== false || !from || !state.toHandle) return;
    const reason = refusal(from, state.toHandle);
    if (reason) useUi.getState().notify('error', `Cannot connect: ${reason}`);
  }, []);

  const onNodeDoubleClick = useCallback((_e: ReactMouseEvent, node: HnNode) => {
    const s = useEditor.getState();
    const n = s.doc.nodes.find((d) => d.id === node.id);
    if (n && isBlock(n)) {
      s.enterBlock(n.id);
      requestAnimationFrame(() => fitView(undefined, false));
    }
  }, []);

  const onNodeContextMenu = useCallback((e: ReactMouseEvent, node: HnNode) => {
    if (isBoundary(node.id)) return;
    e.preventDefault();
    const s = useEditor.getState();
    if (!s.selectedNodes.has(node.id)) s.setSelection(new Set([node.id]), new Set());
    useUi.getState().set({ menu: { x: e.clientX, y: e.clientY, flow: screenToFlow({ x: e.clientX, y: e.clientY }), nodeId: node.id } });
  }, []);

  const onPaneContextMenu = useCallback((e: ReactMouseEvent | MouseEvent) => {
    e.preventDefault();
    useUi.getState().set({ menu: { x: e.clientX, y: e.clientY, flow: screenToFlow({ x: e.clientX, y: e.clientY }) } });
  }, []);

  /** A double-click on empty canvas opens the search there. */
  const onDoubleClick = useCallback((e: ReactMouseEvent) => {
    if (!(e.target instanceof Element) || !e.target.classList.contains('react-flow__pane')) return;
    useUi.getState().openQuickAdd({ at: screenToFlow({ x: e.clientX, y: e.clientY }), screen: { x: e.clientX, y: e.clientY } });
  }, []);

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(PALETTE_MIME) || e.dataTransfer.types.includes(BLOCK_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  }, []);

  const onDrop = useCallback((e: DragEvent) => {
    const type = e.dataTransfer.getData(PALETTE_MIME);
    const block = e.dataTransfer.getData(BLOCK_MIME);
    if (!type && !block) return;
    e.preventDefault();
    const p = screenToFlow({ x: e.clientX, y: e.clientY });
    if (block) void insertLibraryBlock(block, { x: p.x - 20, y: p.y - 20 });
    else addNodeOfType(type, { x: p.x - 20, y: p.y - 20 });
  }, []);

  return (
    <div
      className={big ? 'hn-canvas is-big' : 'hn-canvas'}
      ref={wrapper}
      data-testid="canvas"
      data-detail={far ? 'far' : 'full'}
      onDragOver={onDragOver}
      onDrop={onDrop}
      onDoubleClick={onDoubleClick}
    >
      <FarView.Provider value={far}>
        <ReactFlow<HnNode, HnEdge>
          nodes={nodes}
          edges={farWires ? NO_EDGES : edges}
          nodeTypes={nodeComponents}
          edgeTypes={edgeComponents}
          onInit={onInit}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onNodeDragStop={onDragStop}
          onSelectionDragStop={onDragStop}
          onConnect={onConnect}
          onConnectEnd={onConnectEnd}
          onNodeDoubleClick={onNodeDoubleClick}
          onNodeContextMenu={onNodeContextMenu}
          onPaneContextMenu={onPaneContextMenu}
          isValidConnection={isValidConnection}
          colorMode={theme}
          deleteKeyCode={null}
          selectionKeyCode="Shift"
          multiSelectionKeyCode={MULTI_SELECT_KEYS}
          zoomOnDoubleClick={false}
          minZoom={0.05}
          maxZoom={2.5}
          fitViewOptions={FIT_OPTIONS}
          onlyRenderVisibleElements={cull}
          proOptions={PRO_OPTIONS}
          connectionRadius={24}
          elevateEdgesOnSelect
        >
          {/* Zoomed out, the dots are a few pixels apart, a grey haze that costs a repaint of the pattern per frame. */}
          {!far && <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />}
          <Controls showInteractive={false} position="bottom-left" />
          <Breadcrumb path={validPath({ doc, blockPath })} />
          {roomForMap && <MiniMap<HnNode> pannable zoomable style={MINIMAP_STYLE} nodeClassName={MINIMAP_CLASS} position="bottom-right" ariaLabel="Overview of the graph" />}
          <ConnectionHint />
          {farWires && <FarWires edges={edges} />}
        </ReactFlow>
      </FarView.Provider>
      <ContextMenu />
      {doc.nodes.length === 0 && (
        <div className="hn-canvas__empty">
          <p>This graph is empty.</p>
          <p>
            Add nodes from the palette, press <kbd>/</kbd> to search, or start from a template.
          </p>
        </div>
      )}
    </div>
  );
}

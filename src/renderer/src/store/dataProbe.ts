/**
 * The app's verdict on each data node's files (`data.probe`): the compiler cannot read files, so the app reads
 * them as a run would, and its problems join the compiler's in the Problems panel. A node is probed again when its
 * params or the document's file change (debounced while typing), and when the window regains focus (the file may
 * have changed on disk; the app re-reads only files whose modification time changed). A result is used only while
 * it belongs to the node's current params, so a stale answer never shows.
 */
import { create } from 'zustand';
import type { DataProbeResult } from '../../../shared/api/data';
import type { HnetProblem } from '../../../shared/compiler/errors';
import type { HnetDocument } from '../../../shared/document/schema';
import { getNodeType } from '../../../shared/nodes';
import { api } from '../api/client';
import { useEditor } from './editor';

interface Probed {
  key: string;
  result: DataProbeResult;
}

export const useDataProbes = create<{ byNode: ReadonlyMap<string, Probed>; version: number }>()(() => ({ byNode: new Map(), version: 0 }));

const DEBOUNCE_MS = 250;

/** What a probe of `node` depends on: the document's file and the node's type and params. */
const keyOf = (handle: string | null, type: string, params: unknown) => JSON.stringify([handle, type, params]);

/** The document's nodes that read files, with their probe keys. */
function fileNodes(doc: HnetDocument, handle: string | null) {
  return doc.nodes.filter((n) => getNodeType(n.type)?.dataset?.files).map((n) => ({ node: n, key: keyOf(handle, n.type, n.params) }));
}

/** The current probe result of a node (undefined while none matches its params). */
export function probeOf(doc: HnetDocument, handle: string | null, id: string): DataProbeResult | undefined {
  const n = doc.nodes.find((x) => x.id === id);
  const p = useDataProbes.getState().byNode.get(id);
  return n && p && p.key === keyOf(handle, n.type, n.params) ? p.result : undefined;
}

/** The data problems of the document as it is now (results of earlier params left out). */
export function currentDataProblems(doc: HnetDocument, handle: string | null): HnetProblem[] {
  const byNode = useDataProbes.getState().byNode;
  return fileNodes(doc, handle).flatMap(({ node, key }) => {
    const p = byNode.get(node.id);
    return p && p.key === key ? p.result.problems : [];
  });
}

let timer: ReturnType<typeof setTimeout> | null = null;
const inFlight = new Map<string, string>();

async function probe(force: boolean): Promise<void> {
  const { doc, file } = useEditor.getState();
  const nodes = fileNodes(doc, file.handle);
  const live = new Set(nodes.map((n) => n.node.id));
  const byNode = useDataProbes.getState().byNode;
  if ([...byNode.keys()].some((id) => !live.has(id))) {
    useDataProbes.setState((s) => ({ byNode: new Map([...s.byNode].filter(([id]) => live.has(id))), version: s.version + 1 }));
  }
  await Promise.all(
    nodes.map(async ({ node, key }) => {
      if (!force && (byNode.get(node.id)?.key === key || inFlight.get(node.id) === key)) return;
      inFlight.set(node.id, key);
      try {
        const result = await api.invoke('data.probe', { handle: file.handle, node: node.id, type: node.type, params: node.params });
        // Only the answer to the latest request for this node counts.
        if (inFlight.get(node.id) !== key) return;
        useDataProbes.setState((s) => ({ byNode: new Map(s.byNode).set(node.id, { key, result }), version: s.version + 1 }));
      } catch {
        // The app could not answer (it is reconnecting): the next edit or focus asks again.
      } finally {
        if (inFlight.get(node.id) === key) inFlight.delete(node.id);
      }
    }),
  );
}

function schedule(force = false): void {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    void probe(force);
  }, DEBOUNCE_MS);
}

/** Start probing as the document changes; returns the function that stops. */
export function startDataProbes(): () => void {
  const off = useEditor.subscribe((s, prev) => {
    if (s.doc !== prev.doc || s.file.handle !== prev.file.handle) schedule();
  });
  const onFocus = () => schedule(true);
  window.addEventListener('focus', onFocus);
  schedule();
  return () => {
    off();
    window.removeEventListener('focus', onFocus);
    if (timer) clearTimeout(timer);
  };
}

/** Probe again now (after a file was chosen). */
export const probeNow = (): void => schedule(true);

/**
 * A run's provenance (src/shared/api/runs.ts `Provenance`): what it takes to trace a result back and regenerate it.
 * The app's runs (./record.ts) and `npm run results` (scripts/results/runner.ts) record it the same way.
 */
import { createHash } from 'node:crypto';
import type { Provenance } from '../../../shared/api/runs';
import type { HnetDocument } from '../../../shared/document/schema';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const sortedKeys = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));

/** The graph's identity: what it computes, not where its nodes are drawn nor how it is trained. */
export function graphIdentity(doc: HnetDocument): { graphHash: string; nodeParams: Record<string, unknown> } {
  const nodes = [...doc.nodes].sort((a, b) => (a.id < b.id ? -1 : 1)).map((n) => ({ id: n.id, type: n.type, params: sortedKeys(n.params) }));
  const edges = doc.edges.map((e) => `${e.source}.${e.sourcePort}->${e.target}.${e.targetPort}`).sort();
  const nodeParams: Record<string, unknown> = {};
  for (const n of nodes) for (const [k, v] of Object.entries(n.params)) nodeParams[`${n.id}.${k}`] = v;
  return { graphHash: sha256(JSON.stringify({ nodes, edges })), nodeParams };
}

/** The provenance of a run of `documentText` (as trained: `doc`, after overrides) with `seed`. */
export function provenanceOf(args: { appVersion: string; documentText: string; graphHash: string; seed: number; dataHash?: string | null }): Provenance {
  return { appVersion: args.appVersion, documentHash: sha256(args.documentText), graphHash: args.graphHash, dataHash: args.dataHash ?? null, seed: args.seed };
}

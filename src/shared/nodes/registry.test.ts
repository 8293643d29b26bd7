/**
 * What the registry declares holds for every node type: ids name their category, roles and dataset facts sit on
 * the categories they mean something for, and each role is declared by some type (a role nobody declares is a
 * pass reading nothing).
 */
import { describe, expect, it } from 'vitest';
import { categoryOfId, getNodeType, nodeTypes } from './index';
import { dataNodes } from './data';
import { CATEGORIES, type DatasetFacts, type NodeRoles } from './types';

const ROLES = ['regularizer', 'onlyServesGeneration'] as const satisfies readonly (keyof NodeRoles)[];
const FACTS = ['permutedTasks', 'generatedTrainBatches', 'files'] as const satisfies readonly (keyof DatasetFacts)[];
// Fails to compile when a role or fact is added to the interfaces but not to the lists above.
const everyRole: [Exclude<keyof NodeRoles, (typeof ROLES)[number]>] extends [never] ? true : false = true;
const everyFact: [Exclude<keyof DatasetFacts, (typeof FACTS)[number]>] extends [never] ? true : false = true;

describe('node registry', () => {
  it('ids are unique and name their category', () => {
    expect(everyRole && everyFact).toBe(true);
    expect(new Set(nodeTypes.map((t) => t.id)).size).toBe(nodeTypes.length);
    for (const t of nodeTypes) {
      expect(CATEGORIES).toContain(t.category);
      expect(t.id === t.category || t.id.startsWith(`${t.category}.`), t.id).toBe(true);
      expect(categoryOfId(t.id)).toBe(t.category);
      expect(getNodeType(t.id)).toBe(t);
    }
  });

  it('categoryOfId reads the prefix of ids it does not know', () => {
    expect(categoryOfId('data.mnsit')).toBe('data');
    expect(categoryOfId('objective.nope')).toBe('objective');
    expect(categoryOfId('metric.f1')).toBe('metric');
    expect(categoryOfId('dataset.mnist')).toBeUndefined();
    expect(categoryOfId('data')).toBeUndefined();
    expect(categoryOfId('mnist')).toBeUndefined();
  });

  it('every role is declared by some type, regularisers are objectives', () => {
    for (const role of ROLES) expect(nodeTypes.some((t) => t.roles?.[role]), role).toBe(true);
    for (const t of nodeTypes) if (t.roles?.regularizer) expect(t.category, t.id).toBe('objective');
    const generationOnly = nodeTypes.filter((t) => t.roles?.onlyServesGeneration).map((t) => t.id);
    expect(new Set(generationOnly)).toEqual(new Set(['objective.output_regularizer', 'objective.l2_weights']));
    expect(nodeTypes.filter((t) => t.roles?.regularizer).map((t) => t.id)).toEqual(['objective.output_regularizer']);
  });

  it('dataset facts are declared on data nodes only, and each by some data node', () => {
    for (const t of nodeTypes) if (t.dataset) expect(t.category, t.id).toBe('data');
    for (const fact of FACTS) expect(dataNodes.some((t) => t.dataset?.[fact]), fact).toBe(true);
    expect(dataNodes.filter((t) => t.dataset?.permutedTasks).map((t) => t.id)).toEqual(['data.permuted_mnist']);
    expect(dataNodes.filter((t) => t.dataset?.generatedTrainBatches).map((t) => t.id)).toEqual(['data.sinusoid']);
    expect(dataNodes.filter((t) => t.dataset?.files).map((t) => t.id)).toEqual(['data.csv', 'data.idx']);
    // The params a node reads files from are string params of its own.
    for (const t of dataNodes) for (const f of t.dataset?.files?.params ?? []) expect(Object.keys(t.params.shape), `${t.id}.${f}`).toContain(f);
  });

  it('every data node is in the registry', () => {
    for (const d of dataNodes) expect(getNodeType(d.id)).toBe(d);
    expect(nodeTypes.filter((t) => t.category === 'data')).toHaveLength(dataNodes.length);
  });
});

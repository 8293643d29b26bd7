/** `hnet nodes`: every node type of the registry, grouped by category. */
import { nodeTypes } from '../../shared/nodes/index';
import { CATEGORIES, type Category } from '../../shared/nodes/types';
import { EXIT, firstSentence, out } from './io';

const CATEGORY_TITLE: Record<Category, string> = {
  data: 'Data',
  context: 'Context',
  head: 'Heads',
  target: 'Target layers',
  objective: 'Objectives',
  metric: 'Metrics',
  probe: 'Probes',
};

export interface NodesFlags {
  json?: boolean;
}

export function nodesCommand(flags: NodesFlags): number {
  const rank = (c: Category) => CATEGORIES.indexOf(c);
  const sorted = [...nodeTypes].sort((a, b) => rank(a.category) - rank(b.category));
  if (flags.json) {
    for (const t of sorted) out(JSON.stringify({ id: t.id, category: t.category, title: t.title, doc: t.doc }));
    return EXIT.ok;
  }
  const width = Math.max(...sorted.map((t) => t.id.length));
  let category: Category | null = null;
  for (const t of sorted) {
    if (t.category !== category) {
      if (category !== null) out();
      category = t.category;
      out(`${CATEGORY_TITLE[category] ?? category}`);
    }
    out(`  ${t.id.padEnd(width)}  ${t.title}: ${firstSentence(t.doc).replace(/`/g, '')}`);
  }
  return EXIT.ok;
}

/**
 * What a compiled program offers the inspector and the prediction views (heads and the weights they drive, the
 * kinds of context that make sense, classification or regression), read off the IR alone. Pure: the app calls it
 * on its own thread without loading tfjs.
 */
import type { ProgramOutline } from '../../shared/api/runs';
import type { Program } from '../../shared/compiler/ir';

/** Parameter names of the program's task-embedding tables. */
export function embeddingTables(program: Program): string[] {
  const byId = new Map(program.ops.map((o) => [o.id, o]));
  const out = new Set<string>();
  for (const op of program.ops) {
    if (op.op !== 'embedding' || !op.inputs[0]) continue;
    const table = byId.get(op.inputs[0]);
    if (table?.op === 'param') out.add(table.name);
  }
  return [...out];
}

/** Whether some generated weights depend on the input or on a per-batch context vector (not only on the task). */
function dependsOnSample(program: Program): boolean {
  const byId = new Map(program.ops.map((o) => [o.id, o]));
  return program.data.context !== undefined || program.generated.some((g) => g.perSample || byId.get(g.value)?.dataDependent === true);
}

/** What the interpolation slider moves over by default: tasks when there is a task embedding and several tasks. */
export function defaultInterpolation(program: Program): 'task' | 'sample' | null {
  if (program.data.tasks > 1 && embeddingTables(program).length > 0) return 'task';
  return dependsOnSample(program) ? 'sample' : null;
}

export function outlineProgram(program: Program): ProgramOutline {
  const heads = new Map<string, ProgramOutline['heads'][number]>();
  for (const g of program.generated) {
    let h = heads.get(g.head);
    if (!h) heads.set(g.head, (h = { head: g.head, routes: [] }));
    h.routes.push({ target: `${g.target}.${g.targetPort}`, shape: g.shape.filter((d): d is number => d !== 'B'), perSample: g.perSample });
  }
  const byId = new Map(program.ops.map((o) => [o.id, o]));
  const classification = program.data.yDtype === 'int32';
  let classes: number | null = null;
  if (classification && program.prediction) {
    const shape = byId.get(program.prediction)?.shape ?? [];
    const k = shape[shape.length - 1];
    classes = typeof k === 'number' ? (k === 1 ? 2 : k) : null;
  }
  const taskList = program.training.tasks ?? Array.from({ length: program.data.tasks }, (_, i) => i);
  return {
    heads: [...heads.values()],
    tasks: program.data.tasks,
    taskList,
    kind: classification ? 'classification' : 'regression',
    classes,
    inputShape: [...program.data.x],
    contextVector: program.data.context !== undefined,
    contexts: { task: program.data.tasks > 1, sample: dependsOnSample(program) },
    interpolation: defaultInterpolation(program),
    metrics: program.metrics.map((m) => m.name),
    losses: program.losses.map((l) => l.name),
    hasPrediction: program.prediction !== undefined,
    sequential: program.training.schedule === 'sequential' && taskList.length > 1,
  };
}

/**
 * The compiler: validate -> infer shapes -> order -> lower to program IR. Pure and synchronous; every problem
 * comes back as a value naming the node and port.
 */
import type { HnetDocument } from '../document/schema';
import { parameterBudget, type Budget } from './budget';
import { scopeProblems, validateBlocks } from './blocks';
import { problem, type HnetProblem } from './errors';
import { validateGraph, type Graph } from './graph';
import { inferShapes, type Inference } from './infer';
import type { Program } from './ir';
import { lowerToProgram } from './lower';

/** Largest model the engine will allocate (parameters, all kinds together). */
export const MAX_PARAMETERS = 100_000_000;

export interface CompileResult {
  ok: boolean;
  /** What stops the graph from compiling; empty when ok. */
  problems: HnetProblem[];
  /** What compiles but is likely a mistake (severity 'warning'), reported whether or not the graph compiles. */
  warnings: HnetProblem[];
  graph: Graph;
  inference?: Inference;
  program?: Program;
  budget?: Budget;
}

/**
 * @example
 * const result = compile(doc);
 * if (!result.ok) for (const p of result.problems) console.error(formatProblem(p));
 */
export function compile(doc: HnetDocument): CompileResult {
  const result = compileFlat(doc);
  if (!doc.nodes.some((n) => n.parent !== undefined)) return result;
  const inference = result.inference && { ...result.inference, problems: scopeProblems(doc, result.inference.problems), warnings: scopeProblems(doc, result.inference.warnings) };
  return { ...result, problems: scopeProblems(doc, result.problems), warnings: scopeProblems(doc, result.warnings), ...(inference ? { inference } : {}) };
}

/** Blocks are flattened by construction (wires join real nodes); this compiles the real nodes. */
function compileFlat(doc: HnetDocument): CompileResult {
  const { graph, problems } = validateGraph(doc);
  problems.push(...validateBlocks(doc, graph.nodes));
  const inference = inferShapes(graph);
  problems.push(...inference.problems);
  if (problems.length) return { ok: false, problems, warnings: inference.warnings, graph, inference };
  const lowered = lowerToProgram(graph, inference);
  if (!lowered.program) return { ok: false, problems: lowered.problems, warnings: inference.warnings, graph, inference };
  const budget = parameterBudget(lowered.program);
  const total = budget.hyper + budget.ordinary;
  if (total > MAX_PARAMETERS)
    return {
      ok: false,
      problems: [problem('HN043', `the model would have ${total.toLocaleString('en')} parameters; the limit is ${MAX_PARAMETERS.toLocaleString('en')}`, { path: 'nodes' })],
      warnings: inference.warnings,
      graph,
      inference,
    };
  return { ok: true, problems: [], warnings: inference.warnings, graph, inference, program: lowered.program, budget };
}

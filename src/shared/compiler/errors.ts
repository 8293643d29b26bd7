/**
 * The error catalogue: every problem the loader, the compiler or the engine reports is a value with a stable
 * code, the node and port (or document field) it concerns, and a sentence a user can act on.
 */

export const ErrorCodes = {
  HN001: 'invalid JSON',
  HN002: 'not a Hypernet Studio document',
  HN003: 'unsupported format version',
  HN004: 'document field invalid',
  HN010: 'duplicate node id',
  HN011: 'unknown node type',
  HN012: 'invalid node parameter',
  HN013: 'size out of range',
  HN020: 'edge to a missing node',
  HN021: 'edge to a missing port',
  HN022: 'port kinds do not match',
  HN023: 'input wired more than once',
  HN024: 'required input not wired',
  HN025: 'cycle in the graph',
  HN026: 'duplicate edge id',
  HN030: 'shape mismatch',
  HN031: 'head cannot drive this weight',
  HN032: 'head drives nothing',
  HN033: 'generation mode not supported',
  HN034: 'context is constant',
  HN040: 'no dataset',
  HN041: 'more than one dataset',
  HN042: 'no objective',
  HN043: 'model too large',
  HN044: 'no generated weights to replace',
  HN045: 'no full budget',
  HN046: 'run too large for the resource limits',
  HN050: 'training diverged',
  HN051: 'data file problem',
  HN052: 'backend unavailable',
  HN053: 'checkpoint does not match',
  HN054: 'data file outside the allowed folders',
  HN055: 'data file too large',
  HN060: 'training worker crashed',
  HN061: 'training worker out of memory',
  HN070: 'block is malformed',
  HN071: 'block port invalid',
  HN072: 'wire crosses a block without a port',
  HN073: 'promoted parameter invalid',
  HN074: 'node cannot be bypassed',
} as const;
export type ErrorCode = keyof typeof ErrorCodes;

/**
 * A problem found in a document or a run. `path` names a document field when there is no node. A warning
 * (severity 'warning') does not stop the graph from compiling or training: the compiler reports those apart,
 * in CompileResult.warnings.
 */
export interface HnetProblem {
  code: ErrorCode;
  message: string;
  severity?: 'warning';
  node?: string;
  port?: string;
  path?: string;
  /** The blocks around `node`, outermost first (`outer/inner`), when it is inside one: shown as `outer/inner/node`. */
  scope?: string;
}

/** Thrown inside the compiler's passes and caught at their boundary, so callers only ever see values. */
export class HnetError extends Error {
  readonly problem: HnetProblem;
  constructor(problem: HnetProblem) {
    super(formatProblem(problem));
    this.problem = problem;
    this.name = 'HnetError';
  }
}

export function problem(code: ErrorCode, message: string, where: Omit<HnetProblem, 'code' | 'message'> = {}): HnetProblem {
  return { code, message, ...where };
}

export function fail(code: ErrorCode, message: string, where: Omit<HnetProblem, 'code' | 'message'> = {}): never {
  throw new HnetError(problem(code, message, where));
}

/** The node a problem names, with the blocks around it: `generator/hyper`. */
export const problemNode = (p: HnetProblem): string | undefined => (p.node ? (p.scope ? `${p.scope}/${p.node}` : p.node) : undefined);

/** `dense_2.kernel: expects [64, 10], head_1 produces 650 (HN030)`; inside a block `generator/hyper.chunkSize: ...` */
export function formatProblem(p: HnetProblem): string {
  const node = problemNode(p);
  const where = node ? (p.port ? `${node}.${p.port}` : node) : p.path;
  return `${where ? `${where}: ` : ''}${p.message} (${p.code})`;
}

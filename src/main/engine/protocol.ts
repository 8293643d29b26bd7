/**
 * The messages between a caller (CLI, Electron main process, `hnet serve`) and the training worker, declared
 * with zod so both sides validate what crosses the thread boundary.
 *
 * main -> worker: start (once), pause, resume, stop; query (an inspector question, ./inspect.ts).
 * worker -> main: event (every {@link EngineEvent} the run streams), reply (to a query), fatal (the run failed;
 * always the last message).
 *
 * A worker started with `load` instead of `start` trains nothing: it restores a run's checkpoint and answers
 * queries until `close` (inspecting a run after it ended).
 *
 * Besides the messages, `start` may carry a small SharedArrayBuffer of control flags ({@link ControlFlag}) that
 * the caller writes as well: the worker sees pause and stop through it even while a training loop keeps its
 * thread busy between message deliveries.
 */
import { z } from 'zod';
import { EngineEvent } from '../../shared/api/events';
import { GenerateQuery, InspectQuery } from '../../shared/api/runs';
import { ErrorCodes, type ErrorCode, type HnetProblem } from '../../shared/compiler/errors';
import type { Program } from '../../shared/compiler/ir';
import { TrainOptionsSchema } from './options';

const codes = Object.keys(ErrorCodes) as [ErrorCode, ...ErrorCode[]];

export const HnetProblemSchema = z.object({
  code: z.enum(codes),
  message: z.string(),
  node: z.string().optional(),
  port: z.string().optional(),
  path: z.string().optional(),
}) satisfies z.ZodType<HnetProblem>;

/** The program IR is plain data made by the compiler; the worker checks its outline, not every op. */
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const ProgramSchema = z.custom<Program>(
  (v) => isRecord(v) && v.irVersion === 1 && Array.isArray(v.ops) && Array.isArray(v.params) && isRecord(v.data),
  { message: 'not a compiled program (irVersion 1)' },
);

/** Indices into the Int32Array over the control buffer: 1 means requested. */
export const ControlFlag = { pause: 0, stop: 1 } as const;
export const CONTROL_BYTES = 2 * Int32Array.BYTES_PER_ELEMENT;

export const StartMessage = z.object({
  type: z.literal('start'),
  program: ProgramSchema,
  options: TrainOptionsSchema,
  control: z.instanceof(SharedArrayBuffer).optional(),
});

/** Start an inspection-only worker on a run's checkpoint (the run has ended). */
export const LoadMessage = z.object({
  type: z.literal('load'),
  program: ProgramSchema,
  options: TrainOptionsSchema,
  checkpoint: z.string(),
});

/** An inspector question, or a request for the full generated weights of some tasks (the safetensors export). */
export const QueryMessage = z.object({ type: z.literal('query'), id: z.number().int(), query: z.union([GenerateQuery, InspectQuery]) });

export const MainToWorker = z.discriminatedUnion('type', [
  StartMessage,
  z.object({ type: z.literal('pause') }),
  z.object({ type: z.literal('resume') }),
  z.object({ type: z.literal('stop') }),
  QueryMessage,
  LoadMessage,
  z.object({ type: z.literal('close') }),
]);
export type MainToWorker = z.infer<typeof MainToWorker>;

/** Why a query got no answer: `not_found`/`invalid_request` (the question), `ended` (the run ended first), `failed`. */
export const ReplyError = z.object({ code: z.enum(['not_found', 'invalid_request', 'ended', 'failed']), message: z.string() });
export type ReplyError = z.infer<typeof ReplyError>;

export const WorkerToMain = z.discriminatedUnion('type', [
  z.object({ type: z.literal('event'), event: EngineEvent }),
  /** The answer to query `id`: `result` (checked by the caller against InspectResult) or `error`. */
  z.object({ type: z.literal('reply'), id: z.number().int(), result: z.unknown().optional(), error: ReplyError.optional() }),
  /** An inspection worker restored its checkpoint and takes queries. */
  z.object({ type: z.literal('ready'), step: z.number().int() }),
  z.object({ type: z.literal('fatal'), problem: HnetProblemSchema }),
]);
export type WorkerToMain = z.infer<typeof WorkerToMain>;

/** A short readable summary of why a message failed validation. */
export function describeInvalid(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || 'message'}: ${i.message}`)
    .join('; ');
}

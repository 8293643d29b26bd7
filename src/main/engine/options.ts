/**
 * What a caller may set for one training run besides the document: one declaration, a zod schema, because the
 * options cross the worker boundary (protocol.ts checks them there) and the TypeScript type is inferred from it.
 */
import { z } from 'zod';
import { Backend } from '../../shared/document/schema';

const positiveInt = z.number().int().positive();

export const TrainOptionsSchema = z.object({
  /** Override the document's steps per task. */
  steps: z.number().int().min(0).optional(),
  /** Override the document's seed. */
  seed: z.number().int().min(0).optional(),
  /** Override the document's backend choice. */
  backend: Backend.optional(),
  /** Folder of the document, for data files given by relative path; its files may be read. */
  baseDir: z.string().optional(),
  /** Folders the user granted for data files besides the document's (engine/data/files.ts). */
  dataGrants: z.array(z.string()).optional(),
  /** The largest data file read, in bytes (default 1 GiB). */
  maxDataBytes: positiveInt.optional(),
  /** Write the trained parameters here (weights.json + weights.bin) at the end. */
  saveDir: z.string().optional(),
  /** Write a checkpoint here every `checkpointEvery` steps and at the end. */
  checkpointPath: z.string().optional(),
  checkpointEvery: positiveInt.optional(),
  /** Resume from this checkpoint file. */
  resumeFrom: z.string().optional(),
  /** Emit a step event every N steps (default: about 200 per run). */
  stepEventEvery: positiveInt.optional(),
});

export type TrainOptions = z.infer<typeof TrainOptionsSchema>;

import type { Backend } from '../../shared/document/schema';

export interface TrainOptions {
  /** Override the document's steps per task. */
  steps?: number;
  /** Override the document's seed. */
  seed?: number;
  /** Override the document's backend choice. */
  backend?: Backend;
  /** Folder of the document, for data files given by relative path; its files may be read. */
  baseDir?: string;
  /** Folders the user granted for data files besides the document's (engine/data/files.ts). */
  dataGrants?: string[];
  /** The largest data file read, in bytes (default 1 GiB). */
  maxDataBytes?: number;
  /** Write the trained parameters here (weights.json + weights.bin) at the end. */
  saveDir?: string;
  /** Write a checkpoint here every `checkpointEvery` steps and at the end. */
  checkpointPath?: string;
  checkpointEvery?: number;
  /** Resume from this checkpoint file. */
  resumeFrom?: string;
  /** Emit a step event every N steps (default: about 200 per run). */
  stepEventEvery?: number;
}

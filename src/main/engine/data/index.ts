/**
 * Opening the dataset a program names: its node type id picks the loader, which re-parses the params with
 * the node's own schema (so defaults are filled and types are known) and returns a seeded Dataset.
 */
import { z } from 'zod';
import type { SinusoidGenerator } from '../../../shared/codegen/dataManifest';
import { fail } from '../../../shared/compiler/errors';
import {
  CsvData,
  FashionMnistData,
  GaussianMixtureData,
  IdxData,
  MnistData,
  MnistInrData,
  MoonsData,
  PermutedMnistData,
  SinusoidData,
  SpiralsData,
  SplitMnistData,
  ToyRegressionClData,
  type DataNodeType,
} from '../../../shared/nodes/data';
import { openCsv } from './csv';
import { openIdx } from './idx';
import { openGaussianMixture } from './gaussianMixture';
import { mnistPermutation, openFashionMnist, openMnist, openMnistInr, openPermutedMnist, openSplitMnist } from './mnist';
import { openSinusoid, sinusoidGenerator } from './sinusoid';
import { openMoons, openSpirals } from './toy2d';
import { openToyRegression } from './toyRegression';
import type { DataAccess } from './files';
import type { Dataset } from './types';

export type { Batch, Dataset, EvalSplit } from './types';

/** `baseDir` (the document's folder), `dataGrants` and `maxDataBytes` bound what file datasets may read (./files.ts). */
export interface OpenOptions extends DataAccess {
  /** Fixes generated data, train/test splits and evaluation sets. */
  seed: number;
  /** Node id, named in every error. */
  node: string;
}

type Opener = (params: Record<string, unknown>, opts: OpenOptions) => Dataset;

/**
 * What the engine implements for a dataset node type: its opener, and the means behind each fact its
 * declaration states (`dataset` on the node type; a test checks that the two agree).
 */
export interface Loader {
  open: Opener;
  /** Declared `permutedTasks`: the permutation task `task`'s inputs are seen through (undefined: the identity). */
  permutation?(seed: number, task: number): Int32Array | undefined;
  /** Declared `generatedTrainBatches`: the settings an export regenerates the training batches from. */
  generator?(params: Record<string, unknown>): SinusoidGenerator;
}

// Keyed by the declarations' own ids: a dataset node without a loader here does not compile.
const loaders = {
  [SinusoidData.id]: { open: openSinusoid, generator: sinusoidGenerator },
  [ToyRegressionClData.id]: { open: openToyRegression },
  [MnistData.id]: { open: openMnist },
  [SplitMnistData.id]: { open: openSplitMnist },
  [PermutedMnistData.id]: { open: openPermutedMnist, permutation: mnistPermutation },
  [MnistInrData.id]: { open: openMnistInr },
  [FashionMnistData.id]: { open: openFashionMnist },
  [SpiralsData.id]: { open: openSpirals },
  [MoonsData.id]: { open: openMoons },
  [GaussianMixtureData.id]: { open: openGaussianMixture },
  [CsvData.id]: { open: openCsv },
  [IdxData.id]: { open: openIdx },
} satisfies Record<DataNodeType, Loader>;

export const datasetTypes = (): DataNodeType[] => Object.keys(loaders) as DataNodeType[];

/** The loader of a program's dataset type, failing with HN011 (naming `node`) for a type that is not a dataset. */
export function loaderOf(type: string, node: string): Loader {
  if (!Object.hasOwn(loaders, type)) fail('HN011', `"${type}" is not a dataset type (known: ${datasetTypes().join(', ')})`, { node });
  return loaders[type as DataNodeType];
}

export function openDataset(type: string, params: Record<string, unknown>, opts: OpenOptions): Dataset {
  const { open } = loaderOf(type, opts.node);
  try {
    return open(params, opts);
  } catch (e) {
    // The compiler validated the params already; this only fires for programs built by hand.
    if (e instanceof z.ZodError) fail('HN012', `invalid dataset parameters: ${z.prettifyError(e)}`, { node: opts.node });
    throw e;
  }
}

/**
 * Opening the dataset a program names: its node type id picks the loader, which re-parses the params with
 * the node's own schema (so defaults are filled and types are known) and returns a seeded Dataset.
 */
import { z } from 'zod';
import { fail } from '../../../shared/compiler/errors';
import { openCsv } from './csv';
import { openIdx } from './idx';
import { openGaussianMixture } from './gaussianMixture';
import { openFashionMnist, openMnist, openMnistInr, openPermutedMnist, openSplitMnist } from './mnist';
import { openSinusoid } from './sinusoid';
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

const openers: Record<string, Opener> = {
  'data.sinusoid': openSinusoid,
  'data.toy_regression_cl': openToyRegression,
  'data.mnist': openMnist,
  'data.split_mnist': openSplitMnist,
  'data.permuted_mnist': openPermutedMnist,
  'data.mnist_inr': openMnistInr,
  'data.fashion_mnist': openFashionMnist,
  'data.spirals': openSpirals,
  'data.moons': openMoons,
  'data.gaussian_mixture': openGaussianMixture,
  'data.csv': openCsv,
  'data.idx': openIdx,
};

export const datasetTypes = (): string[] => Object.keys(openers);

export function openDataset(type: string, params: Record<string, unknown>, opts: OpenOptions): Dataset {
  const open = Object.hasOwn(openers, type) ? openers[type] : undefined;
  if (!open) fail('HN011', `"${type}" is not a dataset type (known: ${Object.keys(openers).join(', ')})`, { node: opts.node });
  try {
    return open(params, opts);
  } catch (e) {
    // The compiler validated the params already; this only fires for programs built by hand.
    if (e instanceof z.ZodError) fail('HN012', `invalid dataset parameters: ${z.prettifyError(e)}`, { node: opts.node });
    throw e;
  }
}

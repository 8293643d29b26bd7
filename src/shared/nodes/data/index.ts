/** Every dataset node type, in palette order. */
import { CsvData } from './csv';
import { FashionMnistData } from './fashionMnist';
import { GaussianMixtureData } from './gaussianMixture';
import { IdxData } from './idx';
import { MnistData } from './mnist';
import { MnistInrData } from './mnistInr';
import { MoonsData } from './moons';
import { PermutedMnistData } from './permutedMnist';
import { SinusoidData } from './sinusoid';
import { SpiralsData } from './spirals';
import { SplitMnistData } from './splitMnist';
import { ToyRegressionClData } from './toyRegressionCl';

export {
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
};

/** The dataset node types' ids: tables keyed by dataset type are `Record<DataNodeType, …>`. */
export type DataNodeType = (typeof dataNodes)[number]['id'];

export const dataNodes = [
  SinusoidData,
  ToyRegressionClData,
  SpiralsData,
  MoonsData,
  GaussianMixtureData,
  MnistData,
  SplitMnistData,
  PermutedMnistData,
  MnistInrData,
  FashionMnistData,
  CsvData,
  IdxData,
] as const;

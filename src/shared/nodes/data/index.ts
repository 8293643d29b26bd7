/** Every dataset node type, in palette order. */
import { CsvData } from './csv';
import { IdxData } from './idx';
import { MnistData } from './mnist';
import { MoonsData } from './moons';
import { PermutedMnistData } from './permutedMnist';
import { SinusoidData } from './sinusoid';
import { SpiralsData } from './spirals';
import { SplitMnistData } from './splitMnist';
import { ToyRegressionClData } from './toyRegressionCl';

export {
  CsvData,
  IdxData,
  MnistData,
  MoonsData,
  PermutedMnistData,
  SinusoidData,
  SpiralsData,
  SplitMnistData,
  ToyRegressionClData,
};

export const dataNodes = [
  SinusoidData,
  ToyRegressionClData,
  SpiralsData,
  MoonsData,
  MnistData,
  SplitMnistData,
  PermutedMnistData,
  CsvData,
  IdxData,
];

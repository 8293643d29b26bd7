/**
 * One training run, on the backend the options or the document ask for: `pytorch` trains the program's PyTorch
 * export in a Python subprocess (./pytorch.ts); every other choice is the tfjs engine (./train.ts). Both take the
 * same arguments, stream the same events and end with a DoneEvent or an HnetError.
 */
import type { DoneEvent, EngineEvent } from '../../shared/api/events';
import type { Program } from '../../shared/compiler/ir';
import type { RunControl } from './control';
import type { TrainOptions } from './options';
import { trainWithPytorch } from './pytorch';
import { train } from './train';

export const usesPytorch = (program: Program, opts: TrainOptions): boolean => (opts.backend ?? program.training.backend) === 'pytorch';

export function runTraining(program: Program, opts: TrainOptions, emit: (e: EngineEvent) => void, control?: RunControl): Promise<DoneEvent> {
  return usesPytorch(program, opts) ? trainWithPytorch(program, opts, emit, control) : train(program, opts, emit, control);
}

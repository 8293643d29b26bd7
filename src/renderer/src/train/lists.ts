/** The Train tab's choice lists, as the document schema declares them (a new optimizer needs only its label here). */
import { Backend, OptimizerType } from '../../../shared/document/schema';

export const BACKENDS = Backend.options;
export const OPTIMIZERS = OptimizerType.options;
export const OPTIMIZER_LABELS = { adam: 'Adam', sgd: 'SGD', rmsprop: 'RMSprop' } satisfies Record<OptimizerType, string>;

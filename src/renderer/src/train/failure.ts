/**
 * What the failure card says to do next, by how the run ended: a lower learning rate only when the loss
 * diverged; an interrupted run simply continues; a crash or a refusal is fixed from its message first.
 *
 * @example
 * failureAdvice('diverged', false, '0.001'); // "No checkpoint was kept before the loss diverged: start a new run at a lower learning rate (0.001, ten times lower)."
 */
export type FailedStatus = 'diverged' | 'crashed' | 'failed' | 'interrupted';

export interface FailureAdvice {
  /** The card's title: "The run diverged". */
  title: string;
  /** The label of the learning-rate field beside "Resume from checkpoint". */
  rateLabel: string;
  /** What to do when no checkpoint was kept. */
  noCheckpoint: string;
}

export function failureAdvice(status: FailedStatus, lowerRate: string): FailureAdvice {
  switch (status) {
    case 'diverged':
      return {
        title: 'The run diverged',
        rateLabel: 'Retry at a lower learning rate',
        noCheckpoint: `No checkpoint was kept before the loss diverged: start a new run at a lower learning rate${lowerRate ? ` (${lowerRate}, ten times lower)` : ''}.`,
      };
    case 'interrupted':
      return {
        title: 'The run was interrupted',
        rateLabel: 'Learning rate',
        noCheckpoint: 'No checkpoint was kept before the run was interrupted: start it again with the same settings.',
      };
    case 'crashed':
      return {
        title: 'The run crashed',
        rateLabel: 'Learning rate',
        noCheckpoint: 'No checkpoint was kept before the crash: fix what the message above says, then start a new run.',
      };
    case 'failed':
      return {
        title: 'The run failed',
        rateLabel: 'Learning rate',
        noCheckpoint: 'No checkpoint was kept: fix what the message above says, then start a new run.',
      };
  }
}

import { describe, expect, it } from 'vitest';
import { failureAdvice, type FailedStatus } from './failure';

const ALL: FailedStatus[] = ['diverged', 'crashed', 'failed', 'interrupted'];

describe('failureAdvice', () => {
  it('suggests a lower learning rate when the loss diverged, with the rate to try', () => {
    const a = failureAdvice('diverged', '0.001');
    expect(a.title).toBe('The run diverged');
    expect(a.rateLabel).toMatch(/lower learning rate/);
    expect(a.noCheckpoint).toMatch(/diverged: start a new run at a lower learning rate \(0\.001, ten times lower\)\.$/);
    expect(failureAdvice('diverged', '').noCheckpoint).toMatch(/lower learning rate\.$/);
  });

  it('never suggests lowering the learning rate for any other failure, in any text', () => {
    for (const s of ALL.filter((x) => x !== 'diverged')) {
      const a = failureAdvice(s, '0.001');
      for (const text of Object.values(a)) expect(text, `${s}: ${text}`).not.toMatch(/lower|diverg/i);
    }
  });

  it('says what fits each kind: continue an interrupted run, fix a crash or a refusal first', () => {
    expect(failureAdvice('interrupted', '').noCheckpoint).toMatch(/start it again with the same settings/);
    expect(failureAdvice('crashed', '').noCheckpoint).toMatch(/fix what the message above says/);
    expect(failureAdvice('failed', '').noCheckpoint).toMatch(/fix what the message above says/);
    expect(ALL.map((s) => failureAdvice(s, '').title)).toEqual(['The run diverged', 'The run crashed', 'The run failed', 'The run was interrupted']);
  });
});

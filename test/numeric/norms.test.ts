/**
 * The generated-weight norms the dashboard charts arrive through the run, not only at evaluations: about 50 a
 * run even when the document evaluates only at the end, each the Frobenius norm of what the head generates.
 */
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/shared/api/events';
import { record } from './helpers';
import { templateProgram } from '../helpers/templates';

type WeightsEvent = Extract<EngineEvent, { event: 'weights' }>;

describe('generated-weight norms over training', () => {
  it('are reported about 50 times a run with evaluation only at the end, in step order, one per generated tensor', async () => {
    const program = templateProgram('sinusoid-family', (d) => {
      d.training.evalEvery = 0;
    });
    const run = await record(program, { steps: 200, backend: 'cpu', seed: 5 });
    const norms = run.events.filter((e): e is WeightsEvent => e.event === 'weights');
    expect(norms.length).toBeGreaterThanOrEqual(45);
    expect(norms.length).toBeLessThanOrEqual(52);
    const steps = norms.map((e) => e.step);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    for (const e of norms) {
      expect(e.stats.map((s) => s.target)).toEqual(program.generated.map((g) => `${g.target}.${g.targetPort}`));
      for (const s of e.stats) expect(s.norm).toBeGreaterThan(0);
    }
  });
});

/**
 * DistributedDataParallel: `torchrun --nproc_per_node=2` (gloo, CPU) trains an exported template for a few
 * steps; each rank draws its own batches, gradients are averaged, so both ranks end with identical parameters
 * (and different ones from where they started).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doneOf, events, hnet, python, removeDir, requireTorch, root, run, tempDir, TIMEOUT } from './helpers';

const TORCHRUN = process.env.HNET_TORCHRUN ?? 'torchrun';

let dir: string;
beforeAll(() => {
  requireTorch();
  dir = tempDir('ddp');
});
afterAll(() => removeDir(dir));

describe('train.py under torchrun', () => {
  it(
    'two ranks (gloo, CPU) end with identical parameters',
    () => {
      const out = join(dir, 'project');
      const exported = hnet(['export', join(root, 'templates', 'sinusoid-family.hnet.json'), '--to', 'pytorch', '--out', out]);
      expect(exported.status, exported.stderr).toBe(0);
      const saved = join(dir, 'weights');
      const r = run(
        TORCHRUN,
        [
          '--standalone',
          '--nproc_per_node=2',
          // Debian's torch 1.13 on Python 3.11 cannot parse the default "0" of --redirects/--tee (Std.from_str
          // returns None); a mapping for a local rank that does not exist means "no redirection" for every rank.
          '--redirects', '9:1',
          '--tee', '9:1',
          'train.py', '--steps', '5', '--device', 'cpu', '--save', saved, '--save-all-ranks',
        ],
        { cwd: out, env: { ...process.env, OMP_NUM_THREADS: '1' } },
      );
      expect(r.status, `${r.stderr.slice(-3000)}\n${r.stdout.slice(-1000)}`).toBe(0);
      const start = events(r.stdout).find((e) => e.event === 'start');
      expect(start?.backend).toBe('pytorch-cpu-ddp2');
      expect(doneOf(r.stdout).step).toBe(5);
      const rank0 = readFileSync(join(saved, 'rank0', 'weights.bin'));
      const rank1 = readFileSync(join(saved, 'rank1', 'weights.bin'));
      expect(rank0.length).toBeGreaterThan(0);
      expect(rank0.equals(rank1)).toBe(true);
      expect(readFileSync(join(saved, 'rank0', 'weights.json'), 'utf8')).toBe(readFileSync(join(saved, 'rank1', 'weights.json'), 'utf8'));

      // Training moved the parameters: a single process with the same seed and no steps saves different ones.
      const initial = join(dir, 'initial');
      python(['train.py', '--steps', '0', '--device', 'cpu', '--save', initial], { cwd: out });
      expect(readFileSync(join(initial, 'weights.bin')).equals(rank0)).toBe(false);
    },
    TIMEOUT,
  );
});

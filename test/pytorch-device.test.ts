/** Which device the PyTorch backend trains on: CUDA, else Apple's MPS, else the CPU; a device it lacks is refused by name. */
import { describe, expect, it } from 'vitest';
import { resolveDevice, type TorchInfo } from '../src/main/engine/pytorch';
import { HnetError } from '../src/shared/compiler/errors';
import { rejection } from './helpers/errors';

const torch = (over: Partial<TorchInfo>): TorchInfo => ({ python: '/usr/bin/python3', torch: '2.4.0', cuda: false, mps: false, threads: 4, pythonVersion: '3.11.2', ...over });

describe('resolveDevice', () => {
  it('auto picks CUDA, else MPS, else the CPU', () => {
    expect(resolveDevice('auto', torch({ cuda: true, mps: true }))).toBe('cuda');
    expect(resolveDevice('auto', torch({ mps: true }))).toBe('mps');
    expect(resolveDevice('auto', torch({}))).toBe('cpu');
  });

  it('takes a device that is there', () => {
    expect(resolveDevice('mps', torch({ mps: true }))).toBe('mps');
    expect(resolveDevice('cuda:1', torch({ cuda: true }))).toBe('cuda:1');
    expect(resolveDevice('cpu', torch({ cuda: true }))).toBe('cpu');
  });

  it('refuses a device this torch does not see, or does not know, naming what to use', async () => {
    const refused = (asked: string, info: TorchInfo) => rejection((async () => resolveDevice(asked, info))(), HnetError);
    expect((await refused('mps', torch({ cuda: true }))).message).toMatch(/no usable MPS device .*use cpu or cuda/);
    expect((await refused('cuda', torch({ mps: true }))).message).toMatch(/sees no CUDA device; use cpu or mps/);
    expect((await refused('tpu', torch({}))).message).toMatch(/unknown PyTorch device "tpu": use auto, cpu, cuda, cuda:N or mps/);
  });
});

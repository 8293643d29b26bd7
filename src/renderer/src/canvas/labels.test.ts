import { describe, expect, it } from 'vitest';
import { separate } from './labels';

const box = (left: number, top: number, w = 40, h = 16) => ({ left, top, right: left + w, bottom: top + h });

describe('separate', () => {
  it('leaves labels that do not overlap alone and moves overlapping ones just below each other', () => {
    expect(separate([box(0, 0), box(100, 0), box(0, 30)])).toEqual([0, 0, 0]);
    const d = separate([box(0, 0), box(10, 5), box(20, 8)]);
    expect(d[0]).toBe(0);
    expect(5 + d[1]).toBe(17);
    expect(8 + d[2]).toBe(34);
  });

  it('keeps the upper label in place whatever the input order', () => {
    expect(separate([box(10, 5), box(0, 0)])).toEqual([12, 0]);
  });
});

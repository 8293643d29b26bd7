"""The Hypernet Studio engine's random number generator (mulberry32), ported bit for bit.

The whole state is one 32-bit integer. Initial parameters, training batches and the sinusoid waves are drawn
from it exactly as the engine draws them, so the same seed gives the same numbers in both.
"""
import math

import numpy as np

_MASK = 0xFFFFFFFF
_STEP = 0x6D2B79F5


def _imul(a, b):
    return (a * b) & _MASK


def _mix(t):
    t = _imul(t ^ (t >> 15), t | 1)
    t ^= (t + _imul(t ^ (t >> 7), t | 61)) & _MASK
    return (t ^ (t >> 14)) & _MASK


def _mix_array(t):
    t = t.astype(np.uint64)
    t = ((t ^ (t >> np.uint64(15))) * (t | np.uint64(1))) & np.uint64(_MASK)
    t ^= (t + (((t ^ (t >> np.uint64(7))) * (t | np.uint64(61))) & np.uint64(_MASK))) & np.uint64(_MASK)
    return (t ^ (t >> np.uint64(14))) & np.uint64(_MASK)


class Rng:
    """mulberry32: next() is uniform in [0, 1); normal() uses one Box-Muller draw (two uniforms) per call."""

    def __init__(self, seed):
        self.state = int(seed) & _MASK

    def next(self):
        self.state = (self.state + _STEP) & _MASK
        return _mix(self.state) / 4294967296.0

    def next_array(self, n):
        """The next n uniforms at once (the same numbers as n calls of next())."""
        if n <= 0:
            return np.zeros(0, dtype=np.float64)
        steps = np.arange(1, n + 1, dtype=np.uint64) * np.uint64(_STEP)
        states = (np.uint64(self.state) + steps) & np.uint64(_MASK)
        self.state = int(states[-1])
        return _mix_array(states).astype(np.float64) / 4294967296.0

    def uniform(self, lo, hi):
        return lo + (hi - lo) * self.next()

    def int(self, n):
        """An integer in [0, n)."""
        return int(math.floor(self.next() * n))

    def int_array(self, count, n):
        return np.floor(self.next_array(count) * n).astype(np.int64)

    def normal(self):
        u = 1 - self.next()
        v = self.next()
        return math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * v)

    def normal_array(self, n):
        d = self.next_array(2 * n)
        u = 1 - d[0::2]
        v = d[1::2]
        return np.sqrt(-2 * np.log(u)) * np.cos(2 * math.pi * v)

    def permutation(self, n):
        """A permutation of 0..n-1 (Fisher-Yates, as the engine draws it)."""
        p = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.int(i + 1)
            p[i], p[j] = p[j], p[i]
        return np.array(p, dtype=np.int64)

    def fork(self, label):
        """A new generator whose stream is independent of this one, derived from a label."""
        h = self.state ^ 0x9E3779B9
        units = label.encode("utf-16-le")
        for k in range(0, len(units), 2):
            h = _imul(h ^ (units[k] | (units[k + 1] << 8)), 0x01000193)
        return Rng(h)

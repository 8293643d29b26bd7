"""Unit tests of the Python runtime where it lives (src/runtime/py), each against an independent computation.

Run by test/runtime-py.test.ts with /usr/bin/python3, in a folder holding these files and the constants.py an
export writes; never shipped (the embedder leaves test_*.py out).
"""
import json
import os
import tempfile
import unittest

import numpy as np
import torch
import torch.nn.functional as F

from constants import LAYOUT_CHANGED, WEIGHTS_VERSION
from ops import avg_pool_nhwc, channels, conv2d_nhwc, film, layer_norm, max_pool_nhwc, pair_rows, pixel_grid, psnr, same_padding
from parameters import initial_values, load_hnet_weights, save_hnet_weights
from rng import Rng


def loops_conv_same(x, k, stride):
    """NHWC 'same' convolution by explicit loops: TensorFlow's rule (the extra padding pixel after)."""
    b, h, w, _ = x.shape
    kh, kw, _, cout = k.shape
    oh, ow = -(-h // stride), -(-w // stride)
    top = max((oh - 1) * stride + kh - h, 0) // 2
    left = max((ow - 1) * stride + kw - w, 0) // 2
    y = np.zeros((b, oh, ow, cout))
    for i in range(oh):
        for j in range(ow):
            for di in range(kh):
                for dj in range(kw):
                    r, c = i * stride + di - top, j * stride + dj - left
                    if 0 <= r < h and 0 <= c < w:
                        y[:, i, j, :] += x[:, r, c, :] @ k[di, dj]
    return y


class OpsTest(unittest.TestCase):
    def test_same_padding_puts_the_odd_pixel_after(self):
        self.assertEqual(same_padding(5, 3, 1), (1, 1))
        self.assertEqual(same_padding(4, 3, 2), (0, 1))
        self.assertEqual(same_padding(6, 2, 1), (0, 1))
        self.assertEqual(same_padding(3, 1, 2), (0, 0))

    def test_conv2d_nhwc_matches_loops(self):
        g = np.random.default_rng(0)
        for stride in (1, 2):
            x = g.standard_normal((2, 5, 6, 3))
            k = g.standard_normal((3, 2, 3, 4))
            got = conv2d_nhwc(torch.tensor(x), torch.tensor(k), None, stride, "same").numpy()
            np.testing.assert_allclose(got, loops_conv_same(x, k, stride), rtol=1e-10, atol=1e-10)

    def test_pools_leave_padding_out(self):
        x = torch.arange(1.0, 10.0).reshape(1, 3, 3, 1)
        avg = avg_pool_nhwc(x, 2, 2, "same")[0, :, :, 0]
        # Windows [1 2 4 5], [3 6], [7 8], [9]: padded pixels are not averaged in.
        np.testing.assert_allclose(avg.numpy(), [[3.0, 4.5], [7.5, 9.0]])
        mx = max_pool_nhwc(-x, 2, 2, "same")[0, :, :, 0]
        np.testing.assert_allclose(mx.numpy(), [[-1.0, -3.0], [-7.0, -9.0]])

    def test_layer_norm_matches_torch(self):
        x = torch.randn(4, 7, dtype=torch.float64)
        gamma, beta = torch.randn(7, dtype=torch.float64), torch.randn(7, dtype=torch.float64)
        want = F.layer_norm(x, (7,), gamma, beta, 1e-5)
        torch.testing.assert_close(layer_norm(x, gamma, beta, 1e-5), want)

    def test_per_sample_values_broadcast_over_images(self):
        x = torch.randn(2, 3, 3, 4)
        scale, shift = torch.randn(2, 4), torch.randn(2, 4)
        want = x * scale[:, None, None, :] + shift[:, None, None, :]
        torch.testing.assert_close(film(x, scale, shift), want)
        self.assertEqual(tuple(channels(torch.ones(4), 4).shape), (4,))

    def test_pair_rows(self):
        a, b = torch.tensor([[1.0], [2.0]]), torch.tensor([[10.0, 11.0], [20.0, 21.0], [30.0, 31.0]])
        p = pair_rows(a, b)
        self.assertEqual(tuple(p.shape), (2, 3, 3))
        torch.testing.assert_close(p[1, 2], torch.tensor([2.0, 30.0, 31.0]))

    def test_pixel_grid_spans_minus_one_to_one(self):
        g = pixel_grid(2, 3)[0]
        torch.testing.assert_close(g[0], torch.tensor([-1.0, -1.0]))
        torch.testing.assert_close(g[-1], torch.tensor([1.0, 1.0]))
        torch.testing.assert_close(g[1], torch.tensor([-1.0, 0.0]))

    def test_psnr_is_the_mean_over_samples(self):
        target = torch.zeros(2, 4)
        pred = torch.stack([torch.full((4,), 0.1), torch.full((4,), 0.01)])
        torch.testing.assert_close(psnr(pred, target, 1.0), torch.tensor(30.0))


class ParametersTest(unittest.TestCase):
    def test_initial_values_follow_the_generator(self):
        n = initial_values([2, 3], {"kind": "normal", "std": 0.5}, Rng(7))
        np.testing.assert_allclose(n, 0.5 * Rng(7).normal_array(6), rtol=1e-6)
        u = initial_values([4], {"kind": "uniform", "limit": 2.0}, Rng(7))
        np.testing.assert_allclose(u, -2.0 + 4.0 * Rng(7).next_array(4), rtol=1e-6)
        np.testing.assert_array_equal(initial_values([3], {"kind": "ones"}, Rng(1)), np.ones(3, np.float32))
        np.testing.assert_array_equal(initial_values([3], {"kind": "zeros"}, Rng(1)), np.zeros(3, np.float32))

    def test_weights_round_trip_and_refuse_other_versions(self):
        class Tiny(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.a = torch.nn.Parameter(torch.randn(2, 3))
                self.b = torch.nn.Parameter(torch.randn(3))

            def hnet_parameters(self):
                return {"dense.kernel": self.a, "dense.bias": self.b}

        src, dst = Tiny(), Tiny()
        with tempfile.TemporaryDirectory() as folder:
            save_hnet_weights(src, folder)
            with open(os.path.join(folder, "weights.json"), encoding="utf-8") as f:
                manifest = json.load(f)
            self.assertEqual(manifest["version"], WEIGHTS_VERSION)
            self.assertEqual([e["name"] for e in manifest["params"]], ["dense.kernel", "dense.bias"])
            load_hnet_weights(dst, folder)
            torch.testing.assert_close(dst.a, src.a)
            torch.testing.assert_close(dst.b, src.b)
            for version, words in ((1, LAYOUT_CHANGED), (WEIGHTS_VERSION + 1, "this export reads version %d" % WEIGHTS_VERSION)):
                manifest["version"] = version
                with open(os.path.join(folder, "weights.json"), "w", encoding="utf-8") as f:
                    json.dump(manifest, f)
                with self.assertRaises(ValueError) as caught:
                    load_hnet_weights(dst, folder)
                self.assertIn(words, str(caught.exception))


if __name__ == "__main__":
    unittest.main()

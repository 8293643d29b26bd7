"""The ops of an exported Hypernet Studio graph that PyTorch has no one call for, computed as the engine computes them.

Activations are channels-last (NHWC), as in the engine (TensorFlow.js); convolutions and pools move to NCHW and
back inside the call. model.py imports what it uses from here.
"""
import math

import torch
import torch.nn.functional as F

def channels(p, rank):
    """A per-channel value [C] or per-sample [B, C], shaped to broadcast over activations of the given rank."""
    if p.dim() == 1 or rank == 2:
        return p
    return p.reshape(p.shape[0], *([1] * (rank - 2)), p.shape[1])


def layer_norm(x, gamma, beta, eps):
    """Normalise over the last axis (biased variance, epsilon inside the root), then scale and shift."""
    mean = x.mean(-1, keepdim=True)
    variance = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(variance + eps) * channels(gamma, x.dim()) + channels(beta, x.dim())


def film(x, scale, shift):
    """FiLM: x * scale + shift along the last axis."""
    return x * channels(scale, x.dim()) + channels(shift, x.dim())


def pair_rows(a, b):
    """Every row of a [N, d] beside every row of b [M, e]: [N, M, d + e] (chunked heads)."""
    n, m = a.shape[0], b.shape[0]
    return torch.cat([a.unsqueeze(1).expand(n, m, a.shape[1]), b.unsqueeze(0).expand(n, m, b.shape[1])], dim=2)


def same_padding(size, kernel, stride):
    """TensorFlow's 'same' padding of one axis as (before, after); an odd total puts the extra pixel after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def pad_same(x, kernel, stride, value=0.0):
    """Pad NCHW images for a kh x kw window with TensorFlow's 'same' rule."""
    top, bottom = same_padding(x.shape[2], kernel[0], stride)
    left, right = same_padding(x.shape[3], kernel[1], stride)
    return F.pad(x, (left, right, top, bottom), value=value)


def conv2d_nhwc(x, kernel, bias, stride, padding):
    """Convolution of NHWC images with a [kh, kw, cin, cout] kernel, as TensorFlow computes it."""
    x = x.permute(0, 3, 1, 2)
    if padding == "same":
        x = pad_same(x, kernel.shape[:2], stride)
    y = F.conv2d(x, kernel.permute(3, 2, 0, 1), bias, stride=stride)
    return y.permute(0, 2, 3, 1)


def max_pool_nhwc(x, size, stride, padding):
    """Max pooling of NHWC images; 'same' pads with -inf so padding never wins."""
    x = x.permute(0, 3, 1, 2)
    if padding == "same":
        x = pad_same(x, (size, size), stride, value=-math.inf)
    return F.max_pool2d(x, size, stride).permute(0, 2, 3, 1)


def avg_pool_nhwc(x, size, stride, padding):
    """Average pooling of NHWC images; with 'same', padded pixels are left out of each average (as TensorFlow)."""
    x = x.permute(0, 3, 1, 2)
    if padding == "same":
        ones = pad_same(torch.ones_like(x[:1, :1]), (size, size), stride)
        y = F.avg_pool2d(pad_same(x, (size, size), stride), size, stride) / F.avg_pool2d(ones, size, stride)
    else:
        y = F.avg_pool2d(x, size, stride)
    return y.permute(0, 2, 3, 1)


def pixel_grid(height, width):
    """The (row, column) of every pixel of a height x width image, row-major, each in [-1, 1]: [1, height * width, 2]."""
    def axis(n):
        return torch.zeros(1, dtype=torch.float64) if n == 1 else -1 + 2 * torch.arange(n, dtype=torch.float64) / (n - 1)
    rows, cols = torch.meshgrid(axis(height), axis(width), indexing="ij")
    return torch.stack([rows, cols], dim=-1).reshape(1, height * width, 2).float()


def psnr(prediction, target, peak):
    """Mean over samples of 10 log10(peak^2 / MSE of the sample) in dB, the MSE floored at 1e-10 * peak^2."""
    d = (prediction - target) ** 2
    mse = d.reshape(d.shape[0], -1).mean(1)
    return (10 * torch.log10(peak * peak / mse.clamp_min(1e-10 * peak * peak))).mean()


def gaussian_noise(shape, std, training, device):
    """Gaussian noise while training, zeros at evaluation."""
    if training and std > 0:
        return torch.randn(shape, device=device) * std
    return torch.zeros(shape, device=device)

"""The parameters of an exported Hypernet Studio model: initialised, saved and loaded as the engine does it.

initialize draws every parameter from the seeded generator exactly as the engine does (then hyperfan, measured on
training batches); save_hnet_weights and load_hnet_weights write and read the weights.json + weights.bin format of
"hnet train --save", by canonical parameter name ("<node>.<param>").
"""
import json
import math
import os

import numpy as np
import torch

from constants import CHUNK_STEPS, LAYOUT_CHANGED, S2_MAX, S2_MIN, WEIGHTS_VERSION
from rng import Rng


def initial_values(shape, init, rng):
    """zeros, ones, normal(0, std) or uniform(-limit, limit), drawn as the engine draws them."""
    n = int(np.prod(shape, dtype=np.int64))
    if init["kind"] == "ones":
        return np.ones(n, dtype=np.float32)
    if init["kind"] == "normal":
        return (init["std"] * rng.normal_array(n)).astype(np.float32)
    if init["kind"] == "uniform":
        return (-init["limit"] + 2 * init["limit"] * rng.next_array(n)).astype(np.float32)
    return np.zeros(n, dtype=np.float32)


def initialize(model, parameters, seed, batches):
    """The engine's initialisation for a seed: each parameter from its own stream, then hyperfan.

    parameters: canonical name -> (shape, initialisation) (model.py's table).
    batches: (x, y, task, context) tuples of training data, on which hyperfan measures its inputs.
    """
    params = model.hnet_parameters()
    rng = Rng(seed).fork("init")
    with torch.no_grad():
        for name, (shape, init) in parameters.items():
            values = initial_values(shape, init, rng.fork(name)) if init["kind"] != "hyperfan" else np.zeros(int(np.prod(shape)), np.float32)
            params[name].copy_(torch.from_numpy(values).reshape(params[name].shape))
    init_hyperfan(model, parameters, seed, batches)


def init_hyperfan(model, parameters, seed, batches):
    """Hyperfan initialisation (Chang, Sacramento & Zhang 2020) of heads' last layers [fan_in, columns].

    Column block j is drawn from N(0, variance_j / (fan_in * E[h^2])), h being the layer's input measured on the
    batches (with the parameters initialised so far), so generated weights start at the scale their targets want.
    """
    params = model.hnet_parameters()
    rng = Rng(seed).fork("hyperfan")
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for name, (shape, init) in parameters.items():
            if init["kind"] != "hyperfan":
                continue
            # E[h^2] over every element and, for low-rank factor blocks (whose product scales with |h|^4), E[|h|^4].
            total = 0.0
            total4 = 0.0
            for batch in batches:
                h = model(*batch)["features"][init["input"]]
                total += float(torch.mean(h * h))
                total4 += float(torch.mean(torch.sum(h * h, -1) ** 2))
            m2 = total / len(batches) if batches else 1.0
            m4 = total4 / len(batches) if batches else 0.0
            scale = m2 if math.isfinite(m2) and m2 > 1e-12 else 1.0
            scale4 = math.sqrt(m4) if math.isfinite(m4) and m4 > 1e-24 else init["fan_in"] * scale
            # A chunked head: the chunk embeddings are scaled first; the columns then share one scale.
            global_scale = scale_chunk_embeddings(model, init, batches) if "chunks" in init else None
            rows, cols = shape
            values = np.zeros((rows, cols), dtype=np.float32)
            r = rng.fork(name)
            col = 0
            for size, variance, product in init["blocks"]:
                if global_scale is not None:
                    std = math.sqrt(variance * global_scale)
                else:
                    std = math.sqrt(variance / (scale4 if product else init["fan_in"] * scale))
                if std != 0:
                    values[:, col : col + size] = std * r.normal_array(rows * size).reshape(rows, size)
                col += size
            params[name].copy_(torch.from_numpy(values))
    model.train(was_training)


def scale_chunk_embeddings(model, init, batches):
    """Chunked hyperfan (hypnettorch's apply_chunked_hyperfan_init, solved on the measured batches).

    Row c of the chunk embeddings is scaled by s_c so that E[|h_c|^2] (h_c: the shared last layer's input for
    chunk c) makes chunk c start at its variance. The last layer's one scale G is chosen first so that every
    chunk's aim is at least twice the floor E[|h_c|^2] at a zero embedding; then a few multiplicative
    fixed-point steps on s_c^2, all chunks at once. Returns G; the embeddings are left scaled.
    """
    want = np.concatenate([np.full(int(size), float(variance)) for size, variance in init["chunks"]["blocks"]])
    emb = model.hnet_parameters()[init["chunks"]["embeddings"]]
    base = emb.detach().clone()

    def measure(s2):
        scales = np.sqrt(s2).astype(np.float32)
        emb.copy_(base * torch.from_numpy(scales).to(base.device)[:, None])
        q = np.zeros(len(want))
        for batch in batches:
            h = model(*batch)["features"][init["input"]]
            q += torch.mean(torch.sum(h * h, -1), 0).detach().cpu().numpy().astype(np.float64) / len(batches)
        return q

    s2 = np.ones(len(want))
    if not batches:
        return 1.0 / max(1, init["fan_in"])
    q1 = measure(s2)
    q0 = measure(np.zeros(len(want)))
    g = want.sum() / q1.sum() if q1.sum() > 0 else math.inf
    for c in range(len(want)):
        if q0[c] > 0 and want[c] > 0:
            g = min(g, want[c] / (2 * q0[c]))
    if not (math.isfinite(g) and g > 0):
        g = 1.0 / max(1, init["fan_in"])
    q = q1
    for _ in range(CHUNK_STEPS):
        for c in range(len(want)):
            aim = want[c] / g - q0[c]
            got = q[c] - q0[c]
            ratio = aim / got if got > 0 and aim > 0 else (100.0 if aim > 0 else 0.01)
            s2[c] = min(S2_MAX, max(S2_MIN, s2[c] * min(100.0, max(0.01, ratio))))
        q = measure(s2)
    return g


def load_hnet_weights(model, folder):
    """Assign weights written by "hnet train --save" (weights.json + weights.bin, float32 little-endian) by name."""
    with open(os.path.join(folder, "weights.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    where = os.path.join(folder, "weights.json")
    if not isinstance(manifest, dict) or manifest.get("format") != "hnet-weights":
        raise ValueError("%s is not a Hypernet Studio weights file" % where)
    if manifest.get("version") == 1:
        raise ValueError("%s holds version-1 weights: %s" % (where, LAYOUT_CHANGED))
    if manifest.get("version") != WEIGHTS_VERSION:
        raise ValueError("%s holds version-%s weights; this export reads version %d" % (where, manifest.get("version"), WEIGHTS_VERSION))
    values = np.fromfile(os.path.join(folder, "weights.bin"), dtype="<f4")
    params = model.hnet_parameters()
    stored = {entry["name"]: entry for entry in manifest["params"]}
    missing = [name for name in params if name not in stored]
    unknown = [name for name in stored if name not in params]
    if missing or unknown:
        raise ValueError("%s does not match this model: missing %s, unknown %s" % (folder, missing, unknown))
    with torch.no_grad():
        for name, p in params.items():
            entry = stored[name]
            if list(entry["shape"]) != list(p.shape):
                raise ValueError("%s: %s has shape %s in %s, the model expects %s" % (folder, name, entry["shape"], folder, list(p.shape)))
            chunk = values[entry["offset"] : entry["offset"] + entry["length"]]
            p.copy_(torch.from_numpy(chunk.copy()).reshape(p.shape))


def save_hnet_weights(model, folder):
    """Write weights.json + weights.bin in the format "hnet train --save" writes (and load_hnet_weights reads)."""
    os.makedirs(folder, exist_ok=True)
    params = model.hnet_parameters()
    entries = []
    chunks = []
    offset = 0
    for name in params:
        v = params[name].detach().cpu().numpy().astype("<f4").reshape(-1)
        entries.append({"name": name, "shape": list(params[name].shape), "offset": offset, "length": int(v.size)})
        chunks.append(v)
        offset += int(v.size)
    data = np.concatenate(chunks) if chunks else np.zeros(0, dtype="<f4")
    tmp = os.path.join(folder, "weights.bin.tmp")
    data.tofile(tmp)
    os.replace(tmp, os.path.join(folder, "weights.bin"))
    tmp = os.path.join(folder, "weights.json.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"format": "hnet-weights", "version": WEIGHTS_VERSION, "dtype": "float32", "params": entries}, f, indent=2)
        f.write("\n")
    os.replace(tmp, os.path.join(folder, "weights.json"))

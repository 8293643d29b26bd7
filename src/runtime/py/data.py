"""The training and evaluation data, as the Hypernet Studio engine feeds it.

data/manifest.json describes the dataset. Finite datasets are stored as arrays: each task's training split in
the engine's order, and the engine's evaluation batches exactly (of the test set, "eval", and of the validation
split, "val", where the dataset holds one). Image sets are stored once as their bytes ("uint8", read as
byte * scale), each split as row indices into them. Training batches draw rows with the ported
generator (rng.py), one draw per sample, as the engine does; the sinusoid family draws a fresh wave per batch.
"""
import gzip
import json
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.path.join(HERE, "data")


class Batch:
    """n samples of one task: x [n, ...], y [n, ...] (class ids or targets), and the batch's context if any."""

    def __init__(self, x, y, task, context=None):
        self.x = x
        self.y = y
        self.task = task
        self.context = context
        self.n = x.shape[0]


class DataMissingError(SystemExit):
    """The data folder is missing or incomplete. A SystemExit, so an uncaught one ends the program with its
    one-line message (no traceback) and exit status 1."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _how_to_add(folder):
    return (
        "put the data folder of a Hypernet Studio export there (run: hnet export DOCUMENT.hnet.json --to pytorch"
        " --out " + os.path.dirname(os.path.abspath(folder)) + ", or Export in the app from a saved document),"
        " or pass --data FOLDER"
    )


class Dataset:
    def __init__(self, folder=DATA_DIR):
        self.folder = folder
        path = os.path.join(folder, "manifest.json")
        if not os.path.isfile(path):
            raise DataMissingError(
                "no training data: " + path + " does not exist (this project was exported without its data); " + _how_to_add(folder)
            )
        try:
            with open(path, encoding="utf-8") as f:
                self.manifest = json.load(f)
        except (OSError, ValueError) as e:
            raise DataMissingError("cannot read " + path + " (" + str(e) + "); " + _how_to_add(folder))
        m = self.manifest
        if not isinstance(m, dict) or m.get("format") != "hnet-data":
            raise DataMissingError(path + " is not a Hypernet Studio data manifest; " + _how_to_add(folder))
        self.tasks = m["tasks"]
        self.x_shape = list(m["x"])
        self.y_shape = list(m["y"])
        self.y_dtype = m["yDtype"]
        self.context_shape = m["context"]
        self.seed = m["seed"]
        # What evaluations during training read: the validation split where the dataset holds one.
        self.during_split = "val" if m.get("val") else "test"
        self._arrays = {}
        self._eval = {}

    def _array(self, ref):
        key = ref["file"]
        if key not in self._arrays:
            path = os.path.join(self.folder, ref["file"])
            try:
                with gzip.open(path, "rb") as f:
                    raw = f.read()
            except (OSError, EOFError) as e:
                raise DataMissingError("cannot read the data file " + path + " (" + str(e) + "); " + _how_to_add(self.folder))
            dtype = {"float32": np.dtype("<f4"), "int32": np.dtype("<i4"), "uint8": np.dtype("u1")}[ref["dtype"]]
            self._arrays[key] = np.frombuffer(raw, dtype=dtype).copy()
        # One file may back several arrays (images to reconstruct: x and y are the same bytes).
        return self._arrays[key].reshape(ref["shape"])

    @staticmethod
    def _values(a, ref):
        """Bytes as the engine reads them: byte * scale in float64, rounded to float32."""
        if ref["dtype"] != "uint8":
            return a
        return (a.astype(np.float64) * ref["scale"]).astype(np.float32)

    def _rows(self, split, rows):
        """x and y of rows (indices into the split) of a stored split, pooled or not."""
        xs = self._array(split["x"])
        ys = self._array(split["y"])
        if split.get("rows") is None:
            return self._values(xs[rows], split["x"]), ys[rows].copy()
        picked = self._array(split["rows"])[rows]
        y = self._values(ys[picked], split["y"]) if split.get("yPooled") else ys[rows].copy()
        return self._values(xs[picked], split["x"]), y

    def _split_size(self, split):
        return (split["rows"] if split.get("rows") is not None else split["x"])["shape"][0]

    def _permuted(self, x, ref):
        if ref is None:
            return x
        perm = self._array(ref)
        flat = x.reshape(x.shape[0], -1)[:, perm]
        return flat.reshape(x.shape)

    def train_size(self, task):
        return self.manifest["trainSize"][task]

    def train_batch(self, task, batch_size, rng):
        """A training batch of task: rows drawn uniformly with replacement (one rng draw each)."""
        split = self.manifest["train"][task]
        if split is None:
            return self._generated_batch(task, batch_size, rng)
        rows = rng.int_array(batch_size, self._split_size(split))
        x, y = self._rows(split, rows)
        x = self._permuted(x, split.get("permutation"))
        return Batch(np.ascontiguousarray(x, dtype=np.float32), y, task)

    def _generated_batch(self, task, n, rng):
        g = self.manifest["generator"]
        if g["kind"] != "sinusoid":
            raise ValueError("unknown generator " + str(g["kind"]))
        # Draw order: amplitude, phase, then per point its x and (with noise) one normal draw.
        amplitude = rng.uniform(g["amplitude"][0], g["amplitude"][1])
        phase = rng.uniform(g["phase"][0], g["phase"][1])
        lo, hi = g["xRange"]
        noise = g["noise"]
        if noise > 0:
            d = rng.next_array(3 * n)
            xs = lo + (hi - lo) * d[0::3]
            normal = np.sqrt(-2 * np.log(1 - d[1::3])) * np.cos(2 * math.pi * d[2::3])
            ys = amplitude * np.sin(xs + phase) + noise * normal
        else:
            xs = lo + (hi - lo) * rng.next_array(n)
            ys = amplitude * np.sin(xs + phase)
        x = xs.astype(np.float32).reshape([n] + self.x_shape)
        y = ys.astype(np.float32).reshape([n] + self.y_shape)
        context = np.array([[amplitude, phase]], dtype=np.float32)
        return Batch(x, y, task, context)

    def eval_batches(self, task, split="test"):
        """The engine's evaluation batches of task (the same on every call): of the test set, or with split="val"
        of the validation split (the test set where the dataset holds none)."""
        which = "val" if split == "val" and self.manifest.get("val") else "eval"
        if (which, task) not in self._eval:
            e = self.manifest[which][task]
            xs, ys = self._rows(e, np.arange(self._split_size(e)))
            xs = self._permuted(xs, e.get("permutation"))
            contexts = self._array(e["context"]) if e.get("context") else None
            batches = []
            start = 0
            for i, n in enumerate(e["batches"]):
                context = contexts[i : i + 1] if contexts is not None else None
                batches.append(Batch(np.ascontiguousarray(xs[start : start + n], dtype=np.float32), ys[start : start + n], task, context))
                start += n
            self._eval[(which, task)] = batches
        return list(self._eval[(which, task)])

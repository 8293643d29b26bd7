"""Train the exported model as Hypernet Studio's engine does, on CPU, CUDA, Apple's MPS or several processes (torchrun).

    python train.py                      # the document's settings
    python train.py --steps 500 --seed 3 --device cuda
    python train.py --init-from weights/ --steps 0   # evaluate weights saved by "hnet train --save"
    python train.py --checkpoint run.ckpt --checkpoint-every 100   # then --resume run.ckpt to continue
    torchrun --nproc_per_node=4 train.py # DistributedDataParallel, one batch stream per rank

Events are printed one JSON object per line, in the schema of "hnet train --json"; the last is
{"event": "done", "metrics": {...}}. In a single process, Ctrl-C (SIGINT) stops after the current step: the
model is evaluated (and saved with --save) and the done event says "stopped": true; a second Ctrl-C quits at once.
"""
import argparse
import base64
import json
import math
import os
import signal
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from constants import CHECKPOINT_VERSION, DEFAULT_STEPS, LAYOUT_CHANGED
from data import Dataset
from model import (
    BUDGET,
    GENERATED,
    PARAMETERS,
    PARAMETER_ROLES,
    MAIN_METRIC,
    OUTPUT_REGULARIZER,
    TRAINING,
    UNUSED_PARAMETERS,
    Model,
    initialize,
)
from parameters import load_hnet_weights, save_hnet_weights
from rng import Rng


# Set by Hypernet Studio's runner when it trains this file (snapshot and pause requests); None otherwise.
STUDIO = sys.modules.get("hnet_control")


def emit(event):
    if RANK == 0:
        print(json.dumps(clean(event)), flush=True)


def clean(v):
    """JSON has no NaN or Infinity: non-finite numbers are written as null."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [clean(x) for x in v]
    return v


def finite(v):
    v = float(v)
    return v if math.isfinite(v) else None


def request_stop(signum, frame):
    """SIGINT: stop after the current step (the loop checks STOP_REQUESTED); a second one quits at once."""
    global STOP_REQUESTED
    if STOP_REQUESTED:
        raise KeyboardInterrupt
    STOP_REQUESTED = True


def parse_args():
    p = argparse.ArgumentParser(description="Train the exported hypernetwork.")
    p.add_argument("--steps", type=int, default=None, help="steps per task (overrides the document)")
    p.add_argument("--seed", type=int, default=None, help="random seed (overrides the document)")
    p.add_argument("--lr", type=float, default=None, help="learning rate (overrides the document)")
    p.add_argument("--device", default="auto", help="auto (CUDA, else MPS, else CPU), cpu, cuda, cuda:N or mps")
    p.add_argument("--init-from", default=None, help="folder with weights.json + weights.bin to start from")
    p.add_argument("--save", default=None, help="write the trained weights (weights.json + weights.bin) here")
    p.add_argument("--save-all-ranks", action="store_true", help="under torchrun, every rank saves to SAVE/rank<r>")
    p.add_argument("--data", default=None, help="data folder (default: data/ beside this file)")
    p.add_argument("--event-every", type=int, default=None, help="print a step event every N steps (default: about 200 per run)")
    p.add_argument("--checkpoint", default=None, help="write a checkpoint (Hypernet Studio's format) to this file at the end")
    p.add_argument("--checkpoint-every", type=int, default=None, help="also write the checkpoint every N steps")
    p.add_argument("--resume", default=None, help="continue from a checkpoint written by train.py or by Hypernet Studio")
    return p.parse_args()


def setup_distributed(device_arg):
    """Under torchrun (RANK and WORLD_SIZE set): one process per rank, gloo on CPU and nccl on CUDA."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if "RANK" not in os.environ or world <= 1:
        return 0, 1, None
    rank = int(os.environ["RANK"])
    local = int(os.environ.get("LOCAL_RANK", rank))
    cuda = torch.cuda.is_available() and device_arg != "cpu"
    dist.init_process_group("nccl" if cuda else "gloo")
    return rank, world, (torch.device("cuda", local) if cuda else torch.device("cpu"))


def mps_available():
    """Apple's GPU (Metal Performance Shaders), in a torch that has it."""
    mps = getattr(torch.backends, "mps", None)
    return mps is not None and mps.is_available()


def pick_device(arg):
    """auto: CUDA, else Apple's MPS, else the CPU."""
    if arg == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "mps" if mps_available() else "cpu")
    return torch.device(arg)


def tensors(batch, device):
    """(x, y, task, context) as the model takes them: y holds class ids (int64) or float targets."""
    x = torch.from_numpy(batch.x).to(device)
    if batch.y.dtype.kind in "iu":
        y = torch.from_numpy(batch.y.astype("int64")).to(device)
    else:
        y = torch.from_numpy(batch.y).to(device)
    task = torch.tensor([batch.task], dtype=torch.int64, device=device)
    context = torch.from_numpy(batch.context).to(device) if batch.context is not None else None
    return x, y, task, context


def trainable(model):
    """The parameters the optimizer trains: all but those frozen (task embeddings under fixedEmbeddings)."""
    return [p for p in model.parameters() if p.requires_grad]


def make_optimizer(params, lr):
    o = TRAINING["optimizer"]
    rate = lr if lr is not None else o["learningRate"]
    if o["type"] == "sgd":
        return torch.optim.SGD(params, lr=rate, momentum=o.get("momentum", 0))
    if o["type"] == "rmsprop":
        return RMSpropTF(params, lr=rate, decay=o.get("decay", 0.9), momentum=o.get("momentum", 0), eps=o.get("epsilon", 1e-7))
    return torch.optim.Adam(params, lr=rate, betas=(o.get("beta1", 0.9), o.get("beta2", 0.999)), eps=o.get("epsilon", 1e-7))


class RMSpropTF(torch.optim.Optimizer):
    """RMSprop as TensorFlow.js computes it: epsilon inside the square root, the learning rate inside the momentum."""

    def __init__(self, params, lr, decay=0.9, momentum=0.0, eps=1e-7):
        super().__init__(params, dict(lr=lr, decay=decay, momentum=momentum, eps=eps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["mean_square"] = torch.zeros_like(p)
                    state["moment"] = torch.zeros_like(p)
                ms, mom = state["mean_square"], state["moment"]
                ms.mul_(group["decay"]).addcmul_(p.grad, p.grad, value=1 - group["decay"])
                mom.mul_(group["momentum"]).add_(p.grad * group["lr"] / torch.sqrt(ms + group["eps"]))
                p.sub_(mom)


def evaluate(model, data, tasks, device, split="test"):
    """Loss and metrics per task over its evaluation batches (sample-weighted), and their mean over tasks."""
    was_training = model.training
    model.eval()
    per_task = {}
    with torch.no_grad():
        for task in tasks:
            sums = {}
            n = 0
            for batch in data.eval_batches(task, split):
                out = model(*tensors(batch, device))
                values = {"loss": float(out["loss"])}
                for name, v in out["metrics"].items():
                    values[name] = float(v)
                for k, v in values.items():
                    sums[k] = sums.get(k, 0.0) + v * batch.n
                n += batch.n
            per_task[task] = {k: v / max(1, n) for k, v in sums.items()}
    model.train(was_training)
    return mean_over(per_task, tasks)


def mean_over(per_task, tasks):
    metrics = {}
    for task in tasks:
        for k, v in per_task.get(task, {}).items():
            metrics[k] = metrics.get(k, 0.0) + v / len(tasks)
    return {"metrics": metrics, "perTask": {str(t): per_task[t] for t in tasks}}


def pick_tasks(tasks, k, rng):
    """k of tasks without replacement (a partial Fisher-Yates shuffle on rng), in ascending order, as the engine draws them."""
    a = list(tasks)
    for i in range(k):
        j = i + rng.int(len(a) - i)
        a[i], a[j] = a[j], a[i]
    return sorted(a[:k])


def mask_rows(params, task):
    """currentEmbeddingOnly: zero the gradient of every row of the task-embedding tables but the task's."""
    for p in params:
        if p.grad is not None:
            keep = torch.zeros_like(p.grad, dtype=torch.bool)
            keep[task] = True
            p.grad = torch.where(keep, p.grad, torch.zeros_like(p.grad))


@torch.no_grad()
def candidate_step(optimizer, params):
    """Delta theta: the change the optimizer would make on the current gradients, its state untouched
    (hypercl's utils/optim_step.calc_delta_theta). Adam: its next bias-corrected step; SGD: -lr * grad."""
    o = TRAINING["optimizer"]
    group = optimizer.param_groups[0]
    out = []
    for p in params:
        if p.grad is None:
            out.append(torch.zeros_like(p))
        elif o["type"] == "sgd":
            out.append(-group["lr"] * p.grad)
        else:
            state = optimizer.state.get(p, {})
            b1, b2 = group["betas"]
            t = int(float(state["step"])) + 1 if "step" in state else 1
            m = state["exp_avg"] * b1 + p.grad * (1 - b1) if "exp_avg" in state else p.grad * (1 - b1)
            v = state["exp_avg_sq"] * b2 + p.grad * p.grad * (1 - b2) if "exp_avg_sq" in state else p.grad * p.grad * (1 - b2)
            out.append(-group["lr"] * (m / (1 - b1**t)) / (torch.sqrt(v / (1 - b2**t)) + group["eps"]))
    return out


def infer_tasks(model, data, tasks, device):
    """Task inference (von Oswald et al. 2020, HNET+ENT): each test sample is run with every trained task's
    embedding and the task whose softmax prediction has the lowest entropy is taken. Means over tasks of
    accuracy_cl1 (task given), accuracy_cl2 (class right with the inferred task's weights), accuracy_cl3
    (inferred task and class right) and task_inferred."""
    was_training = model.training
    model.eval()
    sums = {"accuracy_cl1": 0.0, "accuracy_cl2": 0.0, "accuracy_cl3": 0.0, "task_inferred": 0.0}
    with torch.no_grad():
        for task in tasks:
            counts = {k: 0.0 for k in sums}
            n = 0
            for batch in data.eval_batches(task):
                x, y, task_t, context = tensors(batch, device)
                best = torch.full((batch.n,), float("inf"), device=device)
                chosen = torch.full((batch.n,), -1, dtype=torch.int64, device=device)
                classes = torch.full((batch.n,), -1, dtype=torch.int64, device=device)
                for candidate in tasks:
                    logits = model(x, y, torch.tensor([candidate], dtype=torch.int64, device=device), context)["prediction"]
                    logp = torch.log_softmax(logits, -1)
                    entropy = -(torch.exp(logp) * logp).sum(-1)
                    better = entropy < best
                    best = torch.where(better, entropy, best)
                    chosen = torch.where(better, torch.full_like(chosen, candidate), chosen)
                    classes = torch.where(better, logits.argmax(-1), classes)
                right = classes == y.reshape(-1)
                counts["accuracy_cl1"] += float(model(x, y, task_t, context)["metrics"][MAIN_METRIC]) * batch.n
                counts["accuracy_cl2"] += float(right.sum())
                counts["accuracy_cl3"] += float((right & (chosen == task)).sum())
                counts["task_inferred"] += float((chosen == task).sum())
                n += batch.n
            for k in sums:
                sums[k] += counts[k] / max(1, n) / len(tasks)
    model.train(was_training)
    return sums


def snapshot(model, tasks, device):
    """What the hypernetwork generates for each earlier task now: the output regulariser's targets."""
    was_training = model.training
    model.eval()
    with torch.no_grad():
        stored = {t: {k: v.detach().clone() for k, v in model.task_weights(torch.tensor([t], device=device)).items()} for t in tasks}
    model.train(was_training)
    return stored


# Checkpoints in the format of Hypernet Studio's engine (src/main/engine/checkpoint.ts), so a run continues on
# either: parameters by canonical name, optimizer slots by the engine's names ("@<param>/m" ...), the batch
# stream's state, the position in the schedule and the output regulariser's targets. Float32, little-endian, base64.

#: The engine's name of each optimizer slot, per optimizer, and the key of torch's state that holds it.
SLOTS = {"adam": [("m", "exp_avg"), ("v", "exp_avg_sq")], "sgd": [("momentum", "momentum_buffer")], "rmsprop": [("rms", "mean_square"), ("momentum", "moment")]}


def signature():
    return ";".join("%s:%s" % (name, "x".join(str(d) for d in shape)) for name, (shape, _) in PARAMETERS.items())


def encode(t):
    a = t.detach().cpu().numpy().astype("<f4") if torch.is_tensor(t) else np.asarray(t, dtype="<f4")
    return {"shape": list(a.shape), "data": base64.b64encode(a.tobytes()).decode("ascii")}


def decode(stored, device):
    a = np.frombuffer(base64.b64decode(stored["data"]), dtype="<f4").reshape(stored["shape"]).copy()
    return torch.from_numpy(a).to(device)


def slot_names():
    o = TRAINING["optimizer"]
    if o["type"] == "sgd" and not o.get("momentum", 0):
        return []
    return SLOTS[o["type"]]


def write_checkpoint(path, model, optimizer, seed, step, phase, in_phase, rng, earlier_by_task, accuracy_matrix):
    params = model.hnet_parameters()
    slots = []
    iterations = 0
    for suffix, key in slot_names():
        for name in PARAMETERS:
            state = optimizer.state.get(params[name], {})
            value = state.get(key)
            slots.append({"name": "@%s/%s" % (name, suffix), "tensor": encode(value if value is not None else torch.zeros_like(params[name]))})
    for state in optimizer.state.values():
        if "step" in state:
            iterations = max(iterations, int(float(state["step"])))
    if TRAINING["optimizer"]["type"] != "adam":
        iterations = step
    value_of = {key: g["value"] for key, g in GENERATED.items()}
    ck = {
        "format": "hnet-checkpoint",
        "version": CHECKPOINT_VERSION,
        "signature": signature(),
        "seed": seed,
        "step": step,
        "phase": phase,
        "stepInPhase": in_phase,
        "rngState": rng.state,
        "params": {name: encode(params[name]) for name in PARAMETERS},
        "optimizer": [{"name": "iter", "tensor": encode(np.array(iterations, dtype="<f4"))}] + slots,
        "targets": {str(t): {value_of[k]: encode(v) for k, v in stored.items()} for t, stored in (earlier_by_task or {}).items()},
        "accuracyMatrix": accuracy_matrix,
    }
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(ck, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_checkpoint(path, model, optimizer, device):
    """Assign a checkpoint's parameters and optimizer slots; returns it (step, phase, rngState...)."""
    try:
        with open(path, encoding="utf-8") as f:
            ck = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit("cannot read checkpoint %s: %s" % (path, e))
    if not isinstance(ck, dict) or ck.get("format") != "hnet-checkpoint":
        sys.exit("%s is not a Hypernet Studio checkpoint" % path)
    if ck.get("version") == 1:
        # Version 1 filled kernels in the parameter's own order; a graph generating only 1-D weights means the same.
        changed = [key for key, g in GENERATED.items() if len([d for d in g["shape"] if d != "B"]) >= 2]
        if changed:
            sys.exit("%s is a version-1 checkpoint: %s (here %s)" % (path, LAYOUT_CHANGED, ", ".join(changed)))
    elif ck.get("version") != CHECKPOINT_VERSION:
        sys.exit("%s is a version-%s checkpoint; this export reads version %d" % (path, ck.get("version"), CHECKPOINT_VERSION))
    if ck.get("signature") != signature():
        sys.exit("%s was saved from a different graph (its parameters do not match this model's)" % path)
    params = model.hnet_parameters()
    with torch.no_grad():
        for name in PARAMETERS:
            params[name].copy_(decode(ck["params"][name], device).reshape(params[name].shape))
    stored = {w["name"]: w["tensor"] for w in ck["optimizer"]}
    iterations = float(decode(stored["iter"], "cpu").reshape(-1)[0]) if "iter" in stored else 0.0
    for suffix, key in slot_names():
        for name in PARAMETERS:
            slot = stored.get("@%s/%s" % (name, suffix))
            if slot is None:
                continue
            state = optimizer.state[params[name]]
            state[key] = decode(slot, device).reshape(params[name].shape)
            if TRAINING["optimizer"]["type"] == "adam":
                state["step"] = torch.tensor(iterations)
    return ck


def targets_from(ck, device):
    """The checkpoint's output-regulariser targets, as forward(earlier=...) takes them."""
    key_of = {g["value"]: key for key, g in GENERATED.items()}
    return {int(t): {key_of[v]: decode(x, device) for v, x in stored.items()} for t, stored in ck.get("targets", {}).items()} or None


def main():
    global RANK
    args = parse_args()
    started = time.perf_counter()
    rank, world, dist_device = setup_distributed(args.device)
    RANK = rank
    if world == 1:
        signal.signal(signal.SIGINT, request_stop)
    device = dist_device if dist_device is not None else pick_device(args.device)
    seed = args.seed if args.seed is not None else TRAINING["seed"]
    torch.manual_seed(seed * 1000 + rank)
    data = Dataset(args.data) if args.data else Dataset()

    task_list = TRAINING["tasks"] if TRAINING["tasks"] is not None else list(range(data.tasks))
    for task in task_list:
        if task >= data.tasks:
            sys.exit("task %d does not exist; the data has %d task(s)" % (task, data.tasks))

    def steps_for(task):
        if args.steps is not None:
            return args.steps
        if TRAINING["steps"] is not None:
            return TRAINING["steps"]
        if TRAINING["epochs"]:
            return math.ceil(TRAINING["epochs"] * data.train_size(task) / TRAINING["batchSize"])
        return DEFAULT_STEPS

    if TRAINING["schedule"] == "interleaved":
        phases = [(list(task_list), steps_for(task_list[0]))]
    else:
        phases = [([t], steps_for(t)) for t in task_list]
    total_steps = sum(steps for _, steps in phases)
    sequential = TRAINING["schedule"] == "sequential" and len(phases) > 1
    batch_size = TRAINING["batchSize"]
    continual = TRAINING["continual"]
    look_ahead = continual["lookAhead"] and OUTPUT_REGULARIZER is not None and sequential
    per_step = continual.get("regularizedTasksPerStep")
    if continual["lookAhead"] and (TRAINING["optimizer"]["type"] == "rmsprop" or (TRAINING["optimizer"]["type"] == "sgd" and TRAINING["optimizer"].get("momentum", 0))):
        sys.exit("training.continual.lookAhead needs Adam or SGD without momentum (the optimizer is %s)" % TRAINING["optimizer"]["type"])
    if look_ahead and world > 1:
        sys.exit("training.continual.lookAhead is not supported under torchrun (one process only)")
    if continual["taskInference"] and (not sequential or MAIN_METRIC is None or "embedding" not in PARAMETER_ROLES.values()):
        sys.exit("training.continual.taskInference needs a sequential classifier with a task embedding")

    model = Model().to(device)
    if args.resume:
        pass  # the checkpoint's parameters are assigned once the optimizer exists
    elif args.init_from:
        load_hnet_weights(model, args.init_from)
        emit({"event": "log", "level": "info", "message": "loaded weights from " + args.init_from})
    else:
        # Hyperfan measures each head's last-layer input on real batches: one per task of up to 32 tasks
        # (at least 4 in all), each task's from its own stream, as the engine draws them.
        measured = task_list[:32]
        per_task = max(1, math.ceil(4 / len(measured)))
        samples = []
        for task in measured:
            r = Rng(seed).fork("init%d" % task)
            for _ in range(per_task):
                samples.append(tensors(data.train_batch(task, batch_size, r), device))
        initialize(model, seed, samples)
    core = model
    if world > 1:
        model = DistributedDataParallel(model, find_unused_parameters=bool(UNUSED_PARAMETERS))
    named = core.hnet_parameters()
    # fixedEmbeddings: the task-embedding tables keep their initial codes; the optimizer never sees them.
    fixed_embeddings = bool(continual.get("fixedEmbeddings"))
    for n, role in PARAMETER_ROLES.items():
        if role == "embedding" and fixed_embeddings:
            named[n].requires_grad_(False)
    optimizer = make_optimizer(trainable(model), args.lr)
    embeddings = [named[n] for n, role in PARAMETER_ROLES.items() if role == "embedding"] if continual["currentEmbeddingOnly"] and not fixed_embeddings else []
    hyper = [named[n] for n, role in PARAMETER_ROLES.items() if role == "hyper"]
    rng = Rng(seed).fork("batches") if rank == 0 else Rng(seed).fork("batches.rank%d" % rank)
    step = 0
    phase_start = 0
    in_phase_start = 0
    accuracy_matrix = []
    resumed_targets = None
    if args.resume:
        ck = read_checkpoint(args.resume, core, optimizer, device)
        rng.state = int(ck["rngState"])
        step, phase_start, in_phase_start = int(ck["step"]), int(ck["phase"]), int(ck["stepInPhase"])
        accuracy_matrix = [list(r) for r in ck.get("accuracyMatrix", [])]
        resumed_targets = targets_from(ck, device)
        emit({"event": "log", "level": "info", "message": "resumed from %s at step %d" % (args.resume, step)})

    backend = "pytorch-" + device.type + ("-ddp%d" % world if world > 1 else "")
    emit({"event": "start", "backend": backend, "totalSteps": total_steps, "tasks": list(task_list), "budget": BUDGET})
    event_every = args.event_every if args.event_every and args.event_every > 0 else max(1, total_steps // 200)
    eval_every = TRAINING["evalEvery"]
    earlier = None
    # A finished run's checkpoint sits at the end of its last phase: resumed with more steps, that phase goes on.
    stopped_at = (len(phases) - 1, phases[-1][1])

    def checkpoint(phase, in_phase):
        if args.checkpoint and rank == 0:
            write_checkpoint(args.checkpoint, core, optimizer, seed, step, phase, in_phase, rng, earlier, accuracy_matrix)
            emit({"event": "checkpoint", "step": step, "path": args.checkpoint})

    def serve_studio(phase, in_phase):
        """Hypernet Studio's requests between steps (module hnet_control, set up by its runner; absent when train.py
        is run by hand): a snapshot of the live state in the checkpoint format, for its inspector; pause."""
        if STUDIO is None or rank != 0:
            return
        while True:
            while STUDIO.snapshots:
                path = STUDIO.snapshots.pop(0)
                write_checkpoint(path, core, optimizer, seed, step, phase, in_phase, rng, earlier, accuracy_matrix)
                print(json.dumps({"snapshot": path, "step": step}), flush=True)
            if not STUDIO.paused or STOP_REQUESTED:
                return
            time.sleep(0.02)
    window_start = time.perf_counter()
    window_steps = 0
    steps_per_second = 0.0
    stopped = False
    model.train()

    for phase, (tasks, steps) in enumerate(phases):
        if phase < phase_start:
            continue
        first = in_phase_start if phase == phase_start else 0
        done_tasks = task_list[:phase]
        if OUTPUT_REGULARIZER is not None and sequential and done_tasks:
            earlier = resumed_targets if first > 0 and resumed_targets else snapshot(core, done_tasks, device)
        # hypercl makes a new optimizer for each task; a run resumed inside a task keeps the checkpoint's state.
        if continual["optimizerPerTask"] and sequential and phase > 0 and first == 0:
            optimizer = make_optimizer(trainable(model), args.lr)
        for in_phase in range(first, steps):
            serve_studio(phase, in_phase)
            if STOP_REQUESTED:
                stopped = True
                stopped_at = (phase, in_phase)
                break
            task = tasks[0] if len(tasks) == 1 else tasks[rng.int(len(tasks))]
            x, y, task_t, context = tensors(data.train_batch(task, batch_size, rng), device)
            held = earlier
            # A random subset of earlier tasks per step, drawn from the batch stream as the engine draws it.
            if earlier and per_step and per_step < len(earlier):
                held = {t: earlier[t] for t in pick_tasks(done_tasks, per_step, rng)}
            optimizer.zero_grad()
            out = model(x, y, task_t, context, earlier=None if look_ahead else held)
            total = out["loss"]
            losses = {k: finite(v) for k, v in out["losses"].items()}
            if look_ahead and held:
                # hypercl's look-ahead: the regulariser's gradient at theta + delta theta, delta theta the step the
                # optimizer would take on the task loss alone (detached), added to the task loss's gradient.
                total.backward()
                mask_rows(embeddings, task)
                deltas = candidate_step(optimizer, hyper)
                saved = [p.detach().clone() for p in hyper]
                with torch.no_grad():
                    for p, d in zip(hyper, deltas):
                        p.add_(d)
                regularizer = core.output_regularizer(held)
                regularizer.backward()
                with torch.no_grad():
                    for p, s in zip(hyper, saved):
                        p.copy_(s)
                total = total.detach() + regularizer.detach()
                losses["output_regularizer"] = finite(regularizer)
            elif "regularizer" in out:
                total = total + out["regularizer"]
                losses["output_regularizer"] = finite(out["regularizer"])
            loss = float(total)
            if not math.isfinite(loss):
                emit({"event": "error", "code": "HN050", "message": "the loss became %s at step %d (task %d)" % ("NaN" if math.isnan(loss) else "infinite", step + 1, task), "step": step + 1})
                sys.exit(3)
            if not (look_ahead and held):
                total.backward()
            mask_rows(embeddings, task)
            frozen = [p.detach().clone() for p in embeddings]
            optimizer.step()
            # A row with no gradient can still move under Adam state left by its own task: put it back exactly.
            with torch.no_grad():
                for p, f in zip(embeddings, frozen):
                    keep = torch.ones(p.shape[0], dtype=torch.bool, device=p.device)
                    keep[task] = False
                    p[keep] = f[keep]
            step += 1
            window_steps += 1
            now = time.perf_counter()
            if now - window_start > 1 or step == total_steps:
                steps_per_second = window_steps / max(1e-3, now - window_start)
                window_start = now
                window_steps = 0
            if step % event_every == 0 or in_phase == steps - 1:
                emit({"event": "step", "step": step, "task": task, "loss": finite(loss), "losses": losses, "stepsPerSecond": steps_per_second})
            if eval_every > 0 and step % eval_every == 0 and in_phase != steps - 1 and rank == 0:
                ev = evaluate(core, data, task_list[: phase + 1] if sequential else task_list, device, data.during_split)
                emit({"event": "eval", "step": step, "task": task, **ev, "split": data.during_split})
            if args.checkpoint_every and step % args.checkpoint_every == 0:
                checkpoint(phase, in_phase + 1)
        if stopped:
            break
        if sequential and rank == 0:
            ev = evaluate(core, data, task_list[: phase + 1], device)
            row = [ev["perTask"][str(t)].get(MAIN_METRIC) if j <= phase and MAIN_METRIC else None for j, t in enumerate(task_list)]
            # Row i is the matrix after phase i; a finished phase resumed with more steps replaces its row.
            if phase < len(accuracy_matrix):
                accuracy_matrix[phase] = row
            else:
                accuracy_matrix.append(row)
            emit({"event": "eval", "step": step, "task": tasks[0], **ev, "split": "test"})
            emit({"event": "task_end", "task": tasks[0], "step": step, "accuracyMatrix": [list(r) for r in accuracy_matrix], "metricName": MAIN_METRIC or "loss"})

    if args.save:
        if args.save_all_ranks and world > 1:
            save_hnet_weights(core, os.path.join(args.save, "rank%d" % rank))
        elif rank == 0:
            save_hnet_weights(core, args.save)
        emit({"event": "log", "level": "info", "message": "saved weights to " + args.save})
    checkpoint(*stopped_at)
    if rank == 0:
        final = evaluate(core, data, task_list[: max(1, len(accuracy_matrix))] if sequential else task_list, device)
        metrics = dict(final["metrics"])
        if len(task_list) > 1:
            for t in sorted(final["perTask"], key=int):
                for k, v in final["perTask"][t].items():
                    metrics["%s/task%s" % (k, t)] = v
        if continual["taskInference"]:
            metrics.update(infer_tasks(core, data, task_list[: max(1, len(accuracy_matrix))], device))
        done = {"event": "done", "step": step, "seconds": time.perf_counter() - started, "metrics": metrics}
        if sequential:
            done["accuracyMatrix"] = accuracy_matrix
        done["stopped"] = stopped
        emit(done)
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()


RANK = 0
STOP_REQUESTED = False

if __name__ == "__main__":
    main()

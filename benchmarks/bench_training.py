#!/usr/bin/env python3
"""Time one training step (forward + loss + backward + SGD update) of labkit against a plain
numpy MLP (benchmarks/numpy_mlp.py) and PyTorch eager, in one process.

    .venv/bin/python benchmarks/bench_training.py            # full run, a few minutes
    .venv/bin/python benchmarks/bench_training.py --quick    # smoke test, < 30 s

Workloads (as /work/shared/bench/README.md):
  A  widget-size  MLP 2-16-16-1, tanh hidden, sigmoid + BCE, two moons N=200, full batch,
                  SGD lr 0.1, float64; runs of 100 steps
  B  lesson-size  MLP 64-128-128-10, ReLU, softmax cross-entropy, 4096 N(0,1) samples with
                  random labels, mini-batch 64, SGD lr 0.1, float32 and float64; runs of 64 steps
  C  deep         20 Linear layers 256 -> 256 (x19) -> 10, ReLU, cross-entropy, He init,
                  float32, 2048 samples, batch 256, SGD lr 0.01; runs of 8 steps
Every implementation starts each run from the same initial weights (drawn once in float64
and cast), sees the same batches, and its loss curve is checked against the numpy reference.
Rows are interleaved run by run; the reported time per step is the median over runs.
benchmarks/README.md explains every number; results go to benchmarks/results/training.json.
"""
from __future__ import annotations

import argparse
import gc
import math
import os
import sys
import time
from dataclasses import dataclass

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_mlp  # noqa: E402
from _common import (  # noqa: E402
    RESULTS_DIR,
    LoadMeter,
    Threads,
    machine_info,
    other_processes_top,
    summary,
    verdict,
    wait_for_idle,
    write_json,
)

import labkit as lk  # noqa: E402

try:
    import torch
except ImportError:            # torch is optional: its rows are then skipped
    torch = None

THREAD_MODES = ("1", "default")
# the clock of every timing: wall time (perf_counter) on an idle machine; --clock cpu uses this
# process's CPU time (process_time), which other processes on a busy machine disturb less
CLOCK = time.perf_counter
RATIO_LIMIT = 1.15       # A and B: labkit's step <= 1.15x numpy-ref's (issue 13)
EFF_POINTS = 0.05        # C: labkit's matmul efficiency within 5 points of numpy-ref's

# --- workloads ------------------------------------------------------------------------------


@dataclass
class Workload:
    key: str
    title: str
    sizes: tuple
    hidden: str               # "tanh" | "relu"
    output: str | None        # "sigmoid" | None (logits)
    loss: str                 # "bce" | "ce"
    lr: float
    X: np.ndarray             # float64 (N, in)
    y: np.ndarray             # float64 (N, 1) for bce, int64 (N,) for ce
    batch: int
    steps: int                # steps per timed run
    dtypes: tuple
    init: list                # [(W (out, in), b (out,))] float64

    def batches(self, dtype):
        X = self.X.astype(dtype)
        y = self.y.astype(dtype) if self.loss == "bce" else self.y
        return [(np.ascontiguousarray(X[i:i + self.batch]),
                 np.ascontiguousarray(y[i:i + self.batch])) for i in range(0, len(X), self.batch)]


def two_moons(n, noise, rng):
    """Two interleaving half circles (as sklearn's make_moons), shuffled; labels 0/1."""
    n1 = n // 2
    t1, t2 = np.linspace(0, np.pi, n1), np.linspace(0, np.pi, n - n1)
    X = np.concatenate([np.stack([np.cos(t1), np.sin(t1)], 1),
                        np.stack([1 - np.cos(t2), 0.5 - np.sin(t2)], 1)])
    X = X + noise * rng.standard_normal(X.shape)
    y = np.concatenate([np.zeros(n1), np.ones(n - n1)])
    order = rng.permutation(n)
    return X[order], y[order]


def uniform_init(sizes, rng):
    """W, b ~ U(+-1/sqrt(in)): torch.nn.Linear's default."""
    out = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        r = 1 / math.sqrt(n_in)
        out.append((rng.uniform(-r, r, (n_out, n_in)), rng.uniform(-r, r, n_out)))
    return out


def he_init(sizes, rng):
    """W ~ N(0, 2/in), b = 0: a 20-layer ReLU stack stays O(1) (no denormals, no overflow)."""
    return [(rng.standard_normal((n_out, n_in)) * math.sqrt(2 / n_in), np.zeros(n_out))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def make_workloads(seed=0, quick=False):
    rng = np.random.default_rng(seed)
    Xa, ya = two_moons(200, 0.1, rng)
    a_sizes = (2, 16, 16, 1)
    A = Workload("A", "widget-size: MLP 2-16-16-1 tanh, sigmoid + BCE, moons N=200 full batch",
                 a_sizes, "tanh", "sigmoid", "bce", 0.1, Xa, ya.reshape(-1, 1), 200,
                 10 if quick else 100, ("float64",), uniform_init(a_sizes, rng))
    b_sizes = (64, 128, 128, 10)
    Xb, yb = rng.standard_normal((4096, 64)), rng.integers(0, 10, 4096)
    B = Workload("B", "lesson-size: MLP 64-128-128-10 ReLU, cross-entropy, mini-batch 64",
                 b_sizes, "relu", None, "ce", 0.1, Xb, yb, 64, 8 if quick else 64,
                 ("float32", "float64"), uniform_init(b_sizes, rng))
    c_sizes = (256,) * 20 + (10,)
    Xc, yc = rng.standard_normal((2048, 256)), rng.integers(0, 10, 2048)
    C = Workload("C", "deep: 20 Linear layers of width 256, ReLU, cross-entropy, He init, "
                 "batch 256", c_sizes, "relu", None, "ce", 0.01, Xc, yc, 256,
                 1 if quick else 8, ("float32",), he_init(c_sizes, rng))
    return {"A": A, "B": B, "C": C}


# --- trainers: load(init) resets the weights; step(X, y) -> loss (a Python float) -----------


class NumpyTrainer:
    name = "numpy-ref"

    def __init__(self, w: Workload, dtype):
        self.w, self.dtype = w, dtype

    def prepare(self, batches):
        return batches

    def load(self, init):
        weights = [(W.astype(self.dtype), b.astype(self.dtype)) for W, b in init]
        self.net = numpy_mlp.MLP(weights, self.w.hidden, self.w.output, self.w.loss, self.w.lr)

    def step(self, X, y):
        return self.net.step(X, y)

    def weights(self):
        return [a for pair in self.net.params for a in pair]


class LabkitTrainer:
    name = "labkit"

    def __init__(self, w: Workload, dtype):
        layers, self.linears = [], []
        act = {"tanh": lk.Tanh, "relu": lk.ReLU}[w.hidden]
        for i, (n_in, n_out) in enumerate(zip(w.sizes[:-1], w.sizes[1:])):
            lin = lk.Linear(n_in, n_out, rng=np.random.default_rng(0), dtype=dtype)
            layers.append(lin)
            self.linears.append(lin)
            if i < len(w.sizes) - 2:
                layers.append(act())
        if w.output == "sigmoid":
            layers.append(lk.Sigmoid())
        self.net = lk.Sequential(*layers)
        self.loss_fn = {"bce": lk.BCELoss, "ce": lk.CrossEntropyLoss}[w.loss]()
        self.opt = lk.SGD(self.net.parameters(), lr=w.lr)
        self.dtype = dtype

    def prepare(self, batches):
        return batches

    def load(self, init):
        for lin, (W, b) in zip(self.linears, init):
            lin.W.data[...] = W           # cast to the layer's dtype on assignment
            lin.b.data[...] = b

    def step(self, X, y):
        loss = self.loss_fn(self.net(X), y)
        self.opt.zero_grad()
        self.net.backward(self.loss_fn.backward())
        self.opt.step()
        return loss

    def weights(self):
        return [p.data for p in self.net.parameters()]


class TorchTrainer:
    name = "torch eager"

    def __init__(self, w: Workload, dtype):
        nn = torch.nn
        tdtype = getattr(torch, dtype)
        layers, self.linears = [], []
        for i, (n_in, n_out) in enumerate(zip(w.sizes[:-1], w.sizes[1:])):
            lin = nn.Linear(n_in, n_out, dtype=tdtype)
            layers.append(lin)
            self.linears.append(lin)
            if i < len(w.sizes) - 2:
                layers.append({"tanh": nn.Tanh, "relu": nn.ReLU}[w.hidden]())
        if w.output == "sigmoid":
            layers.append(nn.Sigmoid())
        self.model = nn.Sequential(*layers)
        self.loss_fn = {"bce": nn.BCELoss, "ce": nn.CrossEntropyLoss}[w.loss]()
        self.opt = torch.optim.SGD(self.model.parameters(), lr=w.lr)
        self.dtype = dtype

    def prepare(self, batches):
        return [(torch.from_numpy(X), torch.from_numpy(y)) for X, y in batches]

    def load(self, init):
        with torch.no_grad():
            for lin, (W, b) in zip(self.linears, init):
                lin.weight.copy_(torch.from_numpy(W))
                lin.bias.copy_(torch.from_numpy(b))

    def step(self, X, y):
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(X), y)
        loss.backward()
        self.opt.step()
        return loss.item()

    def weights(self):
        return [p.detach().numpy() for p in self.model.parameters()]


TRAINERS = [NumpyTrainer, LabkitTrainer] + ([TorchTrainer] if torch is not None else [])

# --- timing ---------------------------------------------------------------------------------


class Row:
    """One (implementation, dtype, thread mode) of a workload: its trainer and its timings."""

    def __init__(self, trainer_cls, w: Workload, dtype, mode, threads: Threads):
        self.impl, self.w, self.dtype, self.mode = trainer_cls.name, w, dtype, mode
        self.lib = "torch" if trainer_cls is TorchTrainer else "numpy"
        self.threads = threads.count(mode, self.lib)
        self.trainer = trainer_cls(w, dtype)
        self.data = self.trainer.prepare(w.batches(dtype))
        self.step_s: list[float] = []
        self.curve: list[float] = []
        self.runs_done = 0

    def run(self, threads: Threads, timed: bool = True):
        """One run: reset the weights, then w.steps training steps through the batches in order."""
        with threads.mode(self.mode):
            self.trainer.load(self.w.init)
            gc.collect()
            losses, data, n = [], self.data, len(self.data)
            t0 = CLOCK()
            for i in range(self.w.steps):
                X, y = data[i % n]
                losses.append(self.trainer.step(X, y))
            elapsed = CLOCK() - t0
        if not self.curve:
            self.curve = losses
        if timed:
            self.step_s.append(elapsed / self.w.steps)
        self.runs_done += 1

    def dtype_kept(self):
        return all(str(a.dtype) == self.dtype for a in self.trainer.weights())


def run_rows(rows, threads: Threads, warmup: int, runs: int, settle: float) -> list[float]:
    """Warm-up, then `runs` rounds; each round runs every row once, starting from a different
    row each time, so a burst of outside load hits one run of many rows, not one row. Returns
    the other-process load (cores) measured during each round."""
    for r in rows:
        for _ in range(warmup):
            r.run(threads, timed=False)
    round_load = []
    for k in range(runs):
        meter = LoadMeter()
        for j in range(len(rows)):
            r = rows[(j + k) % len(rows)]
            r.run(threads)
            if r.threads > 1:
                time.sleep(settle)     # let spinning BLAS/OpenMP workers go idle
        round_load.append(meter.other_cores())
    return round_load


# --- matmul bound (workload C, and B for information) ----------------------------------------


def step_matmuls(sizes, n, first_dx: bool):
    """The matmuls of one step per layer: fwd x @ W.T (n,in)@(in,out); dW = delta.T @ x
    (out,n)@(n,in); dx = delta @ W (n,out)@(out,in); dx of the first layer only if first_dx."""
    ops = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        ops += [("fwd", n, n_in, n_out), ("dW", n, n_in, n_out)]
        if i > 0 or first_dx:
            ops.append(("dx", n, n_in, n_out))
    return ops


class MatmulRow:
    """The matmul bound of one (dtype, thread mode), measured inside the rounds of run_rows,
    so that it sees the same machine as the training runs next to it (this VM's speed drifts
    by 10-20% over minutes). Each run times every distinct matmul of the step alone, with the
    operand layouts the step uses (best of `repeats` loops of about `min_time` s each), and
    records the bound = sum over the step's matmuls, without (strict) and with dL/dX of the
    first layer (which labkit's contract computes and torch skips)."""

    impl = "matmul bound"

    def __init__(self, w: Workload, dtype, mode, threads: Threads, min_time, repeats):
        self.w, self.dtype, self.mode = w, dtype, mode
        self.threads = threads.count(mode)
        self.min_time, self.repeats = min_time, repeats
        self.ops = step_matmuls(w.sizes, w.batch, first_dx=True)
        self.strict = step_matmuls(w.sizes, w.batch, first_dx=False)
        rng = np.random.default_rng(1)
        self.fns, self.calls = {}, {}
        for op in dict.fromkeys(self.ops):
            kind, n, n_in, n_out = op
            x = rng.standard_normal((n, n_in)).astype(dtype)
            W = rng.standard_normal((n_out, n_in)).astype(dtype)
            d = rng.standard_normal((n, n_out)).astype(dtype)
            self.fns[op] = {"fwd": lambda x=x, W=W: x @ W.T, "dW": lambda d=d, x=x: d.T @ x,
                            "dx": lambda d=d, W=W: d @ W}[kind]
        self.samples: list[dict] = []              # one per timed run: op -> best seconds

    def _calls_per_loop(self, fn) -> int:
        fn()
        k = 1
        while True:
            t0 = time.perf_counter()
            for _ in range(k):
                fn()
            dt = time.perf_counter() - t0
            if dt >= self.min_time / 4:
                return max(1, round(k * self.min_time / dt))
            k *= 2

    def run(self, threads: Threads, timed: bool = True):
        with threads.mode(self.mode):
            best = {}
            for op, fn in self.fns.items():
                if op not in self.calls:
                    self.calls[op] = self._calls_per_loop(fn)
                k, times = self.calls[op], []
                for _ in range(self.repeats):
                    t0 = CLOCK()
                    for _ in range(k):
                        fn()
                    times.append((CLOCK() - t0) / k)
                best[op] = min(times)
        if timed:
            self.samples.append(best)

    def bound_us(self, first_dx=False) -> list[float]:
        """The bound of each timed run, in us."""
        ops = self.ops if first_dx else self.strict
        return [sum(s[op] for op in ops) * 1e6 for s in self.samples]

    def summary(self) -> dict:
        strict, with_dx = self.bound_us(), self.bound_us(first_dx=True)
        flops = sum(2 * n * a * b for _, n, a, b in self.strict)
        per_op = {op: float(np.median([s[op] for s in self.samples])) for op in self.fns}
        return {
            "strict_us": float(np.median(strict)), "with_first_dx_us": float(np.median(with_dx)),
            "strict_us_each_run": strict, "flops_per_step": flops,
            "method": f"per run: best of {self.repeats} loops of about {self.min_time} s per "
                      "matmul shape; bound = sum over the step's matmuls; reported: median "
                      "over the runs (interleaved with the training runs)",
            "ops": [{"kind": op[0], "n": op[1], "in": op[2], "out": op[3],
                     "median_of_best_us": t * 1e6, "count_strict": self.strict.count(op),
                     "gflops": 2 * op[1] * op[2] * op[3] / t / 1e9} for op, t in per_op.items()],
        }


# --- main -----------------------------------------------------------------------------------


def run_workload(w: Workload, threads: Threads, args, log):
    meter = LoadMeter()
    rows = [Row(cls, w, dtype, mode, threads)
            for dtype in w.dtypes for mode in THREAD_MODES for cls in TRAINERS]
    mm_rows = []
    if w.key == "C" or (w.key == "B" and not args.quick):
        mm_rows = [MatmulRow(w, dtype, mode, threads, args.mm_min_time, args.mm_repeats)
                   for dtype in w.dtypes for mode in THREAD_MODES]
    round_load = run_rows(rows + mm_rows, threads, args.warmup, args.runs, args.settle)
    load = meter.stop()

    agreement = []
    checks = []
    if "float64" not in w.dtypes:      # prove the implementations compute the same thing in float64
        checks = [Row(cls, w, "float64", "1", threads) for cls in TRAINERS]
        for r in checks:
            r.run(threads, timed=False)
    for r in rows + checks:
        if r.impl == "numpy-ref":
            continue
        ref = next(q for q in rows + checks if q.impl == "numpy-ref" and q.dtype == r.dtype
                   and q.mode == r.mode and bool(q.step_s) == bool(r.step_s))
        diff = float(np.max(np.abs(np.array(r.curve) - np.array(ref.curve))))
        tol = 1e-6 if r.dtype == "float64" else None
        agreement.append({"impl": r.impl, "dtype": r.dtype, "threads": r.mode,
                          "timed_row": bool(r.step_s), "steps": len(r.curve),
                          "max_abs_loss_diff": diff, "tol": tol,
                          "pass": None if tol is None else bool(diff < tol)})

    mm = {f"{m.dtype}/{m.mode}": m.summary() for m in mm_rows} or None
    mm_by_key = {f"{m.dtype}/{m.mode}": m for m in mm_rows}

    results = []
    for r in rows:
        s = summary([t * 1e6 for t in r.step_s])
        ref = next(q for q in rows if q.impl == "numpy-ref" and q.dtype == r.dtype
                   and q.mode == r.mode)
        res = {"impl": r.impl, "dtype": r.dtype, "thread_mode": r.mode, "threads": r.threads,
               "steps_per_run": w.steps, "runs": len(r.step_s), "step_us": s,
               "step_us_each_run": [t * 1e6 for t in r.step_s],
               "ratio_to_numpy_ref": s["median"] / (float(np.median(ref.step_s)) * 1e6),
               # the same round's runs of both rows are close in time: robust to slow drifts of load
               "paired_ratio_median": float(np.median(np.array(r.step_s) / np.array(ref.step_s))),
               "last_loss": r.curve[-1], "loss_curve": r.curve, "dtype_kept": r.dtype_kept()}
        if mm:
            b = mm[f"{r.dtype}/{r.mode}"]
            res["matmul_bound_us"] = b["strict_us"]
            res["efficiency"] = b["strict_us"] / s["median"]
            res["efficiency_with_first_dx"] = b["with_first_dx_us"] / s["median"]
            res["gflops"] = b["flops_per_step"] / (s["median"] * 1e-6) / 1e9
            # bound and step of the same round: robust to the machine's speed drifting
            res["efficiency_paired_median"] = float(np.median(
                np.array(mm_by_key[f"{r.dtype}/{r.mode}"].bound_us()) / (np.array(r.step_s) * 1e6)))
        results.append(res)

    # --- print ---
    log(f"\n== {w.key}  {w.title}; SGD lr {w.lr}; {w.steps} steps per run, "
        f"{args.runs} runs per row (+{args.warmup} warm-up)")
    log(f"   {load['wall_s']:.1f} s; other load: {load['other_cores']:.2f} cores on average "
        "(per round: "
        + ", ".join(f"{x:.2f}" for x in round_load) + ")")
    head = (f"   {'impl':12s} {'dtype':8s} thr {'min':>9s} {'median':>9s} {'max':>9s} us/step"
            "  x numpy-ref  paired  last loss")
    if mm:
        head += "   mm-bound us   eff"
    log(head)
    for res in results:
        s = res["step_us"]
        line = (f"   {res['impl']:12s} {res['dtype']:8s} {res['threads']:3d} {s['min']:9.1f} "
                f"{s['median']:9.1f} {s['max']:9.1f}          {res['ratio_to_numpy_ref']:6.2f}x"
                f"  {res['paired_ratio_median']:5.2f}x  {res['last_loss']:.6f}"
                + ("" if res["dtype_kept"] else "  [dtype changed!]"))
        if mm:
            line += (f"   {res['matmul_bound_us']:11.1f}  {100 * res['efficiency']:3.0f}%"
                     f" (paired {100 * res['efficiency_paired_median']:3.0f}%)")
        log(line)
    for a in agreement:
        log(f"   agreement {a['impl']} {a['dtype']} thr {a['threads']}"
            f"{'' if a['timed_row'] else ' (untimed float64 check)'}: max|dloss| = "
            f"{a['max_abs_loss_diff']:.2e} over {a['steps']} steps"
            + (f" (tol {a['tol']:g}: {verdict(a['pass'])})" if a["tol"]
               else " (float32, informational)"))
    if mm:
        for key, b in mm.items():
            log(f"   matmul bound {key}: {b['strict_us']:.1f} us strict, "
                f"{b['with_first_dx_us']:.1f} us with the first layer's dx "
                f"({b['flops_per_step'] / 1e6:.1f} MFLOP; median of the rounds' bounds)")
    return {"title": w.title, "sizes": list(w.sizes), "batch": w.batch, "lr": w.lr,
            "steps_per_run": w.steps, "load": load, "other_cores_per_round": round_load,
            "results": results, "agreement": agreement, "matmul_bound": mm}


def targets(out: dict) -> list[dict]:
    rows = []
    for key in ("A", "B"):
        for res in out.get(key, {}).get("results", []):
            if res["impl"] == "labkit":
                rows.append({"target": f"{key} labkit step <= {RATIO_LIMIT}x numpy-ref "
                                       f"({res['dtype']}, threads {res['thread_mode']})",
                             "value": res["ratio_to_numpy_ref"], "limit": RATIO_LIMIT,
                             "pass": res["ratio_to_numpy_ref"] <= RATIO_LIMIT,
                             "paired_value": res["paired_ratio_median"],
                             "other_cores": out[key]["load"]["other_cores"]})
    results = out.get("C", {}).get("results", [])
    for res in results:
        if res["impl"] == "labkit":
            ref = next(r for r in results if r["impl"] == "numpy-ref"
                       and r["dtype"] == res["dtype"] and r["thread_mode"] == res["thread_mode"])
            gap = ref["efficiency"] - res["efficiency"]
            rows.append({"target": f"C labkit's matmul efficiency within {100 * EFF_POINTS:.0f} "
                                   f"points of numpy-ref's ({res['dtype']}, threads "
                                   f"{res['thread_mode']}): points below",
                         "value": gap, "limit": EFF_POINTS, "pass": gap <= EFF_POINTS,
                         "efficiency": res["efficiency"], "numpy_ref_efficiency":
                         ref["efficiency"], "other_cores": out["C"]["load"]["other_cores"]})
    for key, w in out.items():
        for a in w["agreement"]:
            if a["tol"] is not None:
                rows.append({"target": f"{key} {a['impl']} float64 loss curve agrees "
                                       f"(thr {a['threads']})",
                             "value": a["max_abs_loss_diff"], "limit": a["tol"],
                             "pass": a["pass"]})
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="smoke test: few steps and runs, no warm-up, no waiting (< 30 s)")
    p.add_argument("--workloads", default="A,B,C", help="subset of A,B,C (default all)")
    p.add_argument("--runs", type=int, default=None,
                   help="timed runs per row (default 21 for A and B, 11 for C; 2 with --quick)")
    p.add_argument("--warmup", type=int, default=1, help="untimed warm-up runs per row (default 1)")
    p.add_argument("--settle", type=float, default=0.2,
                   help="seconds to sleep after a multi-threaded run, so that OpenBLAS/OpenMP "
                        "worker threads stop spinning before the next row (default 0.2)")
    p.add_argument("--mm-min-time", type=float, default=0.01,
                   help="seconds per timing loop of one matmul shape (default 0.01)")
    p.add_argument("--mm-repeats", type=int, default=3,
                   help="timing loops per matmul shape in each round; the best counts (default 3)")
    p.add_argument("--wait-idle", type=float, default=60,
                   help="wait up to this many seconds for an idle machine first "
                        "(default 60; 0: no)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                   help="wall: time.perf_counter (default; for an idle machine); cpu: this "
                        "process's CPU time (time.process_time), less disturbed by other "
                        "processes; meaningful for the 1-thread rows (an idle BLAS thread that "
                        "spins counts as CPU time)")
    p.add_argument("--out", default=os.path.join(RESULTS_DIR, "training.json"),
                   help="JSON output (default benchmarks/results/training.json)")
    args = p.parse_args(argv)
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    if args.quick:
        args.warmup, args.mm_min_time, args.mm_repeats, args.wait_idle = 0, 0.005, 2, 0
        args.settle = min(args.settle, 0.05)
    chosen = [k.strip().upper() for k in args.workloads.split(",") if k.strip()]
    workloads = make_workloads(args.seed, args.quick)
    if any(k not in workloads for k in chosen):
        p.error(f"--workloads: choose from {sorted(workloads)}")

    threads = Threads(torch)
    idle = wait_for_idle(args.wait_idle) if args.wait_idle > 0 else None
    info = machine_info()
    info.update(blas=threads.blas_info, default_threads={"numpy_blas": threads.blas_default,
                                                         "torch": threads.torch_default},
                wait_for_idle=idle, other_processes_at_start=other_processes_top())
    log_lines = []

    def log(s=""):
        print(s, flush=True)
        log_lines.append(s)

    log(f"bench_training  {info['date_utc']}  {info['cpu']}, {info['logical_cpus']} CPUs; "
        f"Python {info['python']}; " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    log(f"threads: '1' pins numpy BLAS and torch to 1; 'default' = BLAS {threads.blas_default}, "
        f"torch {threads.torch_default}")
    if idle is not None:
        log(f"waited {idle['waited_s']} s for an idle machine: "
            + ("idle" if idle["idle"]
               else f"NOT idle ({idle['other_cores_last_window']:.2f} cores busy)"))
    meter = LoadMeter()
    out = {}
    for key in chosen:
        runs = args.runs or (2 if args.quick else (11 if key == "C" else 21))
        wargs = argparse.Namespace(**{**vars(args), "runs": runs})
        out[key] = run_workload(workloads[key], threads, wargs, log)
    load = meter.stop()
    tg = targets(out)
    log("\n== targets")
    for t in tg:
        busy = f"  [other load {t['other_cores']:.2f} cores]" if "other_cores" in t else ""
        log(f"   {t['target']:62s} {t['value']:10.4g}  (limit {t['limit']:g})  "
            f"{verdict(t['pass'])}{busy}")
    log(f"\ntotal {load['wall_s']:.1f} s; other processes used {load['other_cores']:.2f} cores "
        "on average")
    write_json(args.out, {"meta": {**info, "args": vars(args), "load_during_run": load},
                          "workloads": out, "targets": tg, "printed": "\n".join(log_lines)})
    print(f"wrote {args.out}")
    return 0 if all(t["pass"] for t in tg) else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Workload C's matmuls timed in the order a training step runs them, against labkit's step.

bench_training.py's "matmul bound" times each distinct matmul alone, in a loop, on operands that
stay hot in the caches. Inside a step each layer's operands come cold from memory. This script
runs exactly the step's matmuls (forward x @ W.T, dW = delta.T @ x, dx = delta @ W, layer by
layer, writing into preallocated arrays, no elementwise work at all) in sequence, interleaved
round by round with labkit's full step on the same batches, for 1 and 2 BLAS threads. If the
sequence alone takes about as long as the step, the step's elementwise work is already hidden
and the gap to the isolated bound is the matmuls' own speed on cold data.

    .venv/bin/python benchmarks/bench_matmul_sequence.py [--rounds 9] [--out ...]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import RESULTS_DIR, LoadMeter, Threads, machine_info, wait_for_idle, write_json  # noqa: E402
from bench_training import LabkitTrainer, make_workloads  # noqa: E402


class MatmulSequence:
    """The step's matmuls only, in the step's order, into preallocated outputs."""

    def __init__(self, init, batch: int, dtype) -> None:
        self.Ws = [W.astype(dtype) for W, _ in init]
        widths = [self.Ws[0].shape[1]] + [W.shape[0] for W in self.Ws]
        self.acts = [np.empty((batch, w), dtype) for w in widths]
        self.dWs = [np.empty_like(W) for W in self.Ws]
        self.deltas = [np.ones((batch, w), dtype) for w in widths]

    def step(self, X, y=None) -> None:
        self.acts[0][...] = X
        for i, W in enumerate(self.Ws):                      # forward
            np.matmul(self.acts[i], W.T, out=self.acts[i + 1])
        for i in reversed(range(len(self.Ws))):              # backward, with dL/dX as labkit
            np.matmul(self.deltas[i + 1].T, self.acts[i], out=self.dWs[i])
            np.matmul(self.deltas[i + 1], self.Ws[i], out=self.deltas[i])


def time_steps(step, batches, steps: int) -> float:
    t0 = time.perf_counter()
    for i in range(steps):
        X, y = batches[i % len(batches)]
        step(X, y)
    return (time.perf_counter() - t0) / steps


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=9)
    p.add_argument("--steps", type=int, default=8, help="steps per timed run (one epoch)")
    p.add_argument("--wait-idle", type=float, default=60.0)
    p.add_argument("--out", default=os.path.join(RESULTS_DIR, "matmul_sequence.json"))
    args = p.parse_args(argv)

    meta = machine_info()
    meta["wait_for_idle"] = wait_for_idle(args.wait_idle)
    w, dtype = make_workloads()["C"], "float32"
    batches = w.batches(dtype)
    threads, results = Threads(), {}
    for mode in ("1", "default"):
        lab = LabkitTrainer(w, dtype)
        lab.load(w.init)
        seq = MatmulSequence(w.init, w.batch, dtype)
        times = {"matmuls in sequence": [], "labkit step": []}
        meter = LoadMeter()
        with threads.mode(mode):
            time_steps(seq.step, batches, args.steps)        # warm-up (and BLAS threads up)
            time_steps(lab.step, batches, args.steps)
            for _ in range(args.rounds):
                times["matmuls in sequence"].append(time_steps(seq.step, batches, args.steps))
                times["labkit step"].append(time_steps(lab.step, batches, args.steps))
        med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
        paired = statistics.median(a / b for a, b in zip(times["matmuls in sequence"],
                                                         times["labkit step"]))
        results[mode] = {"threads": threads.count(mode), "median_ms": med,
                         "min_ms": {k: min(v) * 1e3 for k, v in times.items()},
                         "sequence_over_step_paired": paired, "load": meter.stop()}
        print(f"threads {threads.count(mode)}: matmuls in sequence {med['matmuls in sequence']:.2f}"
              f" ms, labkit step {med['labkit step']:.2f} ms (medians of {args.rounds}); "
              f"sequence / step = {paired:.0%} (paired); other load "
              f"{results[mode]['load']['other_cores']:.2f} cores")
    write_json(args.out, {"meta": meta, "args": vars(args), "results": results})
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

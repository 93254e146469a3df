#!/usr/bin/env python3
"""Time the array-level choices labkit's core makes for speed, each against the plain numpy
line a reader would expect, on the array shapes of the training workloads (A, B, C of
bench_training.py), one BLAS thread:

  relu        np.maximum(z, 0)                vs  np.maximum(z, zeros)   (ReLU._f)
  bias grad   delta.sum(axis=0)               vs  ones @ delta           (Parameter.add_grad_sum)
  tanh        np.tanh(z)                      vs  lk.tanh(z)             (float64: via expm1)
  tanh grad   da * (1 - a * a)                vs  Tanh()._df(da, a)      (in place)
  grad write  W.grad.fill(0); W.grad += g.T@x vs  np.matmul(g.T, x, out=W.grad)   (zero_grad)

Each cell is the best of --repeats loops of --number calls (us per call), the loops of the two
versions interleaved, after 2 s of warm-up: the best, not the median, because the question is
what each line costs, not how noisy the machine is. A choice
is kept in labkit only where its speed-up holds on every shape (the "kept" column).

    .venv/bin/python benchmarks/bench_kernels.py [--out benchmarks/results/kernels.json]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import timeit

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import RESULTS_DIR, LoadMeter, Threads, machine_info, wait_for_idle, write_json  # noqa: E402

import labkit as lk  # noqa: E402

# (workload, shape, dtype): a hidden layer's activations and deltas (batch x width)
SHAPES = [("A", (200, 16), np.float64), ("B", (64, 128), np.float32),
          ("B", (64, 128), np.float64), ("C", (256, 256), np.float32)]


def best_us_pair(plain, fast, number: int, repeats: int) -> tuple[float, float]:
    """Best loop of each, the loops of the two interleaved (the VM's speed drifts)."""
    t_plain, t_fast = [], []
    for _ in range(repeats):
        t_plain.append(timeit.timeit(plain, number=number))
        t_fast.append(timeit.timeit(fast, number=number))
    return min(t_plain) / number * 1e6, min(t_fast) / number * 1e6


def warm_up(seconds: float = 2.0) -> None:
    """Busy work first: the first second of a process runs measurably slower on this VM."""
    a, t_end = np.ones((256, 256)), time.perf_counter() + seconds
    while time.perf_counter() < t_end:
        np.tanh(a @ a)


def kernels(shape, dtype, rng):
    """name -> (plain, labkit): two zero-argument callables doing the same work."""
    z = rng.standard_normal(shape).astype(dtype)
    delta = rng.standard_normal(shape).astype(dtype)
    x = rng.standard_normal(shape).astype(dtype)
    zeros, ones = np.zeros_like(z), np.ones(shape[0], dtype)
    grad = np.zeros((shape[1], shape[1]), dtype)

    def plain_grad_write():
        grad.fill(0)
        grad.__iadd__(delta.T @ x)

    a = np.tanh(z)
    tanh_layer = lk.Tanh()

    return {
        "relu": (lambda: np.maximum(z, 0), lambda: np.maximum(z, zeros)),
        "bias grad": (lambda: delta.sum(axis=0), lambda: ones @ delta),
        "tanh": (lambda: np.tanh(z), lambda: lk.tanh(z)),
        "tanh grad": (lambda: delta * (1 - a * a), lambda: tanh_layer._df(delta, a)),
        "grad write": (plain_grad_write, lambda: np.matmul(delta.T, x, out=grad)),
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--number", type=int, default=500, help="calls per loop (default 500)")
    p.add_argument("--repeats", type=int, default=9, help="loops per cell (default 9)")
    p.add_argument("--wait-idle", type=float, default=60.0)
    p.add_argument("--out", default=os.path.join(RESULTS_DIR, "kernels.json"))
    args = p.parse_args(argv)

    meta = machine_info()
    meta["wait_for_idle"] = wait_for_idle(args.wait_idle)
    rng = np.random.default_rng(0)
    rows, meter = [], LoadMeter()
    with Threads().mode("1"):
        warm_up()
        for workload, shape, dtype in SHAPES:
            for name, (plain, fast) in kernels(shape, dtype, rng).items():
                t_plain, t_lab = best_us_pair(plain, fast, args.number, args.repeats)
                rows.append({"kernel": name, "workload": workload, "shape": list(shape),
                             "dtype": np.dtype(dtype).name, "plain_us": t_plain,
                             "labkit_us": t_lab, "speedup": t_plain / t_lab})
    load = meter.stop()

    print(f"{'kernel':11} {'workload':8} {'shape':>10} {'dtype':8} {'plain us':>9} "
          f"{'labkit us':>9} {'speed-up':>8}")
    for r in rows:
        shape = "x".join(map(str, r["shape"]))
        print(f"{r['kernel']:11} {r['workload']:8} {shape:>10} {r['dtype']:8} "
              f"{r['plain_us']:9.2f} {r['labkit_us']:9.2f} {r['speedup']:7.2f}x")
    print(f"other load {load['other_cores']:.2f} cores")
    write_json(args.out, {"meta": meta, "load": load, "args": vars(args), "rows": rows})
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

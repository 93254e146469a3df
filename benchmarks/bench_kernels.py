#!/usr/bin/env python3
"""Where the time of one training step goes: labkit against the plain numpy reference
(benchmarks/numpy_mlp.py), phase by phase, on the workloads of bench_training.py, one BLAS
thread. It says what each remaining gap of bench_training's ratio is.

  phase       labkit                                   numpy-ref
  forward     net(X)                                   MLP.forward(X) (caches)
  loss        loss_fn(y_hat, y) + loss_fn.backward()   the loss function (value and gradient)
  zero_grad   opt.zero_grad()                          (none: its gradients are new arrays)
  backward    net.backward(dL/dy_hat)                  MLP.backward(dout, caches)
  update      opt.step()                               W -= lr dW, b -= lr db for every layer
  step        the whole training step                  MLP.step(X, y)

and, for labkit, the checks a learner's mistakes are caught by (the input and grad_out checks
of every layer, the loss's argument checks), timed alone. The updates run with lr = 0 so that
thousands of repetitions leave the weights as they are. Each cell is the best of --repeats
loops of --number calls (us per call), labkit's and numpy-ref's loops interleaved.

    .venv/bin/python benchmarks/bench_kernels.py [--clock cpu] \
        [--out benchmarks/results/kernels.json]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import timeit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_training as bt  # noqa: E402
import numpy_mlp  # noqa: E402
from _common import RESULTS_DIR, LoadMeter, Threads, machine_info, wait_for_idle, write_json  # noqa: E402

from labkit.core.losses import _check_arrays, _check_same_shape  # noqa: E402
from labkit.core.module import check_grad_out, check_input  # noqa: E402

CASES = [("A", "float64"), ("B", "float32"), ("B", "float64"), ("C", "float32")]


def phases(w: bt.Workload, dtype: str) -> dict[str, tuple]:
    """phase -> (labkit callable, numpy-ref callable or None), on the workload's first batch."""
    X, y = w.batches(dtype)[0]
    lab = bt.LabkitTrainer(w, dtype)
    lab.load(w.init)
    lab.opt.lr = 0.0
    net, loss_fn, opt = lab.net, lab.loss_fn, lab.opt
    y_hat = net(X)
    loss_fn(y_hat, y)
    g = loss_fn.backward()
    net.backward(g)
    ref = numpy_mlp.MLP([(W.astype(dtype), b.astype(dtype)) for W, b in w.init], w.hidden,
                        w.output, w.loss, 0.0)
    out, caches = ref.forward(X)
    _, dout = ref.loss(out, y)
    _, grads = ref.backward(dout, caches)

    def ref_update():
        for (W, b), (dW, db) in zip(ref.params, grads):
            W -= ref.lr * dW
            b -= ref.lr * db

    def lab_loss():
        loss_fn(y_hat, y)
        return loss_fn.backward()

    def checks():                      # what the layers and the loss check, every step
        for layer in net:
            check_input(layer, X)
            check_grad_out(layer, X, X.shape)
        _check_arrays(loss_fn, y_hat, y)
        if w.loss == "bce":
            _check_same_shape(loss_fn, y_hat, y)

    return {"forward": (lambda: net(X), lambda: ref.forward(X)),
            "loss": (lab_loss, lambda: ref.loss(out, y)),
            "zero_grad": (opt.zero_grad, None),
            "backward": (lambda: net.backward(g), lambda: ref.backward(dout, caches)),
            "update": (opt.step, ref_update),
            "step": (lambda: lab.step(X, y), lambda: ref.step(X, y)),
            "checks (in labkit's phases)": (checks, None)}


def best_us(fn, number: int, repeats: int, clock) -> list[float]:
    return [t / number * 1e6 for t in timeit.repeat(fn, number=number, repeat=repeats,
                                                     timer=clock)]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--number", type=int, default=200, help="calls per loop (default 200)")
    p.add_argument("--repeats", type=int, default=15, help="loops per cell (default 15)")
    p.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                   help="wall: perf_counter; cpu: this thread's CPU time (a busy machine)")
    p.add_argument("--wait-idle", type=float, default=60.0)
    p.add_argument("--out", default=os.path.join(RESULTS_DIR, "kernels.json"))
    args = p.parse_args(argv)
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter

    meta = machine_info()
    meta["wait_for_idle"] = wait_for_idle(args.wait_idle) if args.wait_idle > 0 else None
    workloads = bt.make_workloads(0)
    rows, meter = [], LoadMeter()
    with Threads().mode("1"):
        for key, dtype in CASES:
            number = max(1, args.number // 50) if key == "C" else args.number
            for name, (lab, ref) in phases(workloads[key], dtype).items():
                lab_t, ref_t = [], []
                for _ in range(args.repeats):       # interleaved: the VM's speed drifts
                    lab_t += best_us(lab, number, 1, clock)
                    if ref is not None:
                        ref_t += best_us(ref, number, 1, clock)
                rows.append({"workload": key, "dtype": dtype, "phase": name,
                             "labkit_us": min(lab_t), "numpy_ref_us": min(ref_t) if ref_t
                             else 0.0})
    load = meter.stop()

    print(f"{'workload':9} {'phase':28} {'labkit us':>10} {'numpy-ref us':>13} {'gap us':>8}")
    for r in rows:
        print(f"{r['workload'] + ' ' + r['dtype']:9} {r['phase']:28} {r['labkit_us']:10.1f} "
              f"{r['numpy_ref_us']:13.1f} {r['labkit_us'] - r['numpy_ref_us']:8.1f}")
    print(f"clock {args.clock}; other load {load['other_cores']:.2f} cores")
    write_json(args.out, {"meta": meta, "load": load, "args": vars(args), "rows": rows})
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

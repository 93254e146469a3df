#!/usr/bin/env python3
"""Where labkit's training step loses time against the plain numpy reference (issue 13).

bench_training.py measures the ratio; this script says what it is made of. It times, in one
process, interleaved run by run as bench_training does (same workloads, weights, batches and
thread pinning), the reference MLP (numpy_mlp.py), labkit as shipped, and labkit with its
contract taken away one piece at a time, cumulatively:

  1. labkit               as shipped: lk.Sequential, lk.BCELoss / lk.CrossEntropyLoss, lk.SGD
  2. + update in place    SGD writes p.data -= lr * g instead of copying gd_step's new array
                          into p.data (the formula the exercise asks for, which SGD calls)
  3. + no checks          no input, shape or target checks (a wrong shape or a label 2 then
                          gives numpy's error, or a wrong number, instead of one naming the
                          layer)
  4. + no accumulation    backward assigns p.grad = dW and zero_grad does nothing: gradients
                          no longer add up over several backward passes (torch's and labkit's
                          contract; the reference keeps only the last one)
  5. + one softmax        (B) CrossEntropyLoss keeps forward's softmax for backward instead of
                          calling cross_entropy and cross_entropy_grad, two formulas an
                          exercise asks for, which each compute it

Each row is a subclass of labkit's own classes (nothing is patched): the differences between
consecutive rows are the price of each piece. The ablations exist only here.

    .venv/bin/python benchmarks/bench_step_gap.py [--runs 21] [--workloads A,B]
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_training as bt  # noqa: E402
from _common import (  # noqa: E402
    RESULTS_DIR,
    LoadMeter,
    Threads,
    machine_info,
    summary,
    wait_for_idle,
    write_json,
)

import labkit as lk  # noqa: E402
from labkit.core.layers import linear_backward, linear_forward  # noqa: E402
from labkit.core.losses import cross_entropy  # noqa: E402

# --- the ablations: labkit's classes with one piece of the contract taken away ---------------


class InPlaceSGD(lk.SGD):
    def update(self, p, g, state, group):
        p.data -= group["lr"] * g


class UncheckedLinear(lk.Linear):
    def forward(self, a_prev):
        self.a_prev = a_prev
        return linear_forward(a_prev, self.W.data, self.b.data)

    def backward(self, delta):
        dW, db, da_prev = linear_backward(delta, self.a_prev, self.W.data)
        self.W.accumulate_grad(dW)
        self.b.accumulate_grad(db)
        return da_prev


class AssigningLinear(UncheckedLinear):
    def backward(self, delta):
        dW, db, da_prev = linear_backward(delta, self.a_prev, self.W.data)
        self.W.grad, self.b.grad = dW, db
        return da_prev


class Unchecked:
    """An activation's forward and backward without the type and shape checks."""

    def forward(self, z):
        self._cache = self._f(z)
        return self._cache

    def backward(self, da):
        return self._df(da, self._cache)


UNCHECKED = {cls: type(f"Unchecked{cls.__name__}", (Unchecked, cls), {})
             for cls in (lk.Tanh, lk.ReLU, lk.Sigmoid)}


class UncheckedBCE(lk.BCELoss):
    def forward(self, p, y):
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100.0)
            log_1mp = np.maximum(np.log1p(-p), -100.0)
        self._p, self._y = p, y
        return float(-(y * log_p + (1.0 - y) * log_1mp).mean())


class UncheckedCE(lk.CrossEntropyLoss):
    def forward(self, logits, targets):
        self._logits, self._targets = logits, targets
        return cross_entropy(logits, targets)


class OneSoftmaxCE(lk.CrossEntropyLoss):
    def forward(self, logits, targets):
        shifted = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        rows = np.arange(len(targets))
        self._p, self._rows, self._targets = e / s, rows, targets
        return float((np.log(s[:, 0]) - shifted[rows, targets]).mean())

    def backward(self):
        g = self._p.copy()
        g[self._rows, self._targets] -= 1
        return g / len(self._targets)


ABLATIONS = [  # name, cumulative: what each row changes
    ("labkit", {}),
    ("+ update in place", {"sgd": InPlaceSGD}),
    ("+ no checks", {"sgd": InPlaceSGD, "linear": UncheckedLinear, "unchecked": True}),
    ("+ no accumulation", {"sgd": InPlaceSGD, "linear": AssigningLinear, "unchecked": True,
                           "no_zero_grad": True}),
    ("+ one softmax", {"sgd": InPlaceSGD, "linear": AssigningLinear, "unchecked": True,
                       "no_zero_grad": True, "one_softmax": True}),
]


def ablated_trainer(name: str, parts: dict):
    class Trainer(bt.LabkitTrainer):
        def __init__(self, w, dtype):
            super().__init__(w, dtype)
            linear = parts.get("linear", lk.Linear)
            layers, self.linears = [], []
            for layer in self.net.layers:
                if isinstance(layer, lk.Linear):
                    new = linear(layer.in_features, layer.out_features, dtype=dtype)
                    layers.append(new)
                    self.linears.append(new)
                else:
                    layers.append(UNCHECKED[type(layer)]() if parts.get("unchecked")
                                  else type(layer)())
            self.net = lk.Sequential(*layers)
            if parts.get("one_softmax") and w.loss == "ce":
                self.loss_fn = OneSoftmaxCE()
            elif parts.get("unchecked"):
                self.loss_fn = {"bce": UncheckedBCE, "ce": UncheckedCE}[w.loss]()
            self.opt = parts.get("sgd", lk.SGD)(self.net.parameters(), lr=w.lr)

        def step(self, X, y):
            loss = self.loss_fn(self.net(X), y)
            if not parts.get("no_zero_grad"):
                self.opt.zero_grad()
            self.net.backward(self.loss_fn.backward())
            self.opt.step()
            return loss

    Trainer.name = name
    return Trainer


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workloads", default="A,B")
    p.add_argument("--runs", type=int, default=21)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--wait-idle", type=float, default=60)
    p.add_argument("--out", default=os.path.join(RESULTS_DIR, "step_gap.json"))
    args = p.parse_args(argv)
    threads = Threads()
    out = {"meta": machine_info(), "wait_for_idle": wait_for_idle(args.wait_idle),
           "ablations": [name for name, _ in ABLATIONS], "workloads": {}}
    printed = []

    def log(line=""):
        print(line, flush=True)
        printed.append(line)

    workloads = bt.make_workloads()
    for key in args.workloads.split(","):
        w = workloads[key]
        for dtype in w.dtypes:
            rows = [bt.Row(bt.NumpyTrainer, w, dtype, "1", threads)]
            rows += [bt.Row(ablated_trainer(name, parts), w, dtype, "1", threads)
                     for name, parts in ABLATIONS
                     if not (parts.get("one_softmax") and w.loss != "ce")]
            meter = LoadMeter()
            round_load = bt.run_rows(rows, threads, args.warmup, args.runs, settle=0.0)
            ref = np.array(rows[0].step_s)
            log(f"== {key} {dtype}, 1 thread: {w.title}; {args.runs} runs of {w.steps} steps; "
                f"other load {meter.other_cores():.2f} cores")
            log(f"   {'row':20s} {'median us':>10s} {'x numpy-ref':>12s} {'paired':>8s} "
                f"{'step from the row above':>24s}")
            results, above = [], None
            for r in rows:
                s = summary([t * 1e6 for t in r.step_s])
                paired = float(np.median(np.array(r.step_s) / ref))
                gain = None if above is None else above - paired
                delta = "" if gain is None else f"{gain:+.3f}x ({100 * gain:.1f} points)"
                ratio = s["median"] / (np.median(ref) * 1e6)
                log(f"   {r.impl:20s} {s['median']:10.1f} {ratio:11.3f}x {paired:7.3f}x "
                    f"{delta:>24s}")
                agree = float(np.max(np.abs(np.array(r.curve) - np.array(rows[0].curve))))
                results.append({"impl": r.impl, "step_us": s, "paired_ratio_median": paired,
                                "max_abs_loss_difference": agree})
                above = paired if r.impl != "numpy-ref" else None
            out["workloads"][f"{key} {dtype}"] = {"title": w.title, "results": results,
                                                  "other_cores_per_round": round_load}
    out["printed"] = printed
    write_json(args.out, out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Time labkit's scalar autograd ``lk.Value`` (forward + backward, per graph node) against
Karpathy's micrograd engine on identical graphs, with plain Python float arithmetic as the
floor, and time ``backward()`` through a chain of 100,000 Values.

    .venv/bin/python benchmarks/bench_value.py            # full run, about a minute
    .venv/bin/python benchmarks/bench_value.py --quick    # smoke test, a few seconds

micrograd 0.1.0's Value has +, *, ** (by a number) and relu (no tanh, exp or log), so the shared
graphs use only those, written so that both libraries build the same nodes (no -, /, neg:
micrograd builds those from several nodes). Results: benchmarks/results/value.json.
"""
from __future__ import annotations

import argparse
import gc
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (  # noqa: E402
    RESULTS_DIR,
    LoadMeter,
    machine_info,
    other_processes_top,
    summary,
    verdict,
    wait_for_idle,
    write_json,
)

import labkit as lk  # noqa: E402

try:
    from micrograd.engine import Value as MGValue
except ImportError:
    MGValue = None

CHAIN_NODES = 100_000
CLOCK = time.perf_counter     # --clock cpu: time.thread_time, this thread's CPU time

# --- the graphs: each builder works with lk.Value, micrograd's Value or plain floats --------


def make_mlp_params(V, sizes, rng_seed=0):
    """Weights and biases of an MLP as leaf values of type V (same numbers for every V)."""
    rng = np.random.default_rng(rng_seed)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = rng.uniform(-1, 1, (n_out, n_in)) / np.sqrt(n_in)
        b = rng.uniform(-0.1, 0.1, n_out)
        layers.append([([V(float(w)) for w in W[j]], V(float(b[j]))) for j in range(n_out)])
    return layers


def mlp_loss(layers, X, y, relu):
    """Squared error of an MLP (ReLU hidden, linear output) summed over the samples:
    neuron = relu(sum_i w_i x_i + b), loss = sum_n (out_n + (-y_n))**2 (no `-`: see above)."""
    loss = None
    for x, t in zip(X, y):
        a = x
        for k, layer in enumerate(layers):
            z = [sum((wi * ai for wi, ai in zip(w, a)), b) for w, b in layer]
            a = z if k == len(layers) - 1 else [relu(v) for v in z]
        err = (a[0] + (-t)) ** 2
        loss = err if loss is None else loss + err
    return loss


def chain(x, links, relu):
    """A long thin graph: x -> relu(x * 1.001 + 0.001), repeated `links` times
    (5 nodes per link: two constants, *, +, relu)."""
    for _ in range(links):
        x = relu(x * 1.001 + 0.001)
    return x


def lk_relu(v):
    return v.relu()


def float_relu(v):
    return v if v > 0 else 0.0


def count_nodes(root, parents):
    """Distinct nodes reachable from root (iteratively)."""
    seen, stack = {id(root)}, [root]
    while stack:
        for p in parents(stack.pop()):
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return len(seen)


def graph_mlp(quick):
    sizes, n = (8, 16, 16, 1), (4 if quick else 8)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((n, sizes[0])).tolist()
    y = rng.standard_normal(n).tolist()
    params = {}

    def build(V):
        if V not in params:                       # parameters persist, as in training
            params[V] = make_mlp_params(V, sizes)
        layers = params[V]
        root = mlp_loss(layers, X, y, float_relu if V is float else lk_relu)
        leaves = [v for layer in layers for w, b in layer for v in (*w, b)]
        return root, leaves
    return f"MLP {'-'.join(map(str, sizes))} (ReLU, linear output, squared error), batch {n}", build


def graph_chain(quick):
    links = 200 if quick else 1000

    def build(V):
        x = V(0.5)
        return chain(x, links, float_relu if V is float else lk_relu), [x]
    return f"chain of {links} links relu(x * 1.001 + 0.001)", build


# --- timing ---------------------------------------------------------------------------------


def time_run(build, V, backward: bool, reps: int):
    """One run: `reps` times (gc.collect(), then build the graph and backward() it). Returns
    the seconds of (forward, backward, forward + backward) summed over the reps. Freeing each
    graph happens outside the timing: that favours micrograd, whose closures make reference
    cycles that only the cycle collector frees (labkit's graphs go by reference counting)."""
    fwd = bwd = 0.0
    for _ in range(reps):
        gc.collect()
        t0 = CLOCK()
        root, _ = build(V)
        t1 = CLOCK()
        if backward:
            root.backward()
        t2 = CLOCK()
        fwd += t1 - t0
        bwd += t2 - t1
        del root, _
    return fwd, bwd, fwd + bwd


def bench_graph(name, desc, build, runs, reps, log):
    # correctness first: same loss, same gradients in both libraries
    lk_root, lk_leaves = build(lk.Value)
    n_nodes = count_nodes(lk_root, lambda v: v.parents)
    lk_root.backward()
    check = {"nodes": n_nodes}
    floor_val, _ = build(float)
    check["lk_vs_float_value_diff"] = abs(lk_root.data - floor_val)
    if MGValue is not None:
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 50_000))  # micrograd's recursive sort
        mg_root, mg_leaves = build(MGValue)
        check["micrograd_nodes"] = count_nodes(mg_root, lambda v: v._prev)
        for v in mg_leaves:
            v.grad = 0
        mg_root.backward()
        check["value_diff"] = abs(lk_root.data - mg_root.data)
        check["max_grad_diff"] = max(abs(a.grad - b.grad) for a, b in zip(lk_leaves, mg_leaves))
        check["same_graph"] = check["micrograd_nodes"] == n_nodes

    # drop the check graphs: live graphs would slow every later garbage collection
    del lk_root, lk_leaves
    if MGValue is not None:
        del mg_root, mg_leaves
    gc.collect()

    rows = {"float (forward only)": (float, False), "labkit Value": (lk.Value, True)}
    if MGValue is not None:
        rows["micrograd Value"] = (MGValue, True)
    times = {k: {"forward": [], "backward": [], "total": []} for k in rows}
    for V, bw in rows.values():                  # warm-up
        time_run(build, V, bw, 1)
    meter = LoadMeter()
    for r in range(runs):                        # interleaved, rotating the starting row
        keys = list(rows)
        for k in keys[r % len(keys):] + keys[:r % len(keys)]:
            V, bw = rows[k]
            parts = zip(("forward", "backward", "total"), time_run(build, V, bw, reps))
            for part, seconds in parts:
                times[k][part].append(seconds / reps)
    load = meter.stop()

    res = {"description": desc, "nodes": n_nodes, "check": check, "runs": runs,
           "graphs_per_run": reps, "load": load,
           "rows": {}}
    for k, t in times.items():
        res["rows"][k] = {part: summary([v / n_nodes * 1e9 for v in t[part]])
                          for part in ("forward", "backward", "total")}
        res["rows"][k]["unit"] = "ns per node"
    lkm = res["rows"]["labkit Value"]["total"]["median"]
    if MGValue is not None:
        mgm = res["rows"]["micrograd Value"]["total"]["median"]
        res["micrograd_over_labkit"] = mgm / lkm
    res["labkit_over_float_floor"] = lkm / res["rows"]["float (forward only)"]["total"]["median"]

    log(f"\n== {name}: {desc}; {n_nodes} nodes; {runs} runs of {reps} graphs; "
        f"other load {load['other_cores']:.2f} cores")
    log(f"   {'':22s} {'forward':>10s} {'backward':>10s} {'total':>10s}  ns/node (median)")
    for k, r in res["rows"].items():
        log(f"   {k:22s} {r['forward']['median']:10.1f} {r['backward']['median']:10.1f} "
            f"{r['total']['median']:10.1f}")
    if MGValue is not None:
        log(f"   micrograd / labkit: {res['micrograd_over_labkit']:.2f}x  (same graph: "
            f"{check['same_graph']}; |d loss| {check['value_diff']:.1e}; max |d grad| "
            f"{check['max_grad_diff']:.1e})")
    log(f"   labkit fwd+bwd / float forward: {res['labkit_over_float_floor']:.1f}x")
    return res


def bench_long_chain(runs, log):
    """backward() through CHAIN_NODES Values: a leaf and CHAIN_NODES - 1 tanh nodes."""
    def build():
        x = lk.Value(0.5)
        v = x
        for _ in range(CHAIN_NODES - 1):
            v = v.tanh()
        return x, v

    build_s, backward_s = [], []
    meter = LoadMeter()
    for r in range(runs + 1):
        gc.collect()
        t0 = CLOCK()
        x, root = build()
        t1 = CLOCK()
        root.backward()
        t2 = CLOCK()
        if r > 0:                                # the first one is a warm-up
            build_s.append(t1 - t0)
            backward_s.append(t2 - t1)
        del x, root
    load = meter.stop()
    x, root = build()
    root.backward()
    n = len(root.topological_order())
    g, t = 1.0, 0.5                  # d tanh^n(x)/dx = prod_k (1 - t_k^2), in floats
    for _ in range(CHAIN_NODES - 1):
        t = math.tanh(t)
        g *= 1 - t * t
    grad_ok = abs(x.grad - g) <= 1e-9 * abs(g)
    del x, root

    mg = "skipped (micrograd not installed)"
    if MGValue is not None:              # micrograd's topological sort is recursive
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(1000)
        v = MGValue(0.5)
        for _ in range(CHAIN_NODES - 1):
            v = v.relu()
        try:
            v.backward()
            mg = "ok"
        except RecursionError as exc:
            mg = f"RecursionError ({exc}) at Python's default recursion limit 1000"
        finally:
            sys.setrecursionlimit(limit)
        del v
        gc.collect()
    res = {"nodes": n, "build_s": summary(build_s), "backward_s": summary(backward_s),
           "runs": runs, "grad_matches_float_product": bool(grad_ok), "micrograd": mg,
           "load": load}
    log(f"\n== backward through a chain of {n:,} Values (x -> tanh -> tanh ...), {runs} runs; "
        f"other load {load['other_cores']:.2f} cores")
    log(f"   build {res['build_s']['median']:.3f} s, backward {res['backward_s']['median']:.3f} s "
        f"(median; min {res['backward_s']['min']:.3f}, max {res['backward_s']['max']:.3f}); "
        f"dx correct: {grad_ok}")
    log(f"   micrograd on a 100,000-node relu chain: {mg}")
    return res


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="smoke test: small graphs, few runs")
    p.add_argument("--runs", type=int, default=None,
                   help="timed runs per row (default 21; 3 quick)")
    p.add_argument("--chain-runs", type=int, default=None,
                   help="timed runs of the 100,000-node backward (default 7; 1 quick)")
    p.add_argument("--wait-idle", type=float, default=60,
                   help="wait up to this many seconds for an idle machine first (default 60)")
    p.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                   help="wall: time.perf_counter (default); cpu: time.thread_time, this "
                        "thread's CPU time, less disturbed by other processes on a busy machine")
    p.add_argument("--out", default=os.path.join(RESULTS_DIR, "value.json"))
    args = p.parse_args(argv)
    global CLOCK
    CLOCK = time.thread_time if args.clock == "cpu" else time.perf_counter
    runs = args.runs or (3 if args.quick else 21)
    chain_runs = args.chain_runs or (1 if args.quick else 7)
    idle = wait_for_idle(args.wait_idle) if args.wait_idle > 0 and not args.quick else None
    info = machine_info()
    info.update(wait_for_idle=idle, other_processes_at_start=other_processes_top())
    lines = []

    def log(s=""):
        print(s, flush=True)
        lines.append(s)

    log(f"bench_value  {info['date_utc']}  {info['cpu']}, {info['logical_cpus']} CPUs; Python "
        f"{info['python']}; " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    log("clock: " + ("time.thread_time (CPU time)" if args.clock == "cpu"
                     else "time.perf_counter (wall)"))
    meter = LoadMeter()
    graphs = {}
    for name, make in (("mlp", graph_mlp), ("chain", graph_chain)):
        desc, build = make(args.quick)
        graphs[name] = bench_graph(name, desc, build, runs, 2 if args.quick else 5, log)
    long_chain = bench_long_chain(chain_runs, log)
    load = meter.stop()

    tg = [{"target": "backward through a 100,000-node chain < 1 s (median)",
           "value": long_chain["backward_s"]["median"], "limit": 1.0,
           "pass": long_chain["backward_s"]["median"] < 1.0
           and long_chain["grad_matches_float_product"]}]
    for name, g in graphs.items():
        if "micrograd_over_labkit" in g:
            tg.append({"target": f"{name}: Value fwd+bwd per node no slower than micrograd "
                                 "(>= 1.0x, issue 13)",
                       "value": g["micrograd_over_labkit"], "limit": 1.0,
                       "pass": g["micrograd_over_labkit"] >= 1.0 and g["check"]["same_graph"]
                       and g["check"]["max_grad_diff"] < 1e-9})
    log("\n== targets")
    for t in tg:
        log(f"   {t['target']:64s} {t['value']:8.3f}  (limit {t['limit']:g})  {verdict(t['pass'])}")
    log(f"\ntotal {load['wall_s']:.1f} s; other processes used {load['other_cores']:.2f} cores "
        "on average")
    write_json(args.out, {"meta": {**info, "args": vars(args), "load_during_run": load},
                          "graphs": graphs, "long_chain": long_chain, "targets": tg,
                          "printed": "\n".join(lines)})
    print(f"wrote {args.out}")
    return 0 if all(t["pass"] for t in tg) else 1


if __name__ == "__main__":
    sys.exit(main())

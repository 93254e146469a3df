#!/usr/bin/env python3
"""Check that a lesson's compared outputs do not depend on last-bit rounding.

Runs a notebook as is and under each rounding perturbation, extracts what nbval compares
(text outputs of cells without NBVAL_IGNORE_OUTPUT / NBVAL_SKIP), and prints SAME or the diff
for each perturbation. A lesson whose printed numbers or claims change under one of these will
fail nbval on another CPU or BLAS build: print fewer digits, or pick settings whose result is
stable (see lesson 08, section 5).

    .venv/bin/python tools/perturb_notebook.py lessons/08_vanishing_exploding.ipynb
    .venv/bin/python tools/perturb_notebook.py NOTEBOOK --kinds prescott,ulp

Perturbations:
  prescott / sandy / nehalem   OPENBLAS_CORETYPE: other BLAS kernels and summation orders
  threads1                     OPENBLAS_NUM_THREADS=1
  nosimd                       NPY_DISABLE_CPU_FEATURES=X86_V3 (numpy's loops without AVX2/FMA)
  matsum                       first cell: db summed as 1^T delta (a matrix product, another
                               summation order) instead of delta.sum(0)
  ulp                          first cell: every Linear output nudged up by one ulp
  noise0..2                    first cell: Linear outputs nudged by one ulp at random (seeded)
Each perturbation runs in its own kernel (environment variables are read at kernel start).
"""
from __future__ import annotations

import argparse
import difflib
import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ENV = {
    "prescott": {"OPENBLAS_CORETYPE": "Prescott"},
    "sandy": {"OPENBLAS_CORETYPE": "SandyBridge"},
    "nehalem": {"OPENBLAS_CORETYPE": "Nehalem"},
    "threads1": {"OPENBLAS_NUM_THREADS": "1"},
    "nosimd": {"NPY_DISABLE_CPU_FEATURES": "X86_V3"},
}
NOISE = ("import numpy as _np, labkit.core.layers as _L\n"
         "_g = _np.random.default_rng(SEED)\n"
         "_fwd = _L.Linear.forward\n"
         "def _forward(self, x):\n"
         "    z = _fwd(self, x)\n"
         "    return _np.where(_g.random(z.shape) < 0.5, _np.nextafter(z, _np.inf), z)\n"
         "_L.Linear.forward = _forward\n")
PATCH = {
    "matsum": ("import numpy as _np, labkit.core.layers as _L\n"
               "_lb = _L.linear_backward\n"
               "def _linear_backward(delta, a_prev, W):\n"
               "    dW, db, da_prev = _lb(delta, a_prev, W)\n"
               "    return dW, _np.ones(delta.shape[0], delta.dtype) @ delta, da_prev\n"
               "_L.linear_backward = _linear_backward\n"),
    **{f"noise{k}": NOISE.replace("SEED", str(k)) for k in range(3)},
    "ulp": ("import numpy as _np, labkit.core.layers as _L\n"
            "_fwd = _L.Linear.forward\n"
            "def _forward(self, x):\n"
            "    z = _fwd(self, x)\n"
            "    return _np.nextafter(z, _np.inf)\n"
            "_L.Linear.forward = _forward\n"),
}

def compared(nb):
    out = []
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code":
            continue
        src = c.source
        tags = c.metadata.get("tags", [])
        if "NBVAL_IGNORE_OUTPUT" in src or "NBVAL_SKIP" in src or "nbval-ignore-output" in tags \
                or "nbval-skip" in tags or "PATCHED-CELL" in src:
            continue
        out.append(f"=== cell {i}: {src.splitlines()[0][:70] if src else ''}")
        outs = []
        for o in c.outputs:   # consecutive stream outputs of one name count as one (nbval)
            if outs and o.output_type == "stream" and outs[-1].output_type == "stream" \
                    and outs[-1].name == o.name:
                outs[-1] = nbformat.from_dict({**outs[-1], "text": outs[-1].text + o.text})
            else:
                outs.append(o)
        for o in outs:
            if o.output_type == "stream":
                out.append(f"[{o.name}] " + o.text)
            elif o.output_type in ("execute_result", "display_data"):
                for k, v in o.data.items():
                    if k in ("image/png", "image/jpeg", "application/vnd.jupyter.widget-view+json"):
                        continue
                    out.append(f"[{k}] {v}")
            elif o.output_type == "error":
                out.append(f"[error] {o.ename}: {o.evalue}")
    return "\n".join(out) + "\n"



def run(path: Path, kind: str) -> str:
    """The compared text of `path` executed under perturbation `kind` ("base": as is)."""
    nb = nbformat.read(path, as_version=4)
    saved = {k: os.environ.get(k) for k in ENV.get(kind, {})}
    os.environ.update(ENV.get(kind, {}))
    if kind in PATCH:
        nb.cells.insert(0, nbformat.v4.new_code_cell("# PATCHED-CELL\n" + PATCH[kind]))
    elif kind not in ENV and kind != "base":
        raise SystemExit(f"unknown perturbation {kind!r}")
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    if kind in PATCH:
        nb.cells.pop(0)                      # so that cell numbers match the base run
    return compared(nb)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("notebook", type=Path)
    p.add_argument("--kinds", default=",".join([*ENV, *PATCH]),
                   help="comma-separated perturbations (default: all)")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    base = run(args.notebook, "base")
    differing = 0
    for kind in args.kinds.split(","):
        text = run(args.notebook, kind)
        if text == base:
            print(f"SAME    {kind}")
            continue
        differing += 1
        print(f"DIFFER  {kind}")
        for line in list(difflib.unified_diff(base.splitlines(), text.splitlines(), "base",
                                              kind, lineterm="", n=1))[:40]:
            print("    " + line)
    print(f"{differing} of {len(args.kinds.split(','))} perturbations change the compared "
          f"outputs ({time.perf_counter() - t0:.0f} s)")
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())

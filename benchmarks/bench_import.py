#!/usr/bin/env python3
"""Time `import labkit` in fresh interpreters, three ways, and an exercise's first import:

1. wall time of `python -c 'import labkit'` minus `python -c 'import numpy'`: labkit's own
   share, on top of numpy (which every lesson imports anyway);
2. wall time of `python -c 'import labkit'` minus `python -c 'pass'`: the whole import as a
   learner pays it in a fresh kernel, numpy included;
3. `python -X importtime -c 'import labkit'`: the interpreter's own count of the cumulative
   time of the top-level `labkit` import (numpy included), without process start-up;
4. wall time of `python -c 'from labkit.course import check'`, an exercise notebook's first
   import (reported, with the heavy modules it loads; no target of its own).

The four commands are run interleaved, `--runs` times each; the medians are reported. They
run as a learner's kernel does, with the modules' bytecode cached (PYTHONDONTWRITEBYTECODE is
dropped, so the warm-up runs write labkit's __pycache__, which git ignores): without it every
start compiles labkit's sources again.
The target (<= 0.15 s, issue 13) is checked against the largest of (2) and (3), numpy included.

    .venv/bin/python benchmarks/bench_import.py [--runs 15] [--out benchmarks/results/import.json]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import RESULTS_DIR, LoadMeter, machine_info, summary, verdict, write_json  # noqa: E402

COMMANDS = {"pass": "pass", "numpy": "import numpy", "labkit": "import labkit",
            "course": "from labkit.course import check"}
LIMIT_S = 0.15
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall(code: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=ENV)
    return time.perf_counter() - t0


def heavy_modules(code: str) -> str:
    """Which of the drawing, notebook and comparison libraries are loaded once code has run."""
    report = ("import sys; print(sorted({m.split('.')[0] for m in sys.modules} & "
              "{'matplotlib', 'ipywidgets', 'torch', 'scipy', 'IPython'}))")
    return subprocess.run([sys.executable, "-c", f"{code}\n{report}"], check=True,
                          capture_output=True, text=True).stdout.strip()


def importtime_labkit() -> tuple[float, list[tuple[int, str]]]:
    """(cumulative seconds of the top-level `import labkit`, the 8 slowest self times)."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", "import labkit"], env=ENV,
                         check=True, capture_output=True, text=True).stderr
    total, rows = None, []
    for line in err.splitlines():
        if not line.startswith("import time:") or "|" not in line or "self [us]" in line:
            continue
        self_us, cum_us, name = (f.strip() for f in line[len("import time:"):].split("|"))
        rows.append((int(self_us), name.strip()))
        if name.strip() == "labkit":
            total = int(cum_us) / 1e6
    return total, sorted(rows, reverse=True)[:8]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    p.add_argument("--out", default=os.path.join(RESULTS_DIR, "import.json"))
    args = p.parse_args(argv)

    env_check = heavy_modules(COMMANDS["labkit"])
    course_check = heavy_modules(COMMANDS["course"])
    for code in COMMANDS.values():           # warm the file system cache
        wall(code)
    times = {k: [] for k in COMMANDS}
    importtime = []
    meter = LoadMeter()
    for _ in range(args.runs):
        for k, code in COMMANDS.items():
            times[k].append(wall(code))
        importtime.append(importtime_labkit()[0])
    load = meter.stop()
    _, slowest = importtime_labkit()

    med = {k: statistics.median(v) for k, v in times.items()}
    res = {
        "wall_s": {k: summary(v) for k, v in times.items()},
        "labkit_minus_numpy_s": med["labkit"] - med["numpy"],
        "labkit_minus_bare_python_s": med["labkit"] - med["pass"],
        "importtime_cumulative_s": summary(importtime),
        "slowest_modules_self_us": slowest,
        "heavy_modules_loaded_by_import_labkit": env_check,
        "course_check_minus_bare_python_s": med["course"] - med["pass"],
        "heavy_modules_loaded_by_course_check": course_check,
        "load": load,
    }
    worst = max(res["labkit_minus_bare_python_s"], res["importtime_cumulative_s"]["median"])
    res["target"] = {"target": f"import labkit <= {LIMIT_S} s (numpy included)", "value": worst,
                     "limit": LIMIT_S, "pass": worst <= LIMIT_S}
    print(f"python -c 'pass' {med['pass']:.3f} s, 'import numpy' {med['numpy']:.3f} s, "
          f"'import labkit' {med['labkit']:.3f} s (medians of {args.runs})")
    print(f"labkit alone (minus numpy): {res['labkit_minus_numpy_s']:.3f} s; "
          f"with numpy (minus bare python): {res['labkit_minus_bare_python_s']:.3f} s; "
          f"-X importtime cumulative: {res['importtime_cumulative_s']['median']:.3f} s")
    print(f"heavy modules loaded: {env_check}; other load {load['other_cores']:.2f} cores")
    print(f"'from labkit.course import check' {med['course']:.3f} s "
          f"({res['course_check_minus_bare_python_s']:.3f} s minus bare python); "
          f"heavy modules loaded: {course_check}")
    print(f"target import labkit <= {LIMIT_S} s: {worst:.3f} s {verdict(res['target']['pass'])}")
    res["bytecode"] = "cached (__pycache__ written by the warm-up runs)"
    write_json(args.out, {"meta": {**machine_info(), "args": vars(args)}, **res})
    print(f"wrote {args.out}")
    return 0 if res["target"]["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())

"""Grading throughput: `labkit grade` on N copies of one exercise's submissions (a mix of a
correct solution and the unsolved exercise), with the default 2 workers.

    .venv/bin/python benchmarks/bench_grading.py            # 100 submissions of 04_backprop

Target: 100 submissions of one exercise graded in <= 3 min on a 2-core machine. Results go to
benchmarks/results/grading.json.
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from _common import LoadMeter, machine_info, verdict, wait_for_idle, write_json

from labkit.course.grader import grade_folder

ROOT = Path(__file__).resolve().parents[1]
LIMIT_S = 180.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--exercise", default="04_backprop")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "grading.json"))
    args = parser.parse_args()
    idle = wait_for_idle(30)
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.n):
            source = "solutions" if i % 2 == 0 else "exercises"
            (Path(tmp) / f"learner{i:03d}").mkdir()
            shutil.copy(ROOT / source / f"{args.exercise}.ipynb",
                        Path(tmp) / f"learner{i:03d}" / f"{args.exercise}.ipynb")
        meter = LoadMeter()
        start = time.perf_counter()
        results = grade_folder(Path(tmp), ROOT / "solutions", workers=args.workers,
                               progress=False)
        seconds = time.perf_counter() - start
    full = sum(r.total == r.max_points for r in results)
    out = {"meta": machine_info(), "wait_for_idle": idle, "submissions": args.n,
           "exercise": args.exercise, "workers": args.workers, "seconds": round(seconds, 1),
           "per_submission_s": round(seconds / args.n, 2), "full_marks": full,
           "target_le_180s": verdict(seconds <= LIMIT_S), "load": meter.stop()}
    write_json(args.out, out)
    print(f"graded {args.n} submissions in {seconds:.1f} s ({full} with full marks): "
          f"{out['target_le_180s']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

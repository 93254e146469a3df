"""Grading throughput in the sandbox: `labkit grade` on N submissions of one exercise (a mix
of the solved notebook and the unsolved exercise), and whether the grades depend on how the
run was split.

    .venv/bin/python benchmarks/bench_grading.py             # 100 submissions of 04_backprop
    .venv/bin/python benchmarks/bench_grading.py --quick     # 12 submissions

Targets (issue 12): 100 submissions on 2 cores in <= 75 s with the sandbox (2 workers); the
gradebook byte-identical with --workers 1, 2 and 4, and with 1 vs 3 shards run as parallel
processes and merged. The same run without the sandbox (--no-sandbox) is timed beside it, so
the sandbox's overhead is measured, not assumed. Results: benchmarks/results/grading.json.
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import LoadMeter, machine_info, verdict, wait_for_idle, write_json

ROOT = Path(__file__).resolve().parents[1]
LIMIT_S = 75.0


def make_submissions(folder: Path, n: int, exercise: str) -> None:
    for i in range(n):
        source = "solutions" if i % 2 == 0 else "exercises"
        (folder / f"learner{i:03d}").mkdir(parents=True)
        shutil.copy(ROOT / source / f"{exercise}.ipynb",
                    folder / f"learner{i:03d}" / f"{exercise}.ipynb")


SEED = "2718"   # one seed for every run: their gradebooks are compared byte for byte


def labkit_grade(subs: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "labkit", "grade", str(subs), "--quiet",
                             "--solutions", str(ROOT / "solutions"), "--out", str(out),
                             "--seed", SEED, *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def timed(subs: Path, out: Path, *extra: str) -> float:
    start = time.perf_counter()
    code = labkit_grade(subs, out, *extra).wait()
    if code not in (0, 1):
        raise SystemExit(f"labkit grade {' '.join(extra)} failed with exit code {code}")
    return time.perf_counter() - start


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="12 submissions")
    parser.add_argument("--exercise", default="04_backprop")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "grading.json"))
    args = parser.parse_args()
    n = 12 if args.quick else args.n
    idle = wait_for_idle(30)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subs = tmp / "subs"
        make_submissions(subs, n, args.exercise)
        meter = LoadMeter()
        seconds = {"sandbox_2_workers": timed(subs, tmp / "w2.csv", "--workers", "2")}
        load = meter.stop()
        seconds["no_sandbox_2_workers"] = timed(subs, tmp / "plain.csv", "--workers", "2",
                                                "--no-sandbox")
        seconds["sandbox_1_worker"] = timed(subs, tmp / "w1.csv", "--workers", "1")
        seconds["sandbox_4_workers"] = timed(subs, tmp / "w4.csv", "--workers", "4")
        start = time.perf_counter()
        shards = [tmp / f"shard{i}.csv" for i in (1, 2, 3)]
        procs = [labkit_grade(subs, path, "--shard", f"{i}/3", "--workers", "1")
                 for i, path in zip((1, 2, 3), shards)]
        codes = [p.wait() for p in procs]
        merge = subprocess.run([sys.executable, "-m", "labkit", "grade", "merge",
                                *map(str, shards), "--out", str(tmp / "merged.csv")],
                               capture_output=True, text=True)
        seconds["sandbox_3_shards_in_parallel"] = time.perf_counter() - start
        digests = {name: digest(tmp / f"{name}.csv") for name in ("w1", "w2", "w4", "merged")}
        plain = digest(tmp / "plain.csv")
        full = (tmp / "w2.csv").read_text().count(",6,6,graded,")
    identical = len(set(digests.values())) == 1 and all(c in (0, 1) for c in codes) \
        and merge.returncode in (0, 1)
    main_s = seconds["sandbox_2_workers"]
    overhead = main_s / seconds["no_sandbox_2_workers"] - 1
    out = {"meta": machine_info(), "wait_for_idle": idle, "submissions": n,
           "exercise": args.exercise, "full_marks": full,
           "seconds": {k: round(v, 1) for k, v in seconds.items()},
           "per_submission_s": round(main_s / n, 2),
           "sandbox_overhead": f"{overhead:+.0%}",
           "gradebook_sha256": digests, "no_sandbox_sha256": plain,
           "grades_identical_workers_1_2_4_and_3_shards": identical,
           "target_100_le_75s": verdict(main_s * 100 / n <= LIMIT_S) if n == 100
           else "n/a (not 100 submissions)",
           "load_during_sandbox_2_workers": load}
    write_json(args.out, out)
    print(f"{n} submissions: sandbox {main_s:.1f} s ({overhead:+.0%} vs "
          f"{seconds['no_sandbox_2_workers']:.1f} s unconfined), 1 worker "
          f"{seconds['sandbox_1_worker']:.1f} s, 4 workers {seconds['sandbox_4_workers']:.1f} s, "
          f"3 shards {seconds['sandbox_3_shards_in_parallel']:.1f} s; identical: {identical}; "
          f"{out['target_100_le_75s']}")
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())

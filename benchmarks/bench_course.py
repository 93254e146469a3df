"""Course time budget: re-executes every lesson, solution and exercise notebook in a fresh
kernel, as a learner's "Restart and Run All" would, and records each one's time.

    .venv/bin/python benchmarks/bench_course.py            # notebooks only (~2-3 min)
    .venv/bin/python benchmarks/bench_course.py --suite    # also times the whole test suite

Targets: each lesson <= 20 s, the whole course (lessons 00-10) <= 3 min and the 中文 edition
(lessons/zh/ 00-10) the same, the whole test suite
(browser tests included) <= 10 min, on a 2-core machine. Results go to
benchmarks/results/course.json and the table in benchmarks/README.md is made from them.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

from _common import LoadMeter, machine_info, verdict, wait_for_idle, write_json

from labkit.course.notebooks import execute_notebook

ROOT = Path(__file__).resolve().parents[1]
LESSON_LIMIT_S, COURSE_LIMIT_S, SUITE_LIMIT_S = 20.0, 180.0, 600.0


def time_notebooks(folder: str, allow_errors: bool) -> list[dict]:
    rows = []
    for path in sorted((ROOT / folder).glob("*.ipynb")):
        meter = LoadMeter()
        _, seconds = execute_notebook(path, write=False, allow_errors=allow_errors)
        rows.append({"notebook": f"{folder}/{path.name}", "seconds": round(seconds, 2),
                     "other_cores": meter.stop()["other_cores"]})
        print(f"{folder}/{path.name:40} {seconds:6.1f} s", flush=True)
    return rows


def time_suite() -> dict:
    start = time.perf_counter()
    # the README's `make test`: its PYTEST_PARALLEL options (a worker per core, whole files)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-n", "auto", "--dist", "loadfile"],
                          cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    counts = dict((k, int(v)) for v, k in re.findall(r"(\d+) (passed|failed|skipped|error)",
                                                      last))
    return {"seconds": round(seconds, 1), "exit_code": proc.returncode, "summary": last,
            "counts": counts}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", action="store_true", help="also time the whole test suite")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "course.json"))
    args = parser.parse_args()
    idle = wait_for_idle(30)
    meter = LoadMeter()
    result = {"meta": machine_info(), "wait_for_idle": idle,
              "lessons": time_notebooks("lessons", allow_errors=False),
              "lessons_zh": time_notebooks("lessons/zh", allow_errors=False),
              "solutions": time_notebooks("solutions", allow_errors=False),
              "exercises": time_notebooks("exercises", allow_errors=True)}
    result["targets"] = {}
    for edition, key in (("", "lessons"), ("zh_", "lessons_zh")):
        lessons = result[key]
        course = sum(r["seconds"] for r in lessons)
        result["targets"].update({
            f"{edition}each_lesson_le_20s": verdict(
                all(r["seconds"] <= LESSON_LIMIT_S for r in lessons)),
            f"{edition}slowest_lesson_s": max(r["seconds"] for r in lessons),
            f"{edition}course_total_s": round(course, 1),
            f"{edition}course_le_180s": verdict(course <= COURSE_LIMIT_S),
        })
    if args.suite:
        result["suite"] = time_suite()
        result["targets"]["suite_le_600s"] = verdict(
            result["suite"]["seconds"] <= SUITE_LIMIT_S and result["suite"]["exit_code"] == 0)
    result["load"] = meter.stop()
    write_json(args.out, result)
    print(f"targets: {result['targets']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Shared helpers of the benchmarks: machine information, the CPU load of other processes,
thread pinning, and small statistics. Nothing here imports labkit or torch at import time."""
from __future__ import annotations

import datetime as _dt
import importlib.metadata
import json
import os
import platform
import statistics
import time
from contextlib import contextmanager

RESULTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


# --- load of the machine ------------------------------------------------------------------

def _machine_busy_seconds() -> float | None:
    """CPU seconds the whole machine has been busy (all cores, incl. hypervisor steal)."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(v) for v in fh.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    """CPU time of this process and of its finished child processes (bench_import's)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class LoadMeter:
    """How many cores *other* processes kept busy while a phase ran (machine busy time minus
    this process's own CPU time and its children's, divided by wall time). 0 = idle machine;
    on 2 cores, 1 means one core was taken away from us."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.busy0 = _machine_busy_seconds()
        self.own0 = _own_cpu_seconds()

    def other_cores(self) -> float | None:
        wall = time.perf_counter() - self.t0
        busy = _machine_busy_seconds()
        if busy is None or self.busy0 is None or wall <= 0:
            return None
        own = _own_cpu_seconds() - self.own0
        return max(0.0, (busy - self.busy0 - own) / wall)

    def stop(self) -> dict:
        return {"wall_s": time.perf_counter() - self.t0, "other_cores": self.other_cores(),
                "loadavg": os.getloadavg()}


def wait_for_idle(max_wait: float, threshold: float = 0.15, window: float = 1.0) -> dict:
    """Waits up to max_wait seconds for a whole `window` in which other processes use less
    than `threshold` cores. Returns what it saw (the benchmark runs anyway)."""
    t0 = time.perf_counter()
    while True:
        meter = LoadMeter()
        time.sleep(window)
        other = meter.other_cores()
        waited = time.perf_counter() - t0
        if other is None or other < threshold or waited >= max_wait:
            return {"waited_s": round(waited, 1), "other_cores_last_window": other,
                    "idle": other is not None and other < threshold}


def other_processes_top(n: int = 5) -> list[dict]:
    """The busiest other processes right now (from /proc, over 0.5 s): who shares the CPUs."""
    def snapshot() -> dict[int, tuple[str, int]]:
        out = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or int(pid) == os.getpid():
                continue
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    raw = fh.read()
                name = raw[raw.index("(") + 1:raw.rindex(")")]
                rest = raw[raw.rindex(")") + 2:].split()
                out[int(pid)] = (name, int(rest[11]) + int(rest[12]))   # utime + stime
            except (OSError, ValueError, IndexError):
                continue
        return out
    try:
        a = snapshot()
        time.sleep(0.5)
        b = snapshot()
    except OSError:
        return []
    tick = os.sysconf("SC_CLK_TCK")
    rows = [{"pid": pid, "name": name, "cores": (t - a[pid][1]) / tick / 0.5}
            for pid, (name, t) in b.items() if pid in a and t > a[pid][1]]
    return sorted(rows, key=lambda r: -r["cores"])[:n]


# --- machine and versions -----------------------------------------------------------------

def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine_info() -> dict:
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")),
                       cpu)
    except OSError:
        pass
    info = {
        "date_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu, "logical_cpus": os.cpu_count(), "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {d: _version(d) for d in ("labkit", "numpy", "torch", "micrograd",
                                              "threadpoolctl")},
        "loadavg_at_start": os.getloadavg(),
    }
    try:
        import subprocess
        info["git_commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
            cwd=os.path.dirname(os.path.abspath(__file__)), timeout=5).stdout.strip() or None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "labkit/core"], capture_output=True, text=True,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))), timeout=5).stdout
        info["labkit_core_uncommitted_changes"] = bool(dirty.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return info


# --- threads --------------------------------------------------------------------------------

class Threads:
    """Pins numpy's BLAS (threadpoolctl) and torch's intra-op pool together:
    mode "1" = one thread each, "default" = whatever both start with."""

    def __init__(self, torch=None) -> None:
        from threadpoolctl import ThreadpoolController, threadpool_info
        self.torch = torch
        self.controller = ThreadpoolController()
        self.blas_default = max((i["num_threads"] for i in threadpool_info()
                                 if i["user_api"] == "blas"), default=1)
        self.blas_info = [{k: i.get(k) for k in ("internal_api", "version", "architecture",
                                                 "num_threads")}
                          for i in threadpool_info() if i["user_api"] == "blas"]
        self.torch_default = torch.get_num_threads() if torch is not None else 0

    def count(self, mode: str, lib: str = "numpy") -> int:
        if mode == "1":
            return 1
        return self.torch_default if lib == "torch" else self.blas_default

    @contextmanager
    def mode(self, mode: str):
        with self.controller.limit(limits=self.count(mode), user_api="blas"):
            if self.torch is not None:
                self.torch.set_num_threads(self.count(mode, "torch"))
            try:
                yield
            finally:
                if self.torch is not None:
                    self.torch.set_num_threads(self.torch_default)


# --- statistics and output ----------------------------------------------------------------

def summary(values: list[float]) -> dict:
    """min / median / max (and the number of samples) of a list of timings."""
    return {"n": len(values), "min": min(values), "median": statistics.median(values),
            "max": max(values)}


def write_json(path: str, data: dict) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(data, fh, indent=1)
        fh.write("\n")
    os.replace(tmp, path)


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def add_readme_arguments(parser) -> None:
    """The options of a benchmark that writes its own section of benchmarks/README.md."""
    parser.add_argument("--no-readme", action="store_true", help="leave README.md alone")
    parser.add_argument("--note", default="", help="a paragraph for the README section (what "
                        "this run's numbers need to be read with)")
    parser.add_argument("--readme-from", metavar="JSON", help="only rewrite the README section "
                        "from a results file (and --note), measuring nothing")


def results_for_readme(path: str, note: str) -> dict:
    """A recorded results file with its README note replaced by ``note`` (kept if empty)."""
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    data["note"] = note or data.get("note", "")
    return data

"""The grading sandbox: every submission's kernel runs inside bubblewrap (``bwrap``).

    bwrap     mount, PID, network, IPC and UTS namespaces (and a user namespace when the
              grader is not root); dies with the grader
    setpriv   as root only: a uid of its own per kernel, no capabilities, no new privileges
    prlimit   memory, CPU time, file size, processes and open files
    python -m ipykernel_launcher

What the kernel sees: the Python installation and its packages read-only; ``labkit`` reduced
to ``labkit.course`` = a ``check`` that only says grading is on, plus the probe (probe.py,
plain.py); every package a part forbids replaced by a stub that refuses to import; a private
home and /tmp (size-limited tmpfs); its own connection folder. It never sees solutions/, the
submissions, the output path, other kernels' folders, the grader's processes or the
network. When the kernel ends, or the grader dies, its PID namespace ends and every process
started inside goes with it. As root, where the cgroup-v1 hierarchy is writable (this
project's machines), each kernel also gets cgroups for memory, processes and an equal CPU
share, so a hostile kernel's threads cannot starve the kernel graded beside it.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

HOME = "/home/learner"
BASE_UID = 2_000_000_000       # kernels run as BASE_UID + n (root only); no real user has these
UID_SLOTS = 4096
CGROUP_V1 = Path("/sys/fs/cgroup")

# what a part may forbid, and the top-level packages each name stands for
FORBIDDABLE = {"labkit": ("labkit",), "torch": ("torch", "functorch", "torchgen"),
               "micrograd": ("micrograd",)}

HOW_TO_GET_ONE = (
    "grading runs every submission in a bubblewrap sandbox, which needs Linux. "
    "Install it with `sudo apt-get install bubblewrap` (Debian, Ubuntu) or "
    "`sudo dnf install bubblewrap` (Fedora); `make test` installs it when run as root. "
    "On macOS or Windows, grade inside a Linux VM, WSL 2 or a Linux container "
    "(tools/grading/ has a Kubernetes job and a SLURM script). "
    "Only for notebooks you trust: --no-sandbox grades without one.")

BLOCKED_PACKAGE = (
    '"""A package this exercise asks you not to use: its real files are not in the grading '
    'sandbox."""\n'
    "raise ImportError(f'{__name__} is not available while this part is graded: the part "
    "asks for your own implementation')\n")
FORBIDDEN_LABKIT = (
    '"""labkit while a part that asks for your own implementation is graded: only '
    'labkit.course (a check that says grading is on) is here."""\n\n\n'
    "def __getattr__(name):\n"
    "    raise ImportError(f'labkit.{name} is not available while this part is graded: the "
    "part asks for your own implementation, not labkit\\'s')\n")


class SandboxUnavailable(RuntimeError):
    """No working sandbox on this machine (the message says how to get one)."""


@dataclass(frozen=True)
class Limits:
    """What one kernel may use. memory: per process (and for the whole kernel where cgroups
    are available); cpu: seconds of CPU time per process; disk: each of /tmp and home."""

    memory_mb: int = 2048
    cpu_seconds: int = 300
    file_mb: int = 64
    processes: int = 64
    open_files: int = 256
    disk_mb: int = 256


def _words_for_exit(code: int | None, limits: Limits) -> str | None:
    if code == 128 + signal.SIGXCPU:
        return f"used more than {limits.cpu_seconds} s of CPU time"
    if code == 128 + signal.SIGXFSZ:
        return f"wrote a file larger than {limits.file_mb} MB"
    return None


class KernelView:
    """The files the sandbox mounts in place of labkit and of the forbidden packages, made
    once per grading run in a folder of the grader's (read-only inside the sandbox)."""

    def __init__(self, root: Path) -> None:
        here = Path(__file__).resolve().parent
        self.course = root / "course"
        self.course.mkdir(parents=True)
        shutil.copy(here / "sandbox_check.py", self.course / "__init__.py")
        for name in ("probe.py", "plain.py"):
            shutil.copy(here / name, self.course / name)
        self.blocked = root / "blocked.py"
        self.blocked.write_text(BLOCKED_PACKAGE, encoding="utf-8")
        self.labkit_init = root / "labkit_init.py"
        self.labkit_init.write_text(FORBIDDEN_LABKIT, encoding="utf-8")
        self.labkit_dir = here.parent  # where `import labkit` finds the package


def _package_dir(name: str) -> str | None:
    """The folder of an installed top-level package, found without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or []) if spec else []
    return os.path.realpath(locations[0]) if locations else None


def _system_mounts() -> list[str]:
    args: list[str] = []
    for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for path in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
                 "/etc/alternatives", "/etc/localtime"):
        args += ["--ro-bind-try", path, path]
    return args


def _python_mounts() -> list[str]:
    roots = {os.path.realpath(p) for p in (sys.base_prefix, sys.prefix,
                                           os.path.dirname(os.path.realpath(sys.executable)))}
    args: list[str] = []
    for root in sorted(roots):
        if not any(root != r and root.startswith(r + os.sep) for r in roots):
            args += ["--ro-bind", root, root]
    return args


class UidLease:
    """As root: a uid no other kernel of any grader on this machine uses right now (a lock
    file per uid), so the process limit counts this kernel's processes alone."""

    def __init__(self) -> None:
        folder = Path("/tmp") / "labkit-grade-uids"  # one place for every grader here
        folder.mkdir(mode=0o700, exist_ok=True)
        for n in range(UID_SLOTS):
            handle = open(folder / f"{n}.lock", "a")  # noqa: SIM115 (held until release)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            self.uid, self._handle = BASE_UID + n, handle
            return
        raise SandboxUnavailable(f"all {UID_SLOTS} sandbox uids are in use")

    def release(self) -> None:
        self._handle.close()


class Cgroups:
    """As root with a writable cgroup-v1 hierarchy: memory, pids and cpu groups of one
    kernel. The kernel's launcher shell joins them before it becomes bwrap."""

    CONTROLLERS = ("memory", "pids", "cpu")

    def __init__(self, name: str, limits: Limits) -> None:
        self.dirs = {c: CGROUP_V1 / c / name for c in self.CONTROLLERS}
        for folder in self.dirs.values():
            folder.mkdir()
        (self.dirs["memory"] / "memory.limit_in_bytes").write_text(
            str(limits.memory_mb * 2**20))
        (self.dirs["pids"] / "pids.max").write_text(str(limits.processes))

    @staticmethod
    def available() -> bool:
        return os.geteuid() == 0 and all(
            os.access(CGROUP_V1 / c, os.W_OK) and (CGROUP_V1 / c / "cgroup.procs").exists()
            for c in Cgroups.CONTROLLERS)

    def join_then(self, cmd: list[str]) -> list[str]:
        procs = [str(d / "cgroup.procs") for d in self.dirs.values()]
        script = 'for f in ' + " ".join(f"'{p}'" for p in procs) + \
                 '; do echo $$ > "$f" || exit 97; done; exec "$@"'
        return ["/bin/sh", "-c", script, "sandbox", *cmd]

    def counter(self, controller: str, file: str, key: str) -> int:
        try:
            for line in (self.dirs[controller] / file).read_text().splitlines():
                name, _, value = line.partition(" ")
                if name == key:
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def limit_hit(self, limits: Limits) -> str | None:
        if self.counter("memory", "memory.oom_control", "oom_kill") > 0:
            return f"used more than {limits.memory_mb} MB of memory"
        if self.counter("pids", "pids.events", "max") > 0:
            return f"started more than {limits.processes} processes or threads"
        return None

    def remove(self) -> None:
        for folder in self.dirs.values():
            for _ in range(50):  # whatever is left (nothing should be) is killed first
                try:
                    pids = (folder / "cgroup.procs").read_text().split()
                except OSError:
                    break
                for pid in pids:
                    with contextlib.suppress(OSError):
                        os.kill(int(pid), signal.SIGKILL)
                try:
                    folder.rmdir()
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EBUSY, errno.ENOTEMPTY):
                        break
                    time.sleep(0.02)


@dataclass
class KernelSandbox:
    """The sandbox of one kernel: its folder, uid, cgroups and bwrap command line."""

    bwrap: str
    view: KernelView
    limits: Limits
    forbid: frozenset[str]
    folder: Path
    uid: UidLease | None = None
    cgroups: Cgroups | None = None

    def command(self, kernel_cmd: list[str]) -> list[str]:
        lim = self.limits
        args = [self.bwrap, "--die-with-parent", "--new-session", "--unshare-pid",
                "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--hostname", "sandbox"]
        if self.uid is None:
            args.append("--unshare-user")
        size = str(lim.disk_mb * 2**20)
        # the fresh /tmp and home first: what is bound next may live under /tmp on the host
        # (a clone in /tmp/x keeps its .venv there); the kernel's uid writes both tmpfs
        args += ["--proc", "/proc", "--dev", "/dev",
                 "--size", size, "--perms", "1777", "--tmpfs", "/tmp",
                 "--size", size, "--perms", "1777", "--tmpfs", HOME]
        args += _system_mounts() + _python_mounts()
        args += self._package_mounts()
        args += ["--bind", str(self.folder), str(self.folder), "--chdir", HOME, "--clearenv"]
        for key, value in self._environment().items():
            args += ["--setenv", key, value]
        args = _with_open_parents(args)
        args.append("--")
        if self.uid is not None:
            uid = str(self.uid.uid)
            args += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                     "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
        args += ["prlimit", f"--as={lim.memory_mb * 2**20}",
                 f"--cpu={lim.cpu_seconds}:{lim.cpu_seconds + 5}",
                 f"--fsize={lim.file_mb * 2**20}", f"--nofile={lim.open_files}",
                 f"--nproc={self._nproc()}", "--"]
        args += kernel_cmd
        return self.cgroups.join_then(args) if self.cgroups else args

    def _package_mounts(self) -> list[str]:
        args: list[str] = []
        labkit_dir = str(self.view.labkit_dir)
        if "labkit" in self.forbid:
            args += ["--tmpfs", labkit_dir,
                     "--ro-bind", str(self.view.labkit_init), f"{labkit_dir}/__init__.py"]
        else:
            args += ["--ro-bind", labkit_dir, labkit_dir]
        args += ["--ro-bind", str(self.view.course), f"{labkit_dir}/course"]
        for name in sorted(self.forbid - {"labkit"}):
            for package in FORBIDDABLE[name]:
                folder = _package_dir(package)
                if folder:
                    args += ["--tmpfs", folder,
                             "--ro-bind", str(self.view.blocked), f"{folder}/__init__.py"]
        return args

    def _environment(self) -> dict[str, str]:
        env = {"HOME": HOME, "USER": "learner", "LANG": "C.UTF-8",
               "PATH": f"{os.path.dirname(sys.executable)}:/usr/bin:/bin",
               "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp/matplotlib",
               "IPYTHONDIR": f"{HOME}/.ipython", "JUPYTER_CONFIG_DIR": f"{HOME}/.jupyter",
               "JUPYTER_DATA_DIR": f"{HOME}/.local/share/jupyter",
               "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime", "JUPYTER_PLATFORM_DIRS": "1"}
        for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # CPU-specific BLAS settings
            if key in os.environ:
                env[key] = os.environ[key]
        return env

    def _nproc(self) -> int:
        """RLIMIT_NPROC counts every process of the uid: as root the kernel's uid is its own;
        otherwise the grading user's processes are counted too."""
        if self.uid is not None:
            return self.limits.processes
        mine = sum(1 for p in Path("/proc").iterdir() if p.name.isdigit()
                   and _owner(p) == os.getuid())
        return self.limits.processes + mine

    def limit_hit(self, exit_code: int | None) -> str | None:
        """Words for the limit that ended the kernel (bwrap's exit code), if one did."""
        words = self.cgroups.limit_hit(self.limits) if self.cgroups else None
        return words or _words_for_exit(exit_code, self.limits)


_MOUNTS = {"--ro-bind": 2, "--ro-bind-try": 2, "--bind": 2, "--tmpfs": 1, "--symlink": 2,
           "--dir": 1, "--proc": 1, "--dev": 1}


def _with_open_parents(args: list[str]) -> list[str]:
    """bwrap makes the missing parents of a mount point mode 0700, which a kernel running as
    its own uid could not pass: make them 0755 first (``--perms 0755 --dir``)."""
    out: list[str] = []
    made: set[str] = set()
    i = 0
    while i < len(args):
        arg = args[i]
        prefix: list[str] = []
        while arg in ("--size", "--perms"):  # modifiers of the mount after them
            prefix, i = prefix + args[i:i + 2], i + 2
            arg = args[i]
        n = _MOUNTS.get(arg)
        if n is None:
            step = 2 if arg in ("--hostname", "--chdir") else 1
            step = 3 if arg == "--setenv" else step
            out += args[i:i + step]
            i += step
            continue
        dest = args[i + n]
        if arg == "--tmpfs":  # a fresh tmpfs hides what was made under it
            made = {d for d in made if not (d == dest or d.startswith(dest + "/"))}
        parent = os.path.dirname(dest)
        parents = []
        while parent not in ("/", "") and parent not in made:
            parents.append(parent)
            parent = os.path.dirname(parent)
        for folder in reversed(parents):
            out += ["--perms", "0755", "--dir", folder]
            made.add(folder)
        out += prefix + args[i:i + n + 1]
        made.add(dest)
        i += n + 1
    return out


def _owner(path: Path) -> int | None:
    try:
        return path.stat().st_uid
    except OSError:
        return None


class Sandbox:
    """Makes a KernelSandbox per kernel; one per grading run (it owns the kernel view)."""

    def __init__(self, limits: Limits | None = None, folder: Path | None = None) -> None:
        self.limits = limits or Limits()
        self.bwrap = shutil.which("bwrap")
        if sys.platform != "linux" or self.bwrap is None:
            raise SandboxUnavailable("no bubblewrap (bwrap) found: " + HOW_TO_GET_ONE)
        self._tmp = tempfile.TemporaryDirectory(prefix="labkit-sandbox-", dir=folder)
        root = Path(self._tmp.name)
        root.chmod(0o755)  # the view is read by the kernels' own uids
        self.view = KernelView(root / "view")
        self.kernels = root / "kernels"
        self.kernels.mkdir()
        self.kernels.chmod(0o711)
        self.use_cgroups = Cgroups.available()
        self._check()

    def _check(self) -> None:
        """Runs a trivial command in a real sandbox; refuses with bwrap's own words."""
        with self.kernel(frozenset(FORBIDDABLE)) as box:
            cmd = box.command([sys.executable, "-c", "import labkit.course.probe"])
            try:
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise SandboxUnavailable(f"bubblewrap does not run here ({exc}). "
                                         + HOW_TO_GET_ONE) from exc
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or ["no message"])[-1][:300]
            raise SandboxUnavailable(f"bubblewrap does not run here ({why}). " + HOW_TO_GET_ONE)

    @contextlib.contextmanager
    def kernel(self, forbid: frozenset[str]) -> Iterator[KernelSandbox]:
        unknown = set(forbid) - set(FORBIDDABLE)
        if unknown:
            raise ValueError(f"cannot forbid {sorted(unknown)}; known: {sorted(FORBIDDABLE)}")
        folder = Path(tempfile.mkdtemp(prefix="k-", dir=self.kernels))
        uid = UidLease() if os.geteuid() == 0 else None
        cgroups = None
        try:
            if uid is not None:
                os.chown(folder, uid.uid, uid.uid)
                if self.use_cgroups:
                    cgroups = Cgroups(f"labkit-grade-{uid.uid}-{os.getpid()}", self.limits)
            folder.chmod(0o700)
            yield KernelSandbox(self.bwrap, self.view, self.limits, frozenset(forbid), folder,
                                uid, cgroups)
        finally:
            if cgroups is not None:
                cgroups.remove()
            shutil.rmtree(folder, ignore_errors=True)
            if uid is not None:
                uid.release()

    def close(self) -> None:
        self._tmp.cleanup()


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel starts inside ``box`` (when set, before starting): the
    connection file and sockets live in the box's folder, interrupts go as messages (a signal
    would reach bwrap, not the kernel). The kernel's own stdout and stderr go nowhere: a
    submission never writes to the grader's terminal."""

    box: KernelSandbox | None = None

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        kw.update(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                  stderr=subprocess.DEVNULL)
        await super()._async_launch_kernel(kernel_cmd, **kw)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        cmd = super().format_kernel_cmd(extra_arguments)
        if self.box is None:
            return cmd
        self.kernel_spec.interrupt_mode = "message"
        if self.box.uid is not None:  # the kernel's own uid must read its connection file
            os.chown(self.connection_file, self.box.uid.uid, self.box.uid.uid)
        return self.box.command(cmd)

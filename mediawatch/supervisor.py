"""Crawl subprocesses: each in its own process group, ended as a group (timeout, daemon stop).

A crawl is `python -m mediawatch.cli crawl ...`; Scrapy may start helpers, so signals go to the
whole group, and the group is killed again after the leader is reaped so nothing outlives it.
Output goes to temporary files (no pipe can fill up and block the crawl); the child is reaped
with wait4 so its peak memory is known without polling it.

A crawl dies with its daemon, even one killed with SIGKILL: on Linux the child asks the kernel
for SIGKILL when its parent thread ends (PR_SET_PDEATHSIG; the thread that starts a crawl waits
for it, so only the daemon's death ends it early). The child also keeps the daemon's lock file
open, so the archive's lock is held until the last crawl of a daemon is gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import TextIO

POLL = 0.1
STDERR_TAIL = 4000
PR_SET_PDEATHSIG = 1
LOCK_WAIT = 15.0  # seconds a new daemon waits for the crawls of a killed one to end

_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def _die_with(parent: int):
    """preexec_fn: SIGKILL this child when the thread that started it ends (Linux)."""

    def preexec() -> None:
        if _LIBC is not None:
            _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)

    return preexec


@dataclass
class Outcome:
    pid: int
    returncode: int  # negative: ended by that signal
    duration: float
    peak_rss_kb: int
    timed_out: bool
    stopped: bool  # ended because the daemon is stopping
    stdout: str
    stderr: str  # the last few KB

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def describe(self) -> str:
        if self.timed_out:
            return "killed after its timeout"
        if self.stopped:
            return "ended because the daemon is stopping"
        if self.returncode < 0:
            try:
                name = signal.Signals(-self.returncode).name
            except ValueError:
                name = f"signal {-self.returncode}"
            return f"killed by {name}"
        if self.returncode:
            return f"exited with status {self.returncode}"
        return "ok"

    def last_error_line(self) -> str:
        """The CLI's one-line error, else the last line Scrapy logged."""
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        for line in reversed(lines):
            if line.startswith("error:"):
                return line
        return lines[-1] if lines else ""


class Supervisor:
    """Starts commands in new process groups and can end all of them at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._groups: dict[int, subprocess.Popen] = {}
        self._stopping = threading.Event()
        self.inherited_fds: tuple[int, ...] = ()  # the daemon's lock, held by its crawls too

    @property
    def pids(self) -> list[int]:
        with self._lock:
            return list(self._groups)

    def run(self, argv: list[str], timeout: float, env: dict[str, str] | None = None) -> Outcome:
        """Run to the end, the timeout, or the daemon's stop, whichever comes first."""
        if self._stopping.is_set():
            raise RuntimeError("the supervisor is stopping")
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            started = time.monotonic()
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=env,
                start_new_session=True,  # own session and process group; no terminal signals
                close_fds=True,
                pass_fds=self.inherited_fds,
                preexec_fn=_die_with(os.getpid()),
            )
            with self._lock:
                self._groups[proc.pid] = proc
            try:
                status, rusage, timed_out = self._wait(proc, started + timeout)
            finally:
                _kill_group(proc.pid, signal.SIGKILL)  # anything the crawl left behind
                with self._lock:
                    self._groups.pop(proc.pid, None)
            duration = time.monotonic() - started
            out.seek(0)
            err.seek(0, os.SEEK_END)
            err.seek(max(0, err.tell() - STDERR_TAIL))
            return Outcome(
                pid=proc.pid,
                returncode=os.waitstatus_to_exitcode(status),
                duration=duration,
                peak_rss_kb=rusage.ru_maxrss if rusage else 0,
                timed_out=timed_out,
                stopped=self._stopping.is_set() and not timed_out,
                stdout=out.read().decode("utf-8", "replace"),
                stderr=err.read().decode("utf-8", "replace"),
            )

    def _wait(self, proc: subprocess.Popen, deadline: float):
        timed_out = False
        while True:
            try:
                pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere; should not happen
                proc.returncode = -signal.SIGKILL
                return (signal.SIGKILL, None, timed_out)
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from reaping
                return status, rusage, timed_out
            if not timed_out and time.monotonic() >= deadline:
                timed_out = True
                _kill_group(proc.pid, signal.SIGKILL)
            time.sleep(POLL)

    def stop_all(self, grace: float = 5.0) -> None:
        """SIGTERM every group (Scrapy closes its spiders and records the runs), SIGKILL what is
        left after `grace` seconds; `run` calls reap the processes."""
        self._stopping.set()
        for pid in self.pids:
            _kill_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while self.pids and time.monotonic() < deadline:
            time.sleep(POLL)
        for pid in self.pids:
            _kill_group(pid, signal.SIGKILL)

    def wait_idle(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.pids and time.monotonic() < deadline:
            time.sleep(POLL)
        return not self.pids


def _kill_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


class AlreadyRunning(Exception):
    def __init__(self, pid: int | None):
        super().__init__(pid)
        self.pid = pid


def lock_file(db_path) -> str:
    """Beside the archive: one daemon (or `run --once`) per archive at a time."""
    return f"{db_path}.daemon"


def take_lock(db_path, wait: float = LOCK_WAIT) -> TextIO:
    """Hold an exclusive lock on the archive's daemon file (with our pid in it) until exit.

    When the daemon named in the file is gone but the lock is held, its crawls are still
    ending (killed with it): wait for them, up to `wait` seconds."""
    import fcntl

    path = lock_file(db_path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 - held for the life of the process
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            handle.seek(0)
            text = handle.read().strip()
            pid = int(text) if text.isdigit() else None
            if pid is not None and not _alive(pid) and time.monotonic() < deadline:
                time.sleep(POLL)
                continue
            handle.close()
            raise AlreadyRunning(pid) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def running_daemon(db_path) -> int | None:
    """The pid of the daemon holding the archive's lock, None when no daemon runs."""
    import fcntl

    try:
        handle = open(lock_file(db_path))  # noqa: SIM115
    except OSError:
        return None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = handle.read().strip()
            return int(text) if text.isdigit() else -1
        return None

"""A real redis-server on a free loopback port, and `mediawatch worker` processes, for the cluster
tests. Without redis-server the tests are skipped with one line, unless MEDIAWATCH_REQUIRE_REDIS=1
(CI), where its absence is a failure."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REDIS = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            [
                REDIS,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 1),
            ):
                return self
            time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def start_same_port(self) -> RedisServer:
        """A restart: the same address, and (no persistence) an empty dataset."""
        return self.start()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)

    def flush(self) -> None:
        self.client().flushall()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    if REDIS is None:
        if os.environ.get("MEDIAWATCH_REQUIRE_REDIS") == "1":
            pytest.fail(
                "redis-server is not installed (MEDIAWATCH_REQUIRE_REDIS=1): .ci/install-redis"
            )
        pytest.skip(
            "redis-server not installed (Debian package redis-server; see .ci/install-redis)"
        )
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def redis_clean(redis_server):
    redis_server.flush()
    return redis_server


class Workers:
    """`mediawatch worker` subprocesses, their stderr in files."""

    def __init__(self, env: dict, folder: Path):
        self.env, self.folder = env, folder
        self.procs: list[subprocess.Popen] = []

    def start(self, n: int = 1, *args: str) -> list[subprocess.Popen]:
        started = []
        for _ in range(n):
            i = len(self.procs)
            log = open(self.folder / f"worker{i}.log", "ab")  # noqa: SIM115 - closed with the process
            proc = subprocess.Popen(
                [sys.executable, "-m", "mediawatch.cli", "worker", "-v", *args],
                stdout=subprocess.DEVNULL,
                stderr=log,
                env=self.env,
                cwd=self.folder,
            )
            self.procs.append(proc)
            started.append(proc)
        return started

    def logs(self) -> str:
        return "\n".join(
            (self.folder / f"worker{i}.log").read_text(errors="replace")[-3000:]
            for i in range(len(self.procs))
        )

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(10)

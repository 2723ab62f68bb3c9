"""A real `mediawatch run` in a subprocess, over a replay site whose feeds the test rewrites.

`LiveSite` serves a writable tmp folder first, then tests/site/ and the demo site, so a test can
make an article "appear" in a feed, or make a feed slow (`_behaviour.json` with a delay).
`DaemonRun` starts the daemon with JSON logs and offers waits with generous deadlines; nothing
here measures time.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil

from mediawatch.replay import DEMO_SITE, ReplaySite

ROOT = Path(__file__).resolve().parent.parent
TEST_SITE = ROOT / "tests" / "site"

PANJGUR = ("/daemon/wire/panjgur-water-shortage", "Water shortage hits Panjgur as wells run dry")
CONVOY = ("/daemon/wire/convoy-attack-near-gwadar", "BLA claims attack on convoy near Gwadar")

WATCHLIST = """\
topics:
  bla:
    keywords: ["Balochistan Liberation Army", "BLA"]
  balochistan:
    keywords: [Balochistan, Gwadar, Panjgur]
"""

# Feeds live under /live/ in the test's own folder; articles come from tests/site/daemon/.
DAEMON_SOURCES = """
  - {name: wire, kind: feed, outlet: Wire, url: "{{base}}/live/wire.xml", tags: [daemontest]}
  - {name: slow-wire, kind: feed, outlet: Slow Wire, url: "{{base}}/live/slow.xml"}
  - {name: stuck-wire, kind: feed, outlet: Stuck Wire, url: "{{base}}/live/stuck.xml"}
  - {name: flaky-wire, kind: feed, outlet: Flaky Wire, url: "{{base}}/live/flaky.xml"}
"""


def rss(items: list[tuple[str, str]], title: str = "Wire") -> str:
    """An RSS 2.0 feed of (path, title) items, newest first, dated relative to serving time."""
    entries = "".join(
        f"<item><title>{t}</title><link>{{{{base}}}}{path}</link>"
        f'<guid isPermaLink="false">{path}</guid><pubDate>{{{{ago:{5 + 10 * i}m}}}}</pubDate></item>\n'
        for i, (path, t) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{title}</title><link>{{{{base}}}}/live/</link><description>test</description>\n"
        f"{entries}</channel></rss>\n"
    )


class LiveSite(ReplaySite):
    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        super().__init__([folder, TEST_SITE, DEMO_SITE])

    def write(self, path: str, text: str) -> None:
        """Replace a file atomically, so a crawl never reads half of it."""
        target = self.folder / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)

    def behave(self, rules: dict) -> None:
        self.write("_behaviour.json", json.dumps(rules))


def write_workspace(folder: Path, base: str, schedules: str, watchlist: str = WATCHLIST) -> Path:
    from conftest import write_config

    write_config(folder, base, DAEMON_SOURCES)
    (folder / "schedules.yaml").write_text(schedules, encoding="utf-8")
    (folder / "watchlist.yaml").write_text(watchlist, encoding="utf-8")
    return folder


def cli_env(config_dir: Path, db_path: Path) -> dict[str, str]:
    env = {**os.environ, "MEDIAWATCH_CONFIG_DIR": str(config_dir), "MEDIAWATCH_DB": str(db_path)}
    env["MEDIAWATCH_MIN_DIGEST_EVERY"] = "1"  # second-scale digests, as for the crawls
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env.pop(proxy, None)
    return env


class DaemonRun:
    """`mediawatch run --log-format json` in the background; its log goes to a file."""

    def __init__(self, config_dir: Path, db_path: Path, log_path: Path):
        self.config_dir, self.db_path, self.log_path = config_dir, db_path, log_path
        self.proc: subprocess.Popen | None = None
        self.seen_children: set[int] = set()
        self.most_at_once: dict[str, int] = {}  # source name -> most crawls of it seen at once

    def start(self, *args: str, env: dict[str, str] | None = None) -> DaemonRun:
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mediawatch.cli", "run", "--log-format", "json", *args],
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            env={**cli_env(self.config_dir, self.db_path), **(env or {})},
            cwd=self.config_dir,
        )
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def events(self, what: str | None = None, source: str | None = None) -> list[dict]:
        out = []
        for line in self.log_text().splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if not isinstance(event, dict):
                continue
            if what is not None and what not in event.get("what", ""):
                continue
            if source is not None and event.get("source") != source:
                continue
            out.append(event)
        return out

    def wait_for(self, check, what: str, timeout: float = 120.0):
        """Poll `check()` until it returns something truthy; fail with the log tail otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.note_children()
            value = check()
            if value:
                return value
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(
                    f"the daemon exited ({self.proc.returncode}) while waiting "
                    f"for {what}:\n{self.log_text()[-3000:]}"
                )
            time.sleep(0.2)
        raise AssertionError(
            f"timed out waiting for {what}; daemon log:\n{self.log_text()[-4000:]}"
        )

    def wait_event(self, what: str, source: str | None = None, count: int = 1, timeout=120.0):
        return self.wait_for(
            lambda: (e := self.events(what, source)) and len(e) >= count and e,
            f"{count} log event(s) {what!r} from {source or 'any source'}",
            timeout,
        )

    def crawl_children(self) -> list[psutil.Process]:
        """The daemon's `mediawatch crawl` subprocesses right now."""
        try:
            children = psutil.Process(self.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        out = []
        for child in children:
            try:
                if "crawl" in child.cmdline():
                    out.append(child)
            except (psutil.NoSuchProcess, psutil.ZombieProcess):
                continue
        return out

    def note_children(self) -> None:
        """Remember every child seen, and how many crawls of each source ran at once."""
        try:
            children = psutil.Process(self.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return
        self.seen_children.update(p.pid for p in children)
        counts: dict[str, int] = {}
        # Only the daemon's own children are crawls: a crawl's forked helper (Scrapy runs
        # `uname -p` at start) shows the crawl's command line until it execs.
        for child in (c for c in children if _ppid(c) == self.pid):
            try:
                cmd = child.cmdline()
            except (psutil.NoSuchProcess, psutil.ZombieProcess):
                continue
            if "crawl" in cmd:
                for word in cmd[cmd.index("crawl") + 1 :]:
                    counts[word] = counts.get(word, 0) + 1
        for word, n in counts.items():
            self.most_at_once[word] = max(self.most_at_once.get(word, 0), n)

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM and wait (generously) for the exit; returns the exit status."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.note_children()
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self._log.close()

    def kill(self) -> None:
        """Cleanup after a failed test: the daemon and anything it started."""
        if self.proc is None:
            return
        self._log.close()
        if self.proc.poll() is not None:
            return
        with_children = []
        with contextlib.suppress(psutil.NoSuchProcess):
            with_children = psutil.Process(self.pid).children(recursive=True)
        self.proc.kill()
        self.proc.wait(timeout=60)
        for child in with_children:
            with contextlib.suppress(OSError):
                os.killpg(child.pid, signal.SIGKILL)

    def rows(self, sql: str, params=()) -> list[dict]:
        if not self.db_path.exists():
            return []
        conn = sqlite3.connect(self.db_path, timeout=30)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql, params)]
        except sqlite3.OperationalError as exc:  # tables not created yet
            if "no such table" in str(exc):
                return []
            raise
        finally:
            conn.close()

    def runs(self, source: str) -> list[dict]:
        return self.rows("SELECT * FROM crawl_runs WHERE source = ? ORDER BY id", [source])


def _ppid(process: psutil.Process) -> int | None:
    try:
        return process.ppid()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return None

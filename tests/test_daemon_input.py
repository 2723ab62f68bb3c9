"""The daemon against careless operator input: a ./db/ folder in its working directory and YAML
alias bombs sent by SIGHUP."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from daemon_helpers import PANJGUR, DaemonRun, LiveSite, cli_env, rss, write_workspace

pytestmark = pytest.mark.slow

# The command a user runs (the installed entry point), not `python -m`, which would put the
# working directory on sys.path for the daemon itself too.
MEDIAWATCH = str(Path(sys.executable).with_name("mediawatch"))


@pytest.fixture
def live(tmp_path):
    site = LiveSite(tmp_path / "site").start()
    yield site
    site.stop()


class InstalledDaemon(DaemonRun):
    """`mediawatch run` started from the installed script, in `cwd`."""

    def __init__(self, config_dir: Path, db_path: Path, log_path: Path, cwd: Path):
        super().__init__(config_dir, db_path, log_path)
        self.cwd = cwd

    def start(self, *args: str) -> InstalledDaemon:
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [MEDIAWATCH, "run", "--log-format", "json", *args],
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            env=cli_env(self.config_dir, self.db_path),
            cwd=self.cwd,
        )
        return self


@pytest.fixture
def daemon(tmp_path, live):
    made: list[DaemonRun] = []

    def make(schedules: str, cwd: Path | None = None, db_path: Path | None = None) -> DaemonRun:
        folder = write_workspace(tmp_path / "config", live.base, schedules)
        run = InstalledDaemon(
            folder,
            db_path or tmp_path / "archive.db",
            tmp_path / "daemon.log",
            cwd or folder,
        )
        made.append(run)
        return run

    yield make
    for run in made:
        run.kill()


WIRE_ONLY = "crawls:\n  - {name: wire, sources: [wire], every: 2s, timeout: 60s}\n"


def test_a_db_folder_in_the_working_directory_does_not_break_crawls(tmp_path, daemon, live):
    # The README's own layout: archives under ./db/ where the daemon is started; here that
    # folder is even an importable package of someone else's.
    home = tmp_path / "home"
    (home / "db").mkdir(parents=True)
    (home / "db" / "__init__.py").write_text("# an unrelated package\n", encoding="utf-8")
    d = daemon(WIRE_ONLY, cwd=home, db_path=home / "db" / "mediawatch.db")
    live.write("/live/wire.xml", rss([PANJGUR]))
    d.start()

    finished = d.wait_event("crawl finished", "wire")[0]
    assert "ArchiveError" not in d.log_text()
    assert d.runs("wire")[0]["status"] == "ok", finished
    assert d.rows("SELECT title FROM articles") == [{"title": PANJGUR[1]}]
    assert d.stop() == 0


def alias_bomb(levels: int, key: str = "keywords") -> str:
    """Billion laughs in YAML: each level is a list of nine aliases of the level before."""
    names = "abcdefghijklmnop"[:levels]
    lines = [f'  {names[0]}: &{names[0]} ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip(names, names[1:], strict=False):
        lines.append(f"  {name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return f"bomb:\n{chr(10).join(lines)}\ntopics:\n  bla:\n    {key}: *{names[-1]}\n"


def test_an_alias_bomb_sent_by_sighup_is_refused_without_taking_the_daemons_memory(daemon, live):
    d = daemon(WIRE_ONLY)
    live.write("/live/wire.xml", rss([PANJGUR]))
    d.start()
    d.wait_event("crawl finished", "wire")
    before = psutil.Process(d.pid).memory_info().rss

    watchlist = d.config_dir / "watchlist.yaml"
    watchlist.write_text(alias_bomb(6), encoding="utf-8")  # 9**6 copies once expanded
    d.signal(signal.SIGHUP)
    refused = d.wait_event("reload refused")[0]["what"]
    # one line naming the file and the line of the alias that went over the bound
    assert f"{watchlist}:6: alias *d" in refused, refused
    assert "\n" not in refused
    grown = psutil.Process(d.pid).memory_info().rss - before
    assert grown < 50 * 1024 * 1024, f"the daemon grew by {grown / 2**20:.0f} MB"

    # a recursive alias is refused the same way, not with a RecursionError
    watchlist.write_text("topics:\n  bla:\n    keywords: &a [BLA, *a]\n", encoding="utf-8")
    d.signal(signal.SIGHUP)
    refused = d.wait_event("reload refused", count=2)[1]["what"]
    assert f"{watchlist}:3: alias *a refers to itself" in refused, refused
    assert "RecursionError" not in d.log_text()

    # and the daemon crawls on with the configuration it had
    done = len(d.events("crawl finished", "wire"))
    d.wait_event("crawl finished", "wire", count=done + 1)
    assert d.runs("wire")[-1]["status"] == "ok"
    assert d.stop() == 0

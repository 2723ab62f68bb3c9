"""A daemon killed with SIGKILL takes its crawls with it and leaves no temporary folder behind;
a crawl that dies before recording its run is recorded as failed by the daemon."""

from __future__ import annotations

import signal
import sqlite3

import psutil
import pytest
from daemon_helpers import PANJGUR, DaemonRun, LiveSite, rss, write_workspace

from mediawatch import db

pytestmark = pytest.mark.slow


@pytest.fixture
def live(tmp_path):
    site = LiveSite(tmp_path / "site").start()
    yield site
    site.stop()


@pytest.fixture
def daemon(tmp_path, live):
    made: list[DaemonRun] = []

    def make(schedules: str) -> DaemonRun:
        folder = write_workspace(tmp_path / "config", live.base, schedules)
        run = DaemonRun(folder, tmp_path / "archive.db", tmp_path / f"daemon{len(made)}.log")
        made.append(run)
        return run

    yield make
    for run in made:
        run.kill()


def snapshots(tmp):
    return sorted(p.name for p in tmp.glob("mediawatch-run-*"))


def test_a_daemon_killed_with_sigkill_takes_its_crawl_with_it_and_leaks_no_folder(
    daemon, live, tmp_path
):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {"TMPDIR": str(tmp)}
    schedules = "crawls:\n  - {name: slow, sources: [slow-wire], every: 5s, timeout: 10m}\n"
    live.write("/live/slow.xml", rss([PANJGUR]))
    live.behave({"/live/slow.xml": {"delay": 90}})  # the crawl is busy for a long while
    first = daemon(schedules).start(env=env)

    def crawl_in_progress():
        for child in first.crawl_children():
            if first.rows(
                "SELECT 1 FROM crawl_runs WHERE status = 'running' AND pid = ?", [child.pid]
            ):
                return child
        return None

    child = first.wait_for(crawl_in_progress, "a crawl in progress", timeout=90)
    # the crawl holds the daemon's lock too: no new daemon starts while it lives
    lock = f"{first.db_path}.daemon"
    assert lock in [f.path for f in child.open_files()]
    killed_folder = snapshots(tmp)
    assert len(killed_folder) == 1
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait(timeout=30)

    # the crawl dies with its daemon, not when its page finally answers (or times out, 30 s)
    gone, alive = psutil.wait_procs([child], timeout=60)
    assert not alive, "the crawl outlived its daemon"
    assert snapshots(tmp) == killed_folder  # what SIGKILL leaves; the next daemon clears it

    live.behave({})
    second = daemon(schedules).start(env=env)
    second.wait_event("crawl finished", "slow", timeout=120)
    mine = snapshots(tmp)
    assert len(mine) == 1 and mine != killed_folder
    # the killed run was failed when the new daemon started, the new one is ok
    statuses = [r["status"] for r in second.runs("slow-wire")]
    assert statuses[0] == "failed" and "ok" in statuses[1:], statuses
    assert second.stop() == 0
    assert snapshots(tmp) == []


def test_a_crawl_killed_at_its_timeout_before_recording_a_run_is_recorded_failed(daemon, live):
    schedules = "crawls:\n  - {name: wire, sources: [wire], every: 1h, timeout: 3s}\n"
    live.write("/live/wire.xml", rss([PANJGUR]))
    d = daemon(schedules)
    db.connect(d.db_path).conn.close()
    # another writer holds the archive: the crawl waits for it and cannot record its run
    blocker = sqlite3.connect(d.db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        d.start()
        d.wait_event("killed after its timeout", "wire", timeout=90)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    (run,) = d.wait_for(lambda: d.runs("wire"), "a failed run recorded for the wire source")
    assert run["status"] == "failed"
    assert (
        "timeout" in run["error_messages"] and "before it recorded a run" in run["error_messages"]
    )
    health = d.rows("SELECT consecutive_failures, last_error FROM sources WHERE name = 'wire'")
    assert health and health[0]["consecutive_failures"] == 1
    assert d.stop() == 0

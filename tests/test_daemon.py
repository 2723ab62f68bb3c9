"""`mediawatch run` for real: a daemon with second-scale schedules over a replay site whose feeds
the tests rewrite, an aiosmtpd server and a webhook receiver on 127.0.0.1."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys

import psutil
import pytest
from alerts_helpers import Receiver, SmtpServer, free_port
from daemon_helpers import CONVOY, PANJGUR, DaemonRun, LiveSite, cli_env, rss, write_workspace

from mediawatch import db

pytestmark = pytest.mark.slow

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (INFO|WARNING|ERROR) +\S+ +\S.*$")
MAIL = """
channels:
  mail:
    type: email
    host: 127.0.0.1
    port: {port}
    security: none
    from: "mediawatch <alerts@mediawatch.test>"
    to: [desk@example.org]
"""


@pytest.fixture
def live(tmp_path):
    site = LiveSite(tmp_path / "site").start()
    yield site
    site.stop()


@pytest.fixture
def daemon(tmp_path, live):
    """A factory: daemon(schedules_text) -> DaemonRun (not started); killed after the test."""
    made: list[DaemonRun] = []

    def make(schedules: str) -> DaemonRun:
        folder = write_workspace(tmp_path / "config", live.base, schedules)
        run = DaemonRun(folder, tmp_path / "archive.db", tmp_path / "daemon.log")
        made.append(run)
        return run

    yield make
    for run in made:
        run.kill()


def emails(smtp, subscription):
    return [m for _, _, m in smtp.messages if m["X-Mediawatch-Subscription"] == subscription]


def mails_with(smtp, subscription, title):
    return [m for m in emails(smtp, subscription) if title in m.get_body(("plain",)).get_content()]


def test_articles_arrive_and_alerts_and_digests_go_out_once(daemon, live):
    smtp = SmtpServer().start()
    try:
        d = daemon(
            MAIL.format(port=smtp.port)
            + """
max_concurrent_crawls: 2
crawls:
  - {name: wire, sources: [wire], every: 2s, timeout: 60s}
digests:
  - {name: bla-alerts, title: BLA alert, topics: [bla], immediate: true, channels: [mail]}
  - {name: desk, title: Desk digest, topics: [balochistan], every: 3s, channels: [mail]}
delivery:
  retry_first: 1s
"""
        )
        live.write("/live/wire.xml", rss([PANJGUR]))
        d.start()
        d.wait_for(lambda: mails_with(smtp, "desk", PANJGUR[1]), "the desk digest with Panjgur")
        stored = d.rows("SELECT url, source FROM articles")
        assert stored == [{"url": live.url(PANJGUR[0]), "source": "wire"}]

        # an article appears in the feed: the next crawl stores it and alerts at once
        live.write("/live/wire.xml", rss([CONVOY, PANJGUR]))
        alert = d.wait_for(lambda: mails_with(smtp, "bla-alerts", CONVOY[1]), "the BLA alert")[0]
        assert CONVOY[1] in alert["Subject"]
        d.wait_for(lambda: mails_with(smtp, "desk", CONVOY[1]), "the desk digest with the convoy")

        # several more crawls and digest runs later, nobody got anything twice
        crawls = len(d.events("crawl finished", "wire"))
        d.wait_event("crawl finished", "wire", count=crawls + 2)
        quiet = len(d.events("nothing new", "desk"))
        d.wait_event("nothing new", "desk", count=quiet + 1)
        assert len(emails(smtp, "bla-alerts")) == 1
        assert len(mails_with(smtp, "desk", PANJGUR[1])) == 1
        assert len(mails_with(smtp, "desk", CONVOY[1])) == 1
        assert not mails_with(smtp, "bla-alerts", PANJGUR[1])
        assert len(d.rows("SELECT id FROM articles")) == 2

        assert d.stop() == 0
        assert d.events("stopped")
        assert not [p for p in d.seen_children if psutil.pid_exists(p)]
    finally:
        smtp.stop()


def test_overrun_is_skipped_and_killed_crawls_are_failed_then_sigterm_leaves_no_child(daemon, live):
    d = daemon(
        """
max_concurrent_crawls: 3
crawls:
  - {name: slow, sources: [slow-wire], every: 1s, timeout: 60s}
  - {name: stuck, sources: [stuck-wire], every: 1s, timeout: 20s}
"""
    )
    # The stuck crawl's timeout outlasts a crawl's start-up on a loaded machine (a 4 s timeout
    # could kill it before it had recorded its run) and its feed answers long after that.
    live.write("/live/slow.xml", rss([PANJGUR]))
    live.write("/live/stuck.xml", rss([CONVOY]))
    live.behave({"/live/slow.xml": {"delay": 3}, "/live/stuck.xml": {"delay": 300}})
    d.start()

    # a crawl that takes 3 s on a 1 s schedule: later runs are skipped, never started twice
    d.wait_event("still running", "crawl:slow", count=2)

    # SIGKILL a running crawl: its run is recorded as failed, and the next one succeeds
    def running_crawl():
        for child in d.crawl_children():
            try:
                cmdline = child.cmdline()
            except psutil.Error:  # ended since it was listed
                continue
            if "slow-wire" in cmdline:
                rows = d.rows(
                    "SELECT id FROM crawl_runs WHERE source = 'slow-wire' AND status = 'running' "
                    "AND pid = ?",
                    [child.pid],
                )
                if rows:
                    return child, rows[0]["id"]
        return None

    child, run_id = d.wait_for(running_crawl, "a slow-wire crawl in progress")
    child.kill()
    killed = d.wait_for(
        lambda: d.rows("SELECT * FROM crawl_runs WHERE id = ? AND status = 'failed'", [run_id]),
        "the killed run marked failed",
    )[0]
    assert "SIGKILL" in killed["error_messages"]
    d.wait_for(
        lambda: d.rows(
            "SELECT 1 FROM crawl_runs WHERE source = 'slow-wire' AND id > ? AND status = 'ok'",
            [run_id],
        ),
        "a successful run after the killed one",
    )

    # a crawl past its timeout is killed with its process group and recorded as failed
    timed_out = d.wait_for(
        lambda: d.rows(
            "SELECT * FROM crawl_runs WHERE source = 'stuck-wire' AND status = 'failed'"
        ),
        "the stuck crawl killed at its timeout",
    )[0]
    assert "timeout" in timed_out["error_messages"]

    # SIGTERM while crawls run: the daemon ends them and leaves no process behind
    d.wait_for(
        lambda: (
            len(d.rows("SELECT 1 FROM crawl_runs WHERE source = 'slow-wire' AND status = 'ok'"))
            >= 2
        ),
        "two successful slow runs",
    )
    d.wait_for(lambda: len(d.crawl_children()) >= 1, "a crawl in progress")
    d.note_children()
    assert d.stop() == 0
    assert d.events("stopping (SIGTERM)") and d.events("stopped")
    assert not [p for p in d.seen_children if psutil.pid_exists(p)]
    assert not d.rows("SELECT id FROM crawl_runs WHERE status = 'running'")

    # never two crawls of the same job at once: each run started after the previous ended
    assert d.most_at_once.get("slow-wire") == 1
    runs = d.runs("slow-wire")
    assert len(runs) >= 3
    for before, after in zip(runs, runs[1:], strict=False):
        assert after["started_at"] >= before["finished_at"], (before, after)


def test_sighup_reloads_and_keeps_the_old_configuration_when_a_file_is_broken(daemon, live):
    schedules = (
        "housekeeping: {every: 2s}\n"
        "crawls:\n  - {name: wire, sources: [wire], every: 2s, timeout: 60s}\n"
    )
    d = daemon(schedules)
    live.write("/live/wire.xml", rss([PANJGUR]))
    live.write("/live/flaky.xml", rss([CONVOY]))
    d.start("--min-free-mb", "1000000000")  # no disk is that big: a low-disk warning every cycle
    d.wait_event("crawl finished", "wire")

    # one daemon per archive: a second one (or a cron `--once`) is refused in one line
    second = subprocess.run(
        [sys.executable, "-m", "mediawatch.cli", "run", "--once"],
        capture_output=True,
        text=True,
        env=cli_env(d.config_dir, d.db_path),
        timeout=60,
    )
    assert second.returncode == 1
    assert second.stderr.strip() == (
        f"error: another mediawatch daemon (pid {d.pid}) is running on {d.db_path}"
    )

    sources = d.config_dir / "sources.yaml"
    good = sources.read_text(encoding="utf-8")
    sources.write_text(good.replace("kind: feed, outlet: Wire", "kind: pigeon, outlet: Wire"))
    d.signal(signal.SIGHUP)
    refused = d.wait_event("reload refused")[0]["what"]
    assert "sources.yaml:" in refused and "kind" in refused, refused

    # the daemon and its crawls go on with the configuration they had
    done = len(d.events("crawl finished", "wire"))
    d.wait_event("crawl finished", "wire", count=done + 2)
    assert d.runs("wire")[-1]["status"] == "ok"

    # a fixed file and a new job are picked up by the next SIGHUP
    sources.write_text(good, encoding="utf-8")
    (d.config_dir / "schedules.yaml").write_text(
        schedules + "  - {name: extra, sources: [flaky-wire], every: 2s, timeout: 60s}\n"
    )
    d.signal(signal.SIGHUP)
    d.wait_event("configuration reloaded")
    d.wait_for(
        lambda: [r for r in d.runs("flaky-wire") if r["status"] == "ok"], "the new job's crawl"
    )
    assert d.stop() == 0

    assert d.events("done", "housekeeping")[0]["fts"] == "optimized"
    # the disk warning came every cycle and did not stop anything; the operator was told once
    assert len(d.events("low disk space")) >= 3
    notices = d.rows("SELECT subject FROM digests WHERE subscription = 'ops'")
    assert len(notices) == 1 and "low disk space" in notices[0]["subject"]


def test_run_refuses_an_invalid_schedules_file_in_one_line(daemon, live):
    d = daemon("crawls:\n  - {name: wire, sources: [wire], every: soon, timeout: 60s}\n")
    result = subprocess.run(
        [sys.executable, "-m", "mediawatch.cli", "run"],
        capture_output=True,
        text=True,
        env=cli_env(d.config_dir, d.db_path),
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "schedules.yaml:2:" in lines[0] and "crawls[0].every" in lines[0]


def test_failing_source_alerts_the_operator_once_and_once_on_recovery(daemon, live):
    hook = Receiver().start()
    dead_port = free_port()  # nothing listens there: a mail outage
    try:
        d = daemon(
            MAIL.format(port=dead_port)
            + f"""
  oncall:
    type: webhook
    url: {hook.url}/ops
crawls:
  - {{name: flaky, sources: [flaky-wire], every: 1s, timeout: 60s}}
digests:
  - {{name: desk, topics: [balochistan], every: 2s, channels: [mail]}}
ops:
  channels: [oncall]
  fail_after: 2
delivery:
  retry_first: 1s
"""
        )
        d.start()  # /live/flaky.xml does not exist yet: every run fails with a 404

        d.wait_for(lambda: hook.requests, "the operator alert")
        d.wait_for(lambda: len(d.runs("flaky-wire")) >= 4, "more failed runs")
        assert len(hook.requests) == 1
        alert = json.dumps(hook.json(0))
        assert "flaky-wire" in alert and "failing" in alert

        status = json.loads(d_status(d, "--json"))
        flaky = next(s for s in status["sources"] if s["name"] == "flaky-wire")
        assert flaky["failing"] and flaky["consecutive_failures"] >= 2
        assert "404" in flaky["last_error"]
        assert status["daemon_pid"] == d.pid
        text = d_status(d)
        assert "failing" in text and "HTTP 404" in text

        live.write("/live/flaky.xml", rss([PANJGUR]))
        d.wait_for(lambda: len(hook.requests) >= 2, "the recovery alert")
        assert "recovered" in json.dumps(hook.json(1))
        # the digest cannot be mailed (nothing listens): it waits, the daemon goes on
        d.wait_for(
            lambda: d.rows(
                "SELECT 1 FROM deliveries WHERE subscription = 'desk' AND attempts >= 2"
            ),
            "a retried delivery",
        )
        ok = len([r for r in d.runs("flaky-wire") if r["status"] == "ok"])
        d.wait_for(
            lambda: len([r for r in d.runs("flaky-wire") if r["status"] == "ok"]) >= ok + 1,
            "more successful runs",
        )
        assert len(hook.requests) == 2

        status = json.loads(d_status(d, "--json"))
        flaky = next(s for s in status["sources"] if s["name"] == "flaky-wire")
        assert not flaky["failing"] and flaky["consecutive_failures"] == 0
        assert flaky["new_articles_24h"] == 1
        desk = next(s for s in status["subscriptions"] if s["name"] == "desk")
        assert desk["pending"] == 1 and desk["last_digest_items"] == 1
        assert d.stop() == 0
    finally:
        hook.stop()


def d_status(d: DaemonRun, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "mediawatch.cli", "status", *args],
        capture_output=True,
        text=True,
        env=cli_env(d.config_dir, d.db_path),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_once_crawls_every_job_then_sends_due_digests_and_exits(daemon, live, tmp_path):
    d = daemon(
        """
crawls:
  - {name: wire, sources: [wire], every: 10m, timeout: 60s}
  - {name: extra, sources: [flaky-wire], every: 10m, timeout: 60s}
digests:
  - {name: daily, topics: [balochistan, bla], cron: "0 7 * * *", timezone: Asia/Karachi}
"""
    )
    live.write("/live/wire.xml", rss([PANJGUR]))
    live.write("/live/flaky.xml", rss([CONVOY]))
    archive = db.connect(d.db_path)
    with db.write(archive):  # a crawl record older than the default 90 days kept
        archive["crawl_runs"].insert(
            {"source": "wire", "started_at": "2020-01-01T00:00:00Z", "status": "ok"}
        )
    archive.conn.close()

    def once():
        return subprocess.run(
            [sys.executable, "-m", "mediawatch.cli", "run", "--once"],
            capture_output=True,
            text=True,
            env=cli_env(d.config_dir, d.db_path),
            timeout=120,
        )

    result = once()
    assert result.returncode == 0, result.stderr
    # one line per event on stderr: time, level, source, what
    lines = result.stderr.splitlines()
    assert lines and all(LOG_LINE.match(line) for line in lines), result.stderr
    assert any(" wire " in line and "crawl finished" in line for line in lines)
    assert lines[-1].endswith("stopped")
    # housekeeping never ran on this archive, so it was due: the old record is gone
    assert any("housekeeping" in line and "done" in line for line in lines), result.stderr
    assert [r["started_at"] for r in d.runs("wire")] != ["2020-01-01T00:00:00Z"]
    assert [r["status"] for r in d.runs("wire")] == ["ok"]  # only this run's record is left
    assert [r["status"] for r in d.runs("flaky-wire")] == ["ok"]
    # the digest that never ran is due: written to the default file outbox beside the archive
    outbox = sorted((tmp_path / "outbox").glob("*daily*.html"))
    assert len(outbox) == 1
    page = outbox[0].read_text(encoding="utf-8")
    assert PANJGUR[1] in page and CONVOY[1] in page

    # run again at once: housekeeping (daily by default) ran a moment ago, so it is not due
    again = once()
    assert again.returncode == 0, again.stderr
    assert not any("housekeeping" in line for line in again.stderr.splitlines()), again.stderr


def test_first_start_sends_immediate_alerts_but_a_cron_digest_waits_for_its_time(daemon, live):
    from datetime import UTC, datetime, timedelta

    smtp = SmtpServer().start()
    try:
        hour = (datetime.now(UTC) + timedelta(hours=12)).hour  # far from now either way
        d = daemon(
            MAIL.format(port=smtp.port)
            + f"""
crawls:
  - {{name: wire, sources: [wire], every: 2s, timeout: 60s}}
digests:
  - {{name: bla-alerts, title: BLA alert, topics: [bla], immediate: true, channels: [mail]}}
  - {{name: daily, topics: [balochistan, bla], cron: "0 {hour} * * *", timezone: UTC,
     channels: [mail]}}
"""
        )
        live.write("/live/wire.xml", rss([CONVOY, PANJGUR]))
        d.start()
        d.wait_for(lambda: mails_with(smtp, "bla-alerts", CONVOY[1]), "the BLA alert")
        (first,) = d.wait_event("digest daily: first run at")
        assert d.stop() == 0

        # the daemon started long before the daily's hour: nothing sent, its time is next
        assert emails(smtp, "daily") == []
        expected = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        expected = expected.replace(hour=hour) + timedelta(days=expected.hour > hour)
        assert first["what"].endswith(expected.strftime("%Y-%m-%dT%H:00:00Z"))
    finally:
        smtp.stop()

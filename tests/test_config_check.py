"""`mediawatch config check`, the implicit kind tag and sources no crawl job polls, as a user
meets them: in-process CLI runs over real config files and a real archive, and the daemon's
own load (start and SIGHUP reload) with its log."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from mediawatch import db
from mediawatch.cli import main
from mediawatch.daemon import Daemon

SOURCES = """
sources:
  - {name: dawn-home, kind: feed, url: "https://www.dawn.com/feeds/home/", tags: [pakistan]}
  - {name: tbp-sitemap, kind: sitemap, url: "https://thebalochistanpost.net/sitemap.xml"}
  - {name: new-outlet, kind: listing, url: "https://example.org/news/", links: "a.story",
     tags: [regional]}
  - {name: old-outlet, kind: feed, url: "https://example.org/old.xml", enabled: false}
"""

WATCHLIST = """
topics:
  bla:
    keywords: ["Balochistan Liberation Army", BLA]
"""

SCHEDULES = """
channels:
  desk-mail:
    type: email
    host: 127.0.0.1
    port: 2525
    security: none
    username: mw
    password_env: MW_CHECK_SMTP_PASSWORD
    from: alerts@mediawatch.test
    to: desk@example.org
  hook:
    type: webhook
    url: http://127.0.0.1:9/hook
    secret_env: MW_CHECK_WEBHOOK_SECRET
crawls:
  - {name: feeds, sources: [feed], every: 10m}
  - {name: sitemaps, sources: [sitemap], every: 30m}
digests:
  - name: daily
    topics: [bla]
    cron: "0 7 * * *"
    timezone: Asia/Karachi
    channels: [desk-mail]
  - {name: bla-now, topics: [bla], immediate: true, channels: [hook]}
"""


@pytest.fixture
def folder(tmp_path, monkeypatch):
    for name in ("MW_CHECK_SMTP_PASSWORD", "MW_CHECK_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    conf = tmp_path / "config"
    conf.mkdir()
    for name, text in (
        ("sources.yaml", SOURCES),
        ("watchlist.yaml", WATCHLIST),
        ("schedules.yaml", SCHEDULES),
    ):
        (conf / name).write_text(text, encoding="utf-8")
    return conf


def cli(folder, *args):
    base = ["--config-dir", str(folder), "--db", str(folder.parent / "archive.db")]
    return CliRunner().invoke(main, [*base, *args], catch_exceptions=False)


def test_every_source_carries_its_kind_as_a_tag(folder):
    # dawn-home has its own tags only; a job for "feed" still picks it, as sources.yaml says
    from mediawatch import config

    sources = config.load_sources(folder)
    assert [s.name for s in sources.select(["feed"])] == ["dawn-home", "old-outlet"]
    assert sources.by_name()["dawn-home"].tags == ("pakistan", "feed")
    check = cli(folder, "config", "check", "--json")
    plan = {p["job"]: p for p in json.loads(check.output)["plan"]}
    assert plan["crawl feeds"]["what"] == "1 source: dawn-home"
    assert plan["crawl sitemaps"]["what"] == "1 source: tbp-sitemap"


def test_config_check_names_missing_secrets_and_unpolled_sources_and_exits_1(folder):
    result = cli(folder, "config", "check")

    assert result.exit_code == 1, result.output
    problems = [line for line in result.output.splitlines() if line.startswith("  ! ")]
    assert len(problems) == 3, result.output
    assert any("desk-mail" in p and "MW_CHECK_SMTP_PASSWORD" in p for p in problems)
    assert any("hook" in p and "MW_CHECK_WEBHOOK_SECRET" in p for p in problems)
    # the listing has its own tags and no job names it; the disabled feed is no problem
    assert any("new-outlet" in p and "never be crawled" in p for p in problems)
    assert "old-outlet" not in result.output


def test_config_check_passes_and_prints_what_the_daemon_would_run_and_when(folder, monkeypatch):
    monkeypatch.setenv("MW_CHECK_SMTP_PASSWORD", "s3cret")
    monkeypatch.setenv("MW_CHECK_WEBHOOK_SECRET", "whsec_c2VjcmV0")
    text = SCHEDULES.replace("sources: [sitemap]", "sources: [sitemap, regional]")
    (folder / "schedules.yaml").write_text(text, encoding="utf-8")

    result = cli(folder, "config", "check")

    assert result.exit_code == 0, result.output
    assert "problems: none" in result.output
    lines = {line.split()[1]: line for line in result.output.splitlines() if line.startswith("  ")}
    assert "at start" in lines["feeds"] and "every 10m" in lines["feeds"]
    assert "new-outlet" in lines["sitemaps"]
    # the daily digest's first run is its next 07:00 in Karachi (02:00 UTC), not at start
    daily = lines["daily"]
    assert "cron 0 7 * * * Asia/Karachi" in daily
    (stamp,) = re.findall(r"\d{4}-\d\d-\d\dT02:00:00Z", daily)
    assert datetime.fromisoformat(stamp) > datetime.now(UTC)
    assert "immediate" in lines["bla-now"]
    assert "housekeeping" in result.output


def test_config_check_reports_a_broken_file_with_file_line_and_key(folder):
    (folder / "schedules.yaml").write_text(SCHEDULES.replace("every: 10m", "every: soon"))
    result = CliRunner().invoke(main, ["--config-dir", str(folder), "config", "check"])
    assert result.exit_code == 1
    assert re.search(r"schedules\.yaml:\d+: crawls\[0\]\.every", result.output), result.output


def test_status_warns_about_unpolled_sources_and_shows_whole_time_zones(folder):
    db.connect(folder.parent / "archive.db").conn.close()
    result = cli(folder, "status")
    assert result.exit_code == 0, result.output
    assert "new-outlet: enabled, but no crawl job in schedules.yaml selects it" in result.output
    assert "cron 0 7 * * * Asia/Karachi " in result.output  # not "Asia/Karach"
    report = json.loads(cli(folder, "status", "--json").output)
    assert report["unpolled_sources"] == ["new-outlet"]
    (daily,) = [s for s in report["subscriptions"] if s["name"] == "daily"]
    assert daily["next_run_at"].endswith("T02:00:00Z")  # its next 07:00 Karachi, not "now"


@pytest.mark.slow
def test_run_warns_at_start_and_on_reload(folder, tmp_path, caplog, monkeypatch):
    import os
    import subprocess
    import sys

    # start: `run --once` (the daemon's start, without a scheduler) logs both problems; no
    # crawl job here, so nothing tries to reach the outlets
    schedules = folder / "schedules.yaml"
    schedules.write_text(re.sub(r"crawls:\n(  - .*\n)+", "crawls: []\n", SCHEDULES))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MW_CHECK_")}
    once = subprocess.run(
        [
            sys.executable,
            "-m",
            "mediawatch.cli",
            "--config-dir",
            str(folder),
            "--db",
            str(tmp_path / "archive.db"),
            "run",
            "--once",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    start = once.stderr
    assert re.search(r"WARNING +new-outlet +enabled source is in no crawl job", start), start
    assert re.search(r"ERROR +desk-mail +channel desk-mail: .*MW_CHECK_SMTP_PASSWORD", start)
    assert re.search(r"ERROR +hook +channel hook: .*MW_CHECK_WEBHOOK_SECRET", start)

    # reload (what SIGHUP does): the fixed problems are gone from the log, the others stay
    caplog.set_level(logging.INFO, logger="mediawatch")
    daemon = Daemon(folder, tmp_path / "archive.db")
    try:
        monkeypatch.setenv("MW_CHECK_SMTP_PASSWORD", "s3cret")
        text = SCHEDULES.replace("sources: [sitemap]", "sources: [sitemap, regional]")
        schedules.write_text(text, encoding="utf-8")
        assert daemon.reload()
        reloaded = caplog.text
        assert "configuration reloaded" in reloaded
        assert "MW_CHECK_WEBHOOK_SECRET" in reloaded
        assert "MW_CHECK_SMTP_PASSWORD" not in reloaded and "never crawled" not in reloaded
    finally:
        daemon.cfg.discard()
        daemon._finish()

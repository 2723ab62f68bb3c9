"""Surge alerts on synthetic archives (a quiet baseline then a burst; a slow rise that must not
fire; a surge that ends; backfilled history), and the daemon raising one after a real crawl."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest
from alerts_helpers import NOW, add_article, schedules_from
from mediawatch.alerts.surges import evaluate, poisson_tail
from mediawatch.times import utc_iso

from mediawatch import db

SURGES = """
channels:
  outbox:
    type: file
    folder: {folder}
surges:
  - name: bla-surge
    topic: bla
    window: 6h
    baseline: 28d
    min_count: 5
    {rule}
    channels: [outbox]
"""


def _schedules(tmp_path, rule="ratio: 3", extra=""):
    text = SURGES.format(folder=tmp_path / "outbox", rule=rule) + extra
    return schedules_from(text, tmp_path)


def _iso(moment) -> str:
    return utc_iso(moment)


def _bla(archive, n: int, when, outlet="Dawn", title=None, **extra):
    add_article(
        archive,
        url=f"https://{outlet.lower()}.example/{n}",
        title=title or f"Report number {n} on the BLA in Balochistan province today",
        text=f"The BLA claimed attack number {n} in Balochistan, officials said on the day.",
        outlet=outlet,
        published_at=_iso(when),
        topics={"bla": "BLA"},
        **extra,
    )


def _quiet_baseline(archive, per_two_days=1):
    for day in range(2, 29, 2):  # one article every two days for four weeks
        for k in range(per_two_days):
            _bla(archive, 1000 + day * 10 + k, NOW - timedelta(days=day, hours=k))


def _alerts(tmp_path) -> list[dict]:
    folder = tmp_path / "outbox"
    return (
        [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
        if folder.exists()
        else []
    )


def _burst(archive, count, start=NOW - timedelta(hours=5)):
    for i in range(count):
        _bla(
            archive, i, start + timedelta(minutes=20 * i), outlet=["Dawn", "Geo", "Tribune"][i % 3]
        )


def test_quiet_baseline_then_burst_alerts_once_per_episode(tmp_path):
    archive = db.connect(tmp_path / "a.db")
    schedules = _schedules(tmp_path)
    _quiet_baseline(archive)
    # the same story from two outlets, so the alert groups it as digests do
    same = "Militants attack convoy of Chinese engineers near Gwadar port"
    _bla(archive, 900, NOW - timedelta(hours=1), outlet="Dawn", title=same)
    _bla(archive, 901, NOW - timedelta(hours=1), outlet="Geo", title=same)
    _burst(archive, 7)

    (event,) = evaluate(archive, schedules, NOW)
    assert event.state == "started" and event.count == 9
    assert event.usual == pytest.approx(14 * 6 / (28 * 24))
    (alert,) = _alerts(tmp_path)
    assert alert["type"] == "surge" and alert["state"] == "started" and alert["count"] == 9
    assert alert["usual"] == pytest.approx(0.125)
    titles = [s["title"] for s in alert["stories"]]
    assert titles.count(same) == 1  # two outlets' copies, one story
    assert len(alert["stories"]) == 5  # max_stories
    assert sum(alert["per_day"].values()) >= 9  # the chart's days
    eml = next((tmp_path / "outbox").glob("*.eml")).read_bytes()
    assert b"image/png" in eml and b"Surge: bla: 9 articles in 6 h" in eml

    # the next crawls while it lasts: no second alert
    _bla(archive, 950, NOW + timedelta(minutes=5))
    assert evaluate(archive, schedules, NOW + timedelta(minutes=10)) == []
    assert evaluate(archive, schedules, NOW + timedelta(minutes=40)) == []
    assert len(_alerts(tmp_path)) == 1
    (episode,) = archive.execute("SELECT * FROM surge_episodes").fetchall()
    assert episode is not None


def test_surge_that_ends_sends_one_alert_when_over(tmp_path):
    archive = db.connect(tmp_path / "a.db")
    schedules = _schedules(tmp_path)
    _quiet_baseline(archive)
    _burst(archive, 8)
    assert [e.state for e in evaluate(archive, schedules, NOW)] == ["started"]
    later = NOW + timedelta(hours=9)  # the burst has left the 6 h window
    (over,) = evaluate(archive, schedules, later)
    assert over.state == "over"
    assert evaluate(archive, schedules, later + timedelta(hours=1)) == []
    states = [a["state"] for a in _alerts(tmp_path)]
    assert sorted(states) == ["over", "started"]
    rows = archive.execute("SELECT started_at, ended_at FROM surge_episodes").fetchall()
    assert rows == [(_iso(NOW), _iso(later))]


def test_count_wavering_at_the_threshold_is_one_episode(tmp_path):
    archive = db.connect(tmp_path / "a.db")
    schedules = _schedules(tmp_path)
    _quiet_baseline(archive)
    _burst(archive, 5, start=NOW - timedelta(hours=5, minutes=50))
    assert [e.state for e in evaluate(archive, schedules, NOW)] == ["started"]
    # an hour on, the first article has left the window: 4, under min_count, above half of it
    assert evaluate(archive, schedules, NOW + timedelta(minutes=20)) == []
    _bla(archive, 60, NOW + timedelta(minutes=25))  # back to 5
    assert evaluate(archive, schedules, NOW + timedelta(minutes=30)) == []
    assert len(_alerts(tmp_path)) == 1


@pytest.mark.parametrize("rule", ["ratio: 3", "p: 0.001"])
def test_slow_rise_does_not_fire(tmp_path, rule):
    archive = db.connect(tmp_path / "a.db")
    schedules = _schedules(tmp_path, rule)
    n = 0
    for day in range(28, 0, -1):  # from 4 a day four weeks ago to 40 a day in the last 24 h
        per_day = 4 + round(36 * (28 - day) / 27)
        for k in range(per_day):
            n += 1
            _bla(archive, n, NOW - timedelta(days=day) + timedelta(hours=24 * k / per_day))
    # the last 6 h hold 10: twice the four weeks' average, three times the first week's
    assert evaluate(archive, schedules, NOW) == []
    assert _alerts(tmp_path) == []


def test_poisson_rule_fires_on_a_burst(tmp_path):
    archive = db.connect(tmp_path / "a.db")
    schedules = _schedules(tmp_path, "p: 0.001")
    _quiet_baseline(archive, per_two_days=3)
    _burst(archive, 6)
    (event,) = evaluate(archive, schedules, NOW)
    assert event.p_value == pytest.approx(poisson_tail(6, 42 * 6 / 672)) and event.p_value < 0.001


def test_backfilled_articles_count_toward_baseline_but_never_raise_a_surge(tmp_path):
    archive = db.connect(tmp_path / "a.db")
    schedules = _schedules(tmp_path)
    # a backfill brought a busy past and a burst of articles of the current window
    for i in range(20):
        _bla(archive, 5000 + i, NOW - timedelta(hours=5, minutes=-i), backfilled=1)
    assert evaluate(archive, schedules, NOW) == []
    # history says 20 a day is usual: 8 in 6 h is no surge
    for day in range(1, 29):
        for k in range(20):
            _bla(
                archive,
                100_000 + day * 100 + k,
                NOW - timedelta(days=day, minutes=k * 70),
                backfilled=1,
            )
    _burst(archive, 8)
    assert evaluate(archive, schedules, NOW) == []
    assert _alerts(tmp_path) == []


def test_per_outlet_surge_names_the_outlet(tmp_path):
    archive = db.connect(tmp_path / "a.db")
    schedules = _schedules(tmp_path, extra="    per_outlet: true\n")
    _quiet_baseline(archive)
    for i in range(6):
        _bla(archive, i, NOW - timedelta(hours=4, minutes=-i), outlet="Quetta Voice")
    _bla(archive, 77, NOW - timedelta(hours=1), outlet="Dawn")
    (event,) = evaluate(archive, schedules, NOW)
    assert event.key == "Quetta Voice"
    (alert,) = _alerts(tmp_path)
    assert (
        alert["outlet"] == "Quetta Voice"
        and "at Quetta Voice" in next((tmp_path / "outbox").glob("*.eml")).read_text()
    )


def test_bad_surge_config_names_file_line_and_key(tmp_path):
    from mediawatch.errors import ConfigError

    with pytest.raises(ConfigError, match=r"schedules.yaml:12: surges\[0\]\.p: must be a prob"):
        _schedules(tmp_path, "p: 2")


DAEMON_SCHEDULES = """
crawls:
  - name: reports
    sources: [myind-reports]
    every: 1h
channels:
  outbox:
    type: file
surges:
  - name: bla-surge
    topic: bla
    window: 6h
    baseline: 28d
    min_count: 1
    ratio: 2
    channels: [outbox]
"""


@pytest.mark.slow
def test_daemon_raises_a_surge_after_a_crawl(workspace):
    (workspace.config_dir / "schedules.yaml").write_text(DAEMON_SCHEDULES)
    done = workspace.run("run", "--once", timeout=300)
    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(workspace.db_path)
    episodes = conn.execute("SELECT surge, ended_at FROM surge_episodes").fetchall()
    assert episodes == [("bla-surge", None)]
    outbox = workspace.db_path.parent / "outbox"
    bodies = [json.loads(p.read_text()) for p in outbox.glob("*.json")]
    surges = [b for b in bodies if b.get("type") == "surge"]
    assert len(surges) == 1 and surges[0]["state"] == "started"
    assert "/myind/" in surges[0]["stories"][0]["url"]
    status = workspace.cli("status", check=True)
    assert "surges going on now:" in status.stdout and "bla-surge" in status.stdout
    # the canned query of past (and current) episodes, as Datasette runs it
    from mediawatch.db.queries import canned_queries

    sql = canned_queries()["surge_episodes"]["sql"]
    rows = conn.execute(sql, {"surge": ""}).fetchall()
    assert len(rows) == 1 and rows[0][0] == "bla-surge" and rows[0][3] is None


ENTITY_SURGE = """
surges:
  - name: bla-entity
    entity: Balochistan Liberation Army
    window: 6h
    baseline: 28d
    min_count: 3
"""


def test_entity_surge_from_the_command_line(tmp_path):
    from datetime import UTC, datetime

    from click.testing import CliRunner

    from mediawatch.cli import main

    (tmp_path / "schedules.yaml").write_text(ENTITY_SURGE)
    archive = db.connect(tmp_path / "db" / "a.db")
    now = datetime.now(UTC)
    for i in range(4):
        aid = db.store_article(
            archive,
            {
                "url": f"https://dawn.example/{i}",
                "source": "dawn",
                "outlet": "Dawn",
                "title": f"Attack number {i} claimed in Kalat district by the militants",
                "text": "The Balochistan Liberation Army claimed the attack.",
                "published_at": utc_iso(now - timedelta(hours=1, minutes=i)),
            },
        ).article_id
        entity = [{"name": "Balochistan Liberation Army", "type": "org", "count": 1}]
        topic = "bla" if i else "attack-other"  # counted by the entity, whatever the topic
        db.store_matches(archive, aid, [{"topic": topic, "score": 1.0, "entities": entity}])
    args = ["--config-dir", str(tmp_path), "--db", str(tmp_path / "db" / "a.db"), "surges"]
    first = CliRunner().invoke(main, args, catch_exceptions=False)
    assert first.exit_code == 0
    assert "bla-entity: surge started (4 articles in the window" in first.output
    again = CliRunner().invoke(main, args, catch_exceptions=False)
    assert "no surge started or ended" in again.output
    outbox = tmp_path / "db" / "outbox"
    (body,) = [json.loads(p.read_text()) for p in outbox.glob("*.json")]
    assert body["what"] == "Balochistan Liberation Army" and body["count"] == 4


@pytest.mark.slow
def test_crawl_command_raises_a_surge_too(workspace):
    (workspace.config_dir / "schedules.yaml").write_text(DAEMON_SCHEDULES)
    result = workspace.run("crawl", "myind-reports", check=True)
    assert "bla-surge: surge started (1 article in the window" in result.stdout, result.stdout
    again = workspace.run("crawl", "myind-reports", check=True)
    assert "surge" not in again.stdout

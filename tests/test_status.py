"""`mediawatch status`: what an operator checks first, from a real archive file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from mediawatch.db import deliveries
from mediawatch.times import utc_iso

from mediawatch import db

SCHEDULES = """
channels:
  mail:
    type: email
    host: 127.0.0.1
    port: 2525
    security: none
    from: "mediawatch <alerts@mediawatch.test>"
    to: [desk@example.org]
digests:
  - {name: daily, title: Daily coverage, topics: [balochistan], cron: "0 7 * * *", channels: [outbox, mail]}
  - {name: bla-alerts, topics: [bla], immediate: true, channels: [mail]}
ops:
  channels: [outbox]
  fail_after: 3
"""


def iso(delta: timedelta = timedelta(0)) -> str:
    return utc_iso(datetime.now(UTC) - delta)


def run(archive, source, status, errors=(), newest=None):
    run_id = db.start_run(archive, source)
    db.finish_run(
        archive,
        run_id,
        status=status,
        requests=2,
        new_articles=0,
        duplicates=0,
        error_messages=list(errors),
        newest_item_at=newest,
    )


def build_archive(ws):
    (ws.config_dir / "schedules.yaml").write_text(SCHEDULES, encoding="utf-8")
    archive = db.connect(ws.db_path)
    db.sync_sources(
        archive,
        [
            {"name": n, "kind": "feed", "url": "http://x", "outlet": n, "enabled": 1}
            for n in ("dawn-home", "tribune-balochistan", "bbc-urdu")
        ],
    )
    for _ in range(3):
        run(archive, "dawn-home", "failed", ["http://dawn/feed.xml: HTTP 503"])
    run(archive, "tribune-balochistan", "ok", newest=iso(timedelta(days=3)))
    run(archive, "bbc-urdu", "ok", newest=iso(timedelta(hours=1)))
    ids = []
    for i in range(2):
        ids.append(
            db.store_article(
                archive,
                {
                    "url": f"http://bbc/urdu/{i}",
                    "source": "bbc-urdu",
                    "outlet": "BBC Urdu",
                    "title": f"Story {i}",
                    "text": "Balochistan",
                    "published_at": iso(timedelta(hours=1)),
                    "fetched_at": iso(),
                },
            ).article_id
        )
    digest_id = deliveries.record_digest(
        archive,
        subscription="daily",
        kind="digest",
        key="k-daily",
        created_at=iso(timedelta(hours=2)),
        since=iso(timedelta(days=2)),
        items=[(ids[0], ["balochistan"], True)],
        stories=1,
        subject="[mediawatch] Daily coverage: 1 new story (balochistan)",
        message={},
        deliveries=[("outbox", "file", "k-out"), ("mail", "email", "k-mail")],
        next_attempt_at=iso(),
    )
    by_channel = {d["channel"]: d["id"] for d in deliveries.list_deliveries(archive)}
    deliveries.mark_sent(archive, by_channel["outbox"], iso())
    deliveries.mark_failed(archive, by_channel["mail"], "SMTP 550: mailbox unavailable")
    deliveries.record_digest(
        archive,
        subscription="bla-alerts",
        kind="digest",
        key="k-bla",
        created_at=iso(),
        since=iso(timedelta(days=1)),
        items=[(ids[1], ["bla"], True)],
        stories=1,
        subject="[mediawatch] BLA",
        message={},
        deliveries=[("mail", "email", "k-bla-mail")],
        next_attempt_at=iso(),
    )
    archive.conn.close()
    return digest_id


def test_status_marks_failing_and_stale_sources_and_shows_deliveries(workspace):
    build_archive(workspace)
    result = workspace.cli("status", "--json", check=True)
    report = json.loads(result.stdout)
    sources = {s["name"]: s for s in report["sources"]}

    dawn = sources["dawn-home"]
    assert dawn["failing"] and not dawn["stale"]
    assert dawn["consecutive_failures"] == 3 and "HTTP 503" in dawn["last_error"]
    tribune = sources["tribune-balochistan"]
    assert tribune["stale"] and not tribune["failing"]
    assert tribune["newest_item_age_hours"] > 48
    bbc = sources["bbc-urdu"]
    assert not bbc["stale"] and not bbc["failing"]
    assert bbc["new_articles_24h"] == 2 and bbc["last_run_at"]
    assert sources["sciencedaily"]["last_run_at"] is None

    subs = {s["name"]: s for s in report["subscriptions"]}
    assert subs["daily"]["last_digest_items"] == 1
    assert (subs["daily"]["pending"], subs["daily"]["failed"], subs["daily"]["sent"]) == (0, 1, 1)
    assert subs["daily"]["next_run_at"]
    assert subs["bla-alerts"]["when"] == "immediate" and subs["bla-alerts"]["pending"] == 1
    assert [d["error"] for d in report["failed_deliveries"]] == ["SMTP 550: mailbox unavailable"]
    assert report["daemon_pid"] is None

    text = workspace.cli("status", check=True).stdout
    lines = {line.split()[0]: line for line in text.splitlines() if line.strip()}
    assert lines["dawn-home"].endswith("failing")
    assert "! http://dawn/feed.xml: HTTP 503" in text
    assert lines["tribune-balochistan"].endswith("stale")
    assert lines["bbc-urdu"].endswith("ok")
    assert lines["sciencedaily"].endswith("never run")
    assert "daemon:  not running" in text
    assert "SMTP 550: mailbox unavailable" in text


def test_status_before_the_first_crawl(workspace):
    (workspace.config_dir / "schedules.yaml").write_text(SCHEDULES, encoding="utf-8")
    result = workspace.cli("status", check=True)
    assert "never run" in result.stdout
    assert not workspace.db_path.exists()  # status only reads


def test_housekeeping_prunes_old_runs_and_text_but_keeps_the_record(tmp_path):
    from mediawatch.db import health

    archive = db.connect(tmp_path / "a.db")
    old = iso(timedelta(days=400))
    ids = [
        db.store_article(
            archive,
            {
                "url": f"http://x/{name}",
                "source": "dawn-home",
                "outlet": "Dawn",
                "title": f"{name} report from Gwadar",
                "text": f"The {name} text mentions Turbat.",
                "published_at": when,
                "fetched_at": when,
            },
        ).article_id
        for name, when in (("old", old), ("new", iso()))
    ]
    db.store_matches(archive, ids[0], [{"topic": "balochistan", "score": 1.0}])
    with db.write(archive):
        archive["crawl_runs"].insert_all(
            [
                {"source": "dawn-home", "started_at": old, "status": "ok"},
                {"source": "dawn-home", "started_at": iso(), "status": "ok"},
                {"source": "dawn-home", "started_at": old, "status": "running", "pid": 1},
            ]
        )

    assert health.prune_crawl_runs(archive, iso(timedelta(days=90))) == 1
    assert health.drop_old_text(archive, iso(timedelta(days=365))) == 1
    health.optimize_fts(archive)

    rows = {r["id"]: r for r in archive["articles"].rows}
    assert rows[ids[0]]["text"] is None and rows[ids[0]]["title"] == "old report from Gwadar"
    assert rows[ids[1]]["text"] == "The new text mentions Turbat."
    assert [m["article_id"] for m in archive["matches"].rows] == [ids[0]]
    found = archive.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'Turbat'"
    ).fetchall()
    assert found == [(ids[1],)]
    assert archive.execute(
        "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'Gwadar'"
    ).fetchone() == (2,)
    statuses = sorted(r["status"] for r in archive["crawl_runs"].rows)
    assert statuses == ["ok", "running"]

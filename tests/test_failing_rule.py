"""One meaning of "failing": ops.fail_after failed runs in a row, in sources, status and Datasette."""

from __future__ import annotations

import json
import urllib.request

import pytest
from archive_helpers import serving
from click.testing import CliRunner
from mediawatch.times import utc_iso

from mediawatch import db
from mediawatch.cli import main

pytestmark = pytest.mark.slow

SOURCES = """
sources:
  - {name: once-failed, kind: feed, url: "http://127.0.0.1:9/a.xml"}
  - {name: twice-failed, kind: feed, url: "http://127.0.0.1:9/b.xml"}
"""
SCHEDULES = """
ops:
  channels: [outbox]
  fail_after: 2
"""


def failed_runs(archive, source: str, n: int) -> None:
    for _ in range(n):
        run = db.start_run(archive, source)
        db.finish_run(
            archive,
            run,
            status="failed",
            requests=1,
            new_articles=0,
            duplicates=0,
            error_messages=[f"http://127.0.0.1:9/{source}: connection refused"],
            newest_item_at=utc_iso(),
        )


def test_sources_status_and_the_canned_query_agree_on_failing(tmp_path):
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (conf / "schedules.yaml").write_text(SCHEDULES, encoding="utf-8")
    path = tmp_path / "archive.db"
    archive = db.connect(path)
    db.sync_sources(
        archive,
        [
            {"name": n, "kind": "feed", "url": "http://x", "outlet": n, "enabled": 1}
            for n in ("once-failed", "twice-failed")
        ],
    )
    failed_runs(archive, "once-failed", 1)
    failed_runs(archive, "twice-failed", 2)
    archive.conn.close()
    runner = CliRunner()
    args = ["--config-dir", str(conf), "--db", str(path)]

    listed = runner.invoke(main, [*args, "sources", "--json"])
    assert listed.exit_code == 0, listed.output
    assert {r["name"]: r["failing"] for r in json.loads(listed.stdout)} == {
        "once-failed": False,
        "twice-failed": True,
    }
    text = runner.invoke(main, [*args, "sources"]).stdout
    states = {line.split()[0]: line.split()[-1] for line in text.splitlines()[1:] if line[0] != " "}
    assert states == {"once-failed": "ok", "twice-failed": "failing"}

    status = runner.invoke(main, [*args, "status", "--json"])
    assert status.exit_code == 0, status.output
    report = {s["name"]: s["failing"] for s in json.loads(status.stdout)["sources"]}
    assert report == {"once-failed": False, "twice-failed": True}

    with serving(path, "--config-dir", str(conf)) as (base, _):
        url = f"{base}/mediawatch/sources_failing_or_stale.json?_shape=objects"
        with urllib.request.urlopen(url, timeout=30) as answer:
            rows = json.loads(answer.read())["rows"]
        assert {r["name"]: r["problem"] for r in rows} == {"twice-failed": "failing"}
        # the threshold is a field of the query's form, filled from the configuration when empty
        with urllib.request.urlopen(url + "&fail_after=1", timeout=30) as answer:
            rows = json.loads(answer.read())["rows"]
        assert {r["name"]: r["problem"] for r in rows} == {
            "once-failed": "failing",
            "twice-failed": "failing",
        }

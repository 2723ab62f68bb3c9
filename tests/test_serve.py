"""`mediawatch serve`: Datasette over the archive, answered over HTTP on loopback, read-only."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import pytest
from archive_helpers import SEED_TITLE, SEED_URL, build_archive, serving, settle
from mediawatch.db.queries import canned_queries


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("serve") / "archive.db"  # any file name: served as /mediawatch
    build_archive(path)
    before = settle(path)
    with serving(path) as (base, process):
        yield base, process, path
    assert settle(path) == before, "serving changed the archive file"


def get(base: str, path: str, **params: str) -> tuple[int, str]:
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def rows(base: str, query: str, **params: str) -> list[dict]:
    status, body = get(base, f"/mediawatch/{query}.json", _shape="objects", **params)
    assert status == 200, body
    answer = json.loads(body)
    assert answer.get("ok", True), answer
    return answer["rows"]


@pytest.mark.slow
def test_every_canned_query_in_the_metadata_is_served(server):
    base, _, _ = server
    status, body = get(base, "/mediawatch.json")
    assert status == 200
    served = {q["name"] for q in json.loads(body)["queries"]}
    assert (
        served
        == set(canned_queries())
        == {
            "latest_flagged",
            "coverage_per_topic_per_day",
            "coverage_per_outlet",
            "articles_mentioning_entity",
            "deliveries_of_subscription",
            "sources_failing_or_stale",
            "surge_episodes",
        }
    )


def test_latest_flagged_has_the_seed_for_each_of_its_topics(server):
    base, _, _ = server
    found = [r for r in rows(base, "latest_flagged") if r["url"] == SEED_URL]
    assert sorted(r["topic"] for r in found) == ["balochistan", "bla", "cpec"]
    assert all(r["title"] == SEED_TITLE and r["outlet"] == "Myind" for r in found)
    only_bla = rows(base, "latest_flagged", topic="bla")
    assert [(r["topic"], r["title"]) for r in only_bla] == [("bla", SEED_TITLE)]
    newest = rows(base, "latest_flagged", topic="balochistan", per_topic="1")
    assert [r["title"] for r in newest] == ["بلوچستان میں سکیورٹی آپریشن"]  # 11:00 beats 09:57


def test_coverage_per_topic_per_day(server):
    base, _, _ = server
    days = rows(base, "coverage_per_topic_per_day", since="2024-11-01")
    counts = {(r["day"], r["topic"]): r["articles"] for r in days}
    assert counts == {
        ("2024-11-20", "cpec"): 1,
        ("2024-11-21", "balochistan"): 2,
        ("2024-11-21", "bla"): 1,
        ("2024-11-21", "cpec"): 1,
    }
    assert {r["bar"] for r in days if r["articles"] == 2} == {"█" * 40}  # the busiest day
    assert {r["bar"] for r in days if r["articles"] == 1} == {"█" * 20}


def test_coverage_per_outlet(server):
    base, _, _ = server
    outlets = rows(base, "coverage_per_outlet", topic="balochistan")
    myind = next(r for r in outlets if r["outlet"] == "Myind")
    assert myind["articles"] == 1 and myind["latest"] == "2024-11-21T09:57:00Z"


def test_articles_mentioning_an_entity(server):
    base, _, _ = server
    found = rows(base, "articles_mentioning_entity", entity="balochistan liberation army")
    assert [(r["title"], r["url"], r["topic"]) for r in found] == [(SEED_TITLE, SEED_URL, "bla")]
    assert rows(base, "articles_mentioning_entity", entity="Nowhere") == []


def test_deliveries_of_a_subscription(server):
    base, _, _ = server
    sent = rows(base, "deliveries_of_subscription", subscription="security-desk")
    assert [(r["title"], r["url"], r["status"], r["channel"]) for r in sent] == [
        (SEED_TITLE, SEED_URL, "sent", "desk-email")
    ]
    assert sent[0]["at"] == "2024-11-21T10:30:05Z"


def test_sources_failing_or_stale(server):
    base, _, _ = server
    # one failed run is not "failing" yet (ops.fail_after, 3 in the shipped schedules.yaml) ...
    problems = {r["name"]: r for r in rows(base, "sources_failing_or_stale")}
    assert problems["geo"]["problem"] == "no items yet"
    assert problems["geo"]["consecutive_failures"] == 1
    # ... unless the form's fail_after says so
    problems = {r["name"]: r for r in rows(base, "sources_failing_or_stale", fail_after="1")}
    assert problems["geo"]["problem"] == "failing"
    assert problems["geo"]["last_error"] == "HTTP 503 from https://www.geo.tv/x.xml"
    assert problems["myind"]["problem"] == "no items yet"


def test_table_search_facets_and_descriptions(server):
    base, _, _ = server
    status, body = get(
        base, "/mediawatch/articles.json", _search='"military offensive"', _shape="objects"
    )
    assert status == 200
    answer = json.loads(body)
    assert [r["url"] for r in answer["rows"]] == [SEED_URL]
    assert {"source", "outlet", "language"} <= set(answer["facet_results"])
    status, body = get(base, "/mediawatch/matches.json")
    topics = json.loads(body)["facet_results"]["topic"]["results"]
    assert {t["value"]: t["count"] for t in topics} == {"balochistan": 3, "cpec": 2, "bla": 1}
    status, page = get(base, "/mediawatch/articles")
    assert "Canonical URL (tracking parameters and fragments removed)." in page
    assert 'name="_search"' in page


def test_urls_render_as_links(server):
    base, _, _ = server
    status, page = get(base, "/mediawatch/latest_flagged", topic="bla")
    assert status == 200
    assert f'<a href="{SEED_URL}">{SEED_URL}</a>' in page


def test_sql_that_writes_is_refused(server):
    base, _, path = server
    status, body = get(base, "/mediawatch.json", sql="DELETE FROM articles")
    assert status == 400
    count = rows(base, "articles", _search="offensive")
    assert [r["url"] for r in count] == [SEED_URL]


def test_listens_on_loopback_only_by_default(server):
    _, process, _ = server
    listening = {
        c.laddr.ip for c in psutil.Process(process.pid).net_connections() if c.status == "LISTEN"
    }
    assert listening == {"127.0.0.1"}


@pytest.mark.slow
def test_serving_a_missing_archive_is_one_line(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "mediawatch.cli", "--db", str(tmp_path / "none.db"), "serve"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip().endswith("no archive here yet (run a crawl first)")
    assert not Path(tmp_path / "none.db").exists()

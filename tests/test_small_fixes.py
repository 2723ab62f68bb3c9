"""Small things a user trips over: export as one JSON list, unknown search filters, entity ids in
the canned query, one ellipsis per cut in text digests, one message about `query --limit`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alerts_helpers import NOW, schedules_from
from archive_helpers import SEED_TITLE, build_archive
from click.testing import CliRunner
from mediawatch.db.queries import Reader, canned_queries, run_query
from mediawatch.scrapers.matching import find_topics, store_flags

from mediawatch import alerts, config, db
from mediawatch.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("small") / "mediawatch.db"
    build_archive(path)
    return path


def run(path: Path, *args: str):
    return CliRunner().invoke(main, ["--db", str(path), *args], catch_exceptions=False)


def test_export_as_one_json_list(archive):
    result = run(archive, "export", "--format", "json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert isinstance(items, list) and SEED_TITLE in [i["title"] for i in items]
    lines = run(archive, "export", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [i["id"] for i in items]


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [("--topic", "nosuch", "no topic named 'nosuch'"), ("--source", "nosuch", "'nosuch'")],
)
def test_search_with_an_unknown_topic_or_source_is_an_error(archive, option, value, says):
    result = run(archive, "search", "Balochistan", option, value)
    assert result.exit_code == 1
    assert says in result.stderr and result.stderr.startswith("error: ")
    assert "no articles match" not in result.stderr


def test_search_with_a_configured_topic_without_articles_is_just_empty(archive):
    # sistan-baluchestan is in the shipped watchlist but flagged nowhere in this archive
    result = run(
        archive, "--config-dir", str(ROOT), "search", "Balochistan", "--topic", "sistan-baluchestan"
    )
    assert result.exit_code == 0, result.output
    assert "no articles match" in result.stderr


def test_entity_query_takes_the_id_that_match_prints(tmp_path):
    path = tmp_path / "a.db"
    conn = db.connect(path)
    matcher = config.load_watchlist(ROOT)
    title = "Convoy attacked near Gwadar"
    text = "The Balochistan Liberation Army said it attacked a convoy near Gwadar in Balochistan."
    stored = db.store_article(
        conn, {"url": "http://x/1", "source": "s", "title": title, "text": text}
    )
    store_flags(conn, stored.article_id, find_topics(matcher, title, text))
    conn.conn.close()
    shown = CliRunner().invoke(main, ["--config-dir", str(ROOT), "match", "-"], input=text)
    assert "(entity bla)" in shown.output

    sql = canned_queries()["articles_mentioning_entity"]["sql"]
    with Reader(path) as reader:
        rows = list(run_query(reader, sql, {"entity": "bla"}).rows)
        by_name = list(run_query(reader, sql, {"entity": "Balochistan Liberation%"}).rows)
    assert rows and all(r[2] == title for r in rows)
    assert {r[5] for r in rows} == {"Balochistan Liberation Army"}
    assert len(by_name) == len(rows)


def test_a_cut_snippet_has_one_ellipsis_in_text_digests(tmp_path):
    conn = db.connect(tmp_path / "mediawatch.db")
    matcher = config.load_watchlist(ROOT)
    filler = " ".join(f"Word{i} of a long report about nothing much." for i in range(60))
    title = "Attack on convoy in Balochistan"
    middle = (
        "The Balochistan Liberation Army attacked a convoy near Gwadar in Balochistan on Monday,"
        " officials in Quetta said"
    )
    text = f"{filler} {middle} {filler}"
    stored = db.store_article(
        conn,
        {
            "url": "http://x/long",
            "source": "dawn",
            "outlet": "Dawn",
            "title": title,
            "text": text,
            "published_at": "2024-11-21T09:00:00Z",
            "fetched_at": "2024-11-21T09:00:00Z",
            "language": "en",
        },
    )
    flags = find_topics(matcher, title, text)
    store_flags(conn, stored.article_id, flags)
    snippets = [
        snip["text"]
        for (raw,) in conn.execute("SELECT snippets FROM matches")
        for snip in json.loads(raw)
    ]
    assert any(t.startswith("…") for t in snippets)  # the matcher marks the cut itself
    schedules = schedules_from(
        "digests:\n  - {name: desk, topics: [balochistan, bla], every: 24h}\n", tmp_path
    )
    message = alerts.run_digest(conn, schedules, "desk", NOW, dry_run=True).message
    assert "Gwadar" in message.text
    for doubled in ("... …", "… ...", "……", "&hellip; …"):
        assert doubled not in message.text and doubled not in message.html


def test_query_limit_says_one_thing(archive):
    cut = run(archive, "query", "SELECT id FROM articles ORDER BY id", "--limit", "2")
    assert cut.exit_code == 0
    assert cut.stderr.strip() == "(first 2 rows shown; raise --limit, or --limit 0 for all)"
    whole = run(archive, "query", "SELECT id FROM articles ORDER BY id", "--limit", "0")
    assert whole.stderr.strip() == "(5 rows)"
    assert "--limit" in run(archive, "query", "--help").stdout

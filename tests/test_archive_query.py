"""`mediawatch search`, `query` and `export` on a real archive file, through the real CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from archive_helpers import SEED_TITLE, SEED_URL, build_archive, settle
from click.testing import CliRunner

from mediawatch.cli import main


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("archive") / "mediawatch.db"
    build_archive(path)
    return path


def run(path: Path, *args: str):
    return CliRunner().invoke(main, ["--db", str(path), *args], catch_exceptions=False)


def titles(result) -> list[str]:
    assert result.exit_code == 0, result.output
    return [hit["title"] for hit in json.loads(result.stdout)]


# --- search ------------------------------------------------------------------------------


def test_search_ranks_the_seed_first_with_highlighted_snippets(archive):
    result = run(archive, "search", "Balochistan", "--json")
    hits = json.loads(result.stdout)
    assert [h["title"] for h in hits] == [
        SEED_TITLE,
        "Quetta traders protest power outages",
        "Gwadar port handles first transit cargo of the year",
    ]
    seed = hits[0]
    assert seed["url"] == SEED_URL
    assert seed["outlet"] == "Myind"
    assert seed["published_at"] == "2024-11-21T09:57:00Z"
    assert seed["topics"] == ["balochistan", "cpec", "bla"]
    assert "[Balochistan]" in seed["snippet"]
    assert seed["rank"] < hits[1]["rank"]  # bm25: lower is better


def test_search_in_the_terminal_shows_title_link_and_snippet(archive):
    result = run(archive, "search", "offensive")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f" 1. {SEED_TITLE}"
    assert "Myind · 2024-11-21 09:57 · balochistan, cpec, bla" in lines[1]
    assert lines[2].strip() == SEED_URL
    assert "[offensive]" in lines[3]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ('"port of Gwadar which"', [SEED_TITLE]),
        (
            "wheat OR cargo",
            [
                "Gwadar port handles first transit cargo of the year",
                "Wheat prices rise in Punjab markets",
            ],
        ),
        ("Gwadar NOT offensive", ["Gwadar port handles first transit cargo of the year"]),
        ("Quet*", [SEED_TITLE, "Quetta traders protest power outages"]),
        ("China-Pakistan corridor", [SEED_TITLE]),
        ("title:Quetta", ["Quetta traders protest power outages"]),
        ("بلوچستان", ["بلوچستان میں سکیورٹی آپریشن"]),
    ],
)
def test_search_expressions(archive, words, expected):
    assert sorted(titles(run(archive, "search", words, "--json"))) == sorted(expected)


def test_search_filters_by_topic_source_and_date(archive):
    everything = titles(run(archive, "search", "Balochistan OR Gwadar", "--json"))
    assert len(everything) == 3
    by_topic = titles(run(archive, "search", "Balochistan OR Gwadar", "--topic", "cpec", "--json"))
    assert sorted(by_topic) == sorted(
        [SEED_TITLE, "Gwadar port handles first transit cargo of the year"]
    )
    by_source = titles(
        run(archive, "search", "Balochistan OR Gwadar", "--source", "Myind", "--json")
    )
    assert by_source == [SEED_TITLE]
    since = titles(run(archive, "search", "Balochistan", "--since", "2024-11-01", "--json"))
    assert "Quetta traders protest power outages" not in since and SEED_TITLE in since
    limited = titles(run(archive, "search", "Balochistan", "--limit", "1", "--json"))
    assert limited == [SEED_TITLE]


def test_search_window_ranks_among_the_newest_matches(archive):
    everything = titles(run(archive, "search", "Balochistan", "--window", "0", "--json"))
    assert everything == titles(run(archive, "search", "Balochistan", "--json"))
    newest = titles(run(archive, "search", "Balochistan", "--window", "1", "--json"))
    assert newest == ["Quetta traders protest power outages"]  # stored last of the three


def test_search_as_csv(archive):
    result = run(archive, "search", "offensive", "--csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["url"] for r in rows] == [SEED_URL]
    assert rows[0]["topics"] == "balochistan;cpec;bla"


@pytest.mark.parametrize("words", ['"unclosed phrase', "AND OR", "NEAR(", "nosuchcolumn:word", ""])
def test_malformed_search_is_one_clear_line(archive, words):
    result = run(archive, "search", words)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: search: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_nothing_found_says_so(archive):
    result = run(archive, "search", "zeppelin")
    assert result.exit_code == 0
    assert "no articles match" in result.stderr


# --- query -------------------------------------------------------------------------------


def test_query_with_parameters_as_json_and_csv(archive):
    sql = "SELECT a.title, a.url FROM articles a JOIN matches m ON m.article_id = a.id WHERE m.topic = :topic ORDER BY a.id"
    result = run(archive, "query", sql, "--param", "topic=bla", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"title": SEED_TITLE, "url": SEED_URL}]
    result = run(archive, "query", sql, "--param", "topic=cpec", "--csv")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["title", "url"]
    assert rows[1] == [SEED_TITLE, SEED_URL]
    assert len(rows) == 3


def test_query_table_and_row_limit(archive):
    result = run(archive, "query", "SELECT id, outlet FROM articles ORDER BY id", "--limit", "2")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["id", "outlet"]
    assert lines[2].split() == ["1", "Myind"]
    assert len(lines) == 4  # header, rule, two rows
    assert "first 2 rows shown" in result.stderr


def test_query_missing_parameter_is_explained(archive):
    result = run(archive, "query", "SELECT * FROM articles WHERE source = :source")
    assert result.exit_code == 1
    assert ":source" in result.stderr and "--param" in result.stderr


def test_query_of_a_missing_archive(tmp_path):
    result = run(tmp_path / "none.db", "query", "SELECT 1")
    assert result.exit_code == 1
    assert "no archive here yet" in result.stderr
    assert not (tmp_path / "none.db").exists()


RUNAWAY = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "INSERT INTO sources (name) VALUES ('intruder')",
            "refused: the archive is opened read-only",
        ),
        ("UPDATE articles SET title = 'changed'", "refused: the archive is opened read-only"),
        ("DELETE FROM matches", "refused: the archive is opened read-only"),
        ("DROP TABLE articles", "refused: the archive is opened read-only"),
        ("CREATE TABLE notes (x)", "refused: the archive is opened read-only"),
        (
            "ATTACH DATABASE '{dir}/other.db' AS other",
            "refused: ATTACH, DETACH and VACUUM are not allowed",
        ),
        ("PRAGMA writable_schema = ON", "refused: PRAGMA writable_schema is not allowed"),
        ("PRAGMA query_only = OFF", "refused: PRAGMA query_only is not allowed"),
        ("PRAGMA journal_mode = DELETE", "refused: PRAGMA journal_mode is not allowed"),
        ("VACUUM", "refused: ATTACH, DETACH and VACUUM are not allowed"),
        ("VACUUM INTO '{dir}/other.db'", "refused: ATTACH, DETACH and VACUUM are not allowed"),
        (
            "INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')",
            "refused: the archive is opened read-only",
        ),
        (RUNAWAY, "query stopped after 0.5 s"),
    ],
)
def test_writes_and_runaways_leave_the_archive_byte_identical(tmp_path, sql, message):
    path = tmp_path / "mediawatch.db"
    build_archive(path)
    before = settle(path)
    result = run(path, "query", sql.format(dir=tmp_path), "--timeout", "0.5")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {message}"), result.stderr
    assert result.stderr.count("\n") == 1
    assert settle(path) == before
    assert not (tmp_path / "other.db").exists()
    count = run(path, "query", "SELECT count(*) AS n FROM articles", "--json")
    assert json.loads(count.stdout) == [{"n": 5}]


# --- export ------------------------------------------------------------------------------


def test_export_jsonl_streams_flagged_articles_with_topics_and_scores(archive):
    result = run(archive, "export", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    items = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(items) == 4  # the wheat-price article is not flagged
    seed = items[0]
    assert seed["url"] == SEED_URL and seed["title"] == SEED_TITLE
    assert {t["topic"]: t["score"] for t in seed["topics"]} == {
        "balochistan": 0.95,
        "cpec": 0.8,
        "bla": 0.7,
    }
    assert seed["authors"] == ["Myind Staff"]
    assert "exported 4 flagged articles" in result.stderr
    ndjson = run(archive, "export", "--format", "ndjson")
    assert ndjson.stdout == result.stdout


def test_export_filters_by_topic_and_dates(archive):
    def urls(*args):
        result = run(archive, "export", *args)
        assert result.exit_code == 0, result.output
        return [json.loads(line)["url"] for line in result.stdout.splitlines()]

    cpec = urls("--topic", "cpec")
    assert len(cpec) == 2 and SEED_URL in cpec
    assert len(urls("--since", "2024-11-20", "--until", "2024-11-20")) == 1  # the 20th, whole day
    assert len(urls("--since", "2024-11-21")) == 2  # the seed and the Urdu report
    assert urls("--until", "2024-10-31") == [u for u in urls() if "tribune" in u]


def test_export_csv_to_a_file(archive, tmp_path):
    target = tmp_path / "out" / "flagged.csv"
    result = run(archive, "export", "--format", "csv", "--topic", "bla", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    rows = list(csv.DictReader(target.open(encoding="utf-8", newline="")))
    assert len(rows) == 1
    assert rows[0]["url"] == SEED_URL
    assert rows[0]["topics"] == "bla" and rows[0]["scores"] == "0.7"
    assert rows[0]["text"].startswith("Pakistan's army has launched")
    assert [p.name for p in target.parent.iterdir()] == ["flagged.csv"]


def test_export_bad_date(archive):
    result = run(archive, "export", "--since", "last tuesday")
    assert result.exit_code == 1
    assert "not a date" in result.stderr

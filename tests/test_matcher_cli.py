"""`mediawatch match` and `mediawatch rematch`, as a user runs them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import invoke

from mediawatch import db
from mediawatch.cli import main

ROOT = Path(__file__).resolve().parent.parent

SMALL_WATCHLIST = """\
entities:
  quetta:
    name: Quetta
    type: place
    aliases: [Quetta, کوئٹہ]
    not_before: [Gladiators]
  bla:
    name: Balochistan Liberation Army
    type: organisation
    aliases: [Balochistan Liberation Army]
    acronyms: [{form: BLA, context: [Baloch*, Pakistan]}]
topics:
  balochistan:
    entities: [quetta]
    includes: [bla]
  bla:
    entities: [bla]
"""


@pytest.fixture
def config(tmp_path) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "watchlist.yaml").write_text(SMALL_WATCHLIST, encoding="utf-8")
    return folder


def run(config: Path, *args: str, input: str | None = None, db_path: Path | None = None):
    options = ["--config-dir", str(config)]
    if db_path is not None:
        options += ["--db", str(db_path)]
    return CliRunner().invoke(main, [*options, *args], input=input)


def test_match_explains_a_file(config, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text(
        "Blast near Quetta Gladiators' stadium\nThe BLA said it attacked a convoy in Pakistan.",
        encoding="utf-8",
    )
    result = run(config, "match", str(article))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "balochistan: FLAGGED" in out and "bla: FLAGGED" in out
    assert "flagged because it includes bla" in out
    assert "'Quetta'" in out and "right before 'Gladiators' (not_before)" in out
    assert "'BLA'" in out and "[BLA]" in out  # counted, and marked in the snippet


def test_match_reads_stdin_with_a_title_and_prints_json(config):
    result = run(config, "match", "-", "--title", "Nothing to see", "--json", input="bla bla bla")
    assert result.exit_code == 0, result.output
    explained = json.loads(result.output)
    assert explained["flagged"] == []
    bla = explained["topics"]["bla"]
    assert bla["flagged"] is False and bla["reason"] == "no term or rule counted"
    assert all("case differs" in miss["why"] for miss in bla["not_counted"])


def test_batch_writes_one_line_per_input_and_survives_bad_lines(config):
    lines = [
        json.dumps({"id": "a1", "title": "Quetta blast", "text": "A bomb exploded."}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": 7, "title": "", "text": "Nothing here."}),
        "",
        json.dumps({"id": "a3", "title": None, "text": "The Balochistan Liberation Army said"}),
        json.dumps({"id": "a4", "text": 12}),
    ]
    result = run(config, "match", "--batch", input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    # title 3, plus 1 as the whole (short) text is about it
    assert out[0] == {"id": "a1", "topics": {"balochistan": 4.0}}
    assert out[1]["id"] is None and out[1]["error"].startswith("line 2:")
    assert out[2]["error"] == "line 3: a line must be a JSON object"
    assert out[3] == {"id": 7, "topics": {}}
    assert out[4]["id"] == "a3" and set(out[4]["topics"]) == {"balochistan", "bla"}
    assert out[5] == {"id": "a4", "error": "line 7: title and text must be strings"}
    assert len(out) == 6  # the blank line gives no output


def test_batch_refuses_a_file(config, tmp_path):
    (tmp_path / "x.jsonl").write_text("{}\n", encoding="utf-8")
    result = run(config, "match", "--batch", str(tmp_path / "x.jsonl"))
    assert result.exit_code == 2 and "--batch reads stdin" in result.output


def test_a_broken_watchlist_is_one_located_error_line(config):
    (config / "watchlist.yaml").write_text(
        SMALL_WATCHLIST + "  cpec:\n    rules:\n      - all: [China, Pakistan]\n        near: -2\n",
        encoding="utf-8",
    )
    result = invoke("--config-dir", str(config), "match", "-", input="text")
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        "watchlist.yaml:21: topics.cpec.rules[0].near: must be a positive integer"
    )
    assert len(result.stderr.strip().splitlines()) == 1


def make_archive(path: Path) -> dict[str, int]:
    conn = db.connect(path)
    articles = {
        "quetta": ("Blast in Quetta", "A bomb went off.", "2025-03-01T10:00:00Z"),
        "bla": (
            "Train attack",
            "The Balochistan Liberation Army claimed it.",
            "2025-03-11T09:00:00Z",
        ),
        "other": ("Markets", "Stocks rose in Karachi.", "2024-12-01T08:00:00Z"),
        "gladiators": ("Cricket", "Quetta Gladiators won the final.", None),
    }
    ids = {}
    for key, (title, text, published) in articles.items():
        row = {"url": f"https://example.test/{key}", "source": "test", "title": title, "text": text}
        if published:
            row["published_at"] = published
        ids[key] = db.store_article(conn, row).article_id
    conn.conn.close()
    return ids


def flags(path: Path) -> set[tuple[int, str]]:
    conn = sqlite3.connect(path)
    try:
        return set(conn.execute("SELECT article_id, topic FROM matches"))
    finally:
        conn.close()


def test_rematch_flags_the_archive_and_reports_changes(config, tmp_path):
    archive = tmp_path / "archive.db"
    ids = make_archive(archive)

    result = run(config, "rematch", db_path=archive)
    assert result.exit_code == 0, result.output
    assert "Re-flagged 4 articles: 3 flags added, 0 removed." in result.output
    assert "balochistan: +2 -0" in result.output and "bla: +1 -0" in result.output
    # which articles changed, and how
    assert "Changed articles (2):" in result.output
    assert (
        f"  #{ids['quetta']} +balochistan  'Blast in Quetta'  https://example.test/quetta"
        in result.output
    )
    assert f"  #{ids['bla']} +balochistan +bla  'Train attack'" in result.output
    assert f"#{ids['gladiators']} " not in result.output
    assert flags(archive) == {
        (ids["quetta"], "balochistan"),
        (ids["bla"], "balochistan"),
        (ids["bla"], "bla"),
    }
    conn = sqlite3.connect(archive)
    stored = conn.execute(
        "SELECT score, entities, terms, snippets FROM matches WHERE article_id = ?", [ids["quetta"]]
    ).fetchone()
    conn.close()
    assert stored[0] == 4.0  # title 3 + 1 for a text all about it
    assert json.loads(stored[1])[0]["name"] == "Quetta"
    assert json.loads(stored[2]) == [{"term": "Quetta", "count": 1}]
    assert json.loads(stored[3])[0]["highlights"] == [[9, 15]]

    # Run again: nothing changes.
    result = run(config, "rematch", db_path=archive)
    assert "Re-flagged 4 articles: 0 flags added, 0 removed." in result.output

    # The analyst drops the BLA from the Balochistan topic and raises its bar.
    changed = SMALL_WATCHLIST.replace("    includes: [bla]\n", "    min_score: 2.5\n")
    (config / "watchlist.yaml").write_text(changed, encoding="utf-8")
    result = run(config, "rematch", "--since", "2025-03-05", db_path=archive)
    assert result.exit_code == 0, result.output
    # the BLA article, and the undated one (fetched today)
    assert (
        "Re-flagged 2 articles since 2025-03-05T00:00:00Z: 0 flags added, 1 removed."
        in result.output
    )
    assert f"  #{ids['bla']} -balochistan  'Train attack'" in result.output
    assert "Changed articles (1):" in result.output
    assert (ids["bla"], "balochistan") not in flags(archive)
    assert (ids["quetta"], "balochistan") in flags(archive)  # before --since: untouched

    # A title mention weighs 3: the Quetta article still reaches the new min_score of 2.5.
    result = run(config, "rematch", db_path=archive)
    assert "Re-flagged 4 articles: 0 flags added, 0 removed." in result.output
    assert flags(archive) == {(ids["quetta"], "balochistan"), (ids["bla"], "bla")}


def test_rematch_errors(config, tmp_path):
    result = run(config, "rematch", db_path=tmp_path / "none.db")
    assert result.exit_code == 1
    assert "no archive here yet" in result.output
    assert not (tmp_path / "none.db").exists()
    make_archive(tmp_path / "a.db")
    result = run(config, "rematch", "--since", "last tuesday", db_path=tmp_path / "a.db")
    assert result.exit_code == 2 and "use a date such as 2025-03-01" in result.output


def test_the_shipped_watchlist_through_the_batch_command():
    """The labelled set, the way the held-out set is checked: one process, JSON lines."""
    rows = [
        json.loads(line)
        for line in (ROOT / "tests" / "matcher_labelled.jsonl").read_text("utf-8").splitlines()
    ]
    config = ROOT  # the checkout's own watchlist.yaml
    payload = "".join(
        json.dumps({"id": r["id"], "title": r["title"], "text": r["text"]}) + "\n" for r in rows
    )
    result = invoke("--config-dir", str(config), "match", "--batch", input=payload)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [r["id"] for r in rows]
    wrong = [
        (r["id"], sorted(o["topics"]), r["topics"])
        for r, o in zip(rows, out, strict=True)
        if sorted(o["topics"]) != r["topics"]
    ]
    assert len(wrong) <= len(rows) // 20, wrong
    assert all(score > 0 for o in out for score in o["topics"].values())


def test_batch_survives_a_line_that_is_not_utf8(config):
    payload = (
        b'{"id": 1, "text": "Quetta"}\n'
        b'{"id": 2, "text": "\xff\xfe broken"}\n' + '{"id": 3, "text": "کوئٹہ"}\n'.encode()
    )
    result = CliRunner().invoke(
        main, ["--config-dir", str(config), "match", "--batch"], input=payload
    )
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout_bytes.decode("utf-8").splitlines()]
    assert out[0] == {"id": 1, "topics": {"balochistan": 3.0}}  # lead 2 + whole text 1
    assert out[1]["id"] is None and out[1]["error"].startswith("line 2:")
    assert out[2] == {"id": 3, "topics": {"balochistan": 3.0}}


def test_match_explains_salience_and_context_decisions():
    """The shipped watchlist, as an analyst checks a text: roles, context and coverage shown."""
    text = (
        "\nQUETTA, Mar 3 (APP): Rain is expected in Punjab, Sindh, Balochistan and Khyber"
        " Pakhtunkhwa. ضلع کیچ میں فائرنگ سے دو افراد ہلاک ہو گئے۔ Sui Southern Gas raised prices."
    )
    result = run(ROOT, "match", "-", input=text)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "+ 'QUETTA' (entity quetta) weight 0 (dateline: where the story was filed)" in out
    assert (
        "+ 'Balochistan' (entity balochistan) weight 0.5 (item of a list of 4"
        " (1 of them this topic's))" in out
    )
    assert "context 'ضلع' ('ضلع') found within 8 words" in out
    assert "- 'Sui' at " in out and "right before 'Southern Gas' (not_before)" in out
    assert "  salience: " in out and "words near a mention" in out


def test_match_gives_one_line_to_a_term_missed_many_times_for_one_reason():
    """An Urdu text has dozens of near misses of one function word: one line each, not dozens."""
    text = (
        "\nکوئٹہ میں دھماکے کی اطلاع ملی۔ پولیس کی ٹیم پہنچی اور زخمیوں کی مدد کی۔"
        " ضلعی انتظامیہ کی جانب سے ایمرجنسی نافذ کی گئی۔"
    )
    result = run(ROOT, "match", "-", input=text)
    assert result.exit_code == 0, result.output
    lines = [x for x in result.output.splitlines() if x.startswith("  - 'کی' at ")]
    assert lines, result.output  # once per topic that asks for Urdu, with how many more
    assert all(" and 5 more (group urdu-text): case differs" in x for x in lines), lines

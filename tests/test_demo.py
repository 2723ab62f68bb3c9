"""`mediawatch demo`: offline, no configuration, the whole pipeline once, and it says what it did."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys


def test_demo_crawls_flags_archives_and_writes_a_digest(tmp_path):
    archive = tmp_path / "demo.db"
    result = subprocess.run(
        [sys.executable, "-m", "mediawatch.cli", "demo", "--db", str(archive)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"sources\s+11 crawled, 11 ok, 0 failed", out), out
    stored = int(re.search(r"articles\s+(\d+) stored", out).group(1))
    conn = sqlite3.connect(archive)
    assert stored == conn.execute("SELECT count(*) FROM articles WHERE resolved = 1").fetchone()[0]
    seed = conn.execute(
        "SELECT id FROM articles WHERE title LIKE 'Pakistan launches military offensive%'"
    ).fetchone()
    topics = {r[0] for r in conn.execute("SELECT topic FROM matches WHERE article_id = ?", seed)}
    assert {"balochistan", "cpec", "bla"} <= topics
    assert re.search(r"flagged\s+.*bla: \d+", out)
    digests = [line.strip() for line in out.splitlines() if line.strip().endswith(".html")]
    assert digests, out
    html = (tmp_path / "outbox").glob("*daily*.html")
    page = next(html).read_text(encoding="utf-8")
    assert "Pakistan launches military offensive in Balochistan" in page
    # the cricket team named after Quetta is not news about Balochistan
    assert "Gladiators edge Kings" not in page


def test_demo_again_into_the_same_archive_counts_this_run_and_stores_nothing_new(tmp_path):
    import shlex

    from click.testing import CliRunner

    from mediawatch.cli import main

    archive = tmp_path / "demo.db"
    argv = [sys.executable, "-m", "mediawatch.cli", "demo", "--db", str(archive)]
    first = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    conn = sqlite3.connect(archive)
    stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    flagged = conn.execute("SELECT count(*) FROM matches").fetchone()[0]
    conn.close()

    again = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    out = again.stdout
    assert re.search(r"sources\s+11 crawled, 11 ok, 0 failed", out), out
    assert re.search(r"articles\s+0 stored \(\+0 Google News", out), out
    assert re.search(r"flagged\s+nothing new", out), out
    assert re.search(r"digests\s+0 built", out), out
    conn = sqlite3.connect(archive)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == stored
    assert conn.execute("SELECT count(*) FROM matches").fetchone()[0] == flagged
    conn.close()

    # the hint names the demo's configuration as well as its archive, and works as printed
    hint = next(line for line in out.splitlines() if line.startswith("next"))
    words = shlex.split(hint.split(None, 1)[1])
    assert words[0].endswith("mediawatch") and "--config-dir" in words and "--db" in words
    result = CliRunner().invoke(main, [*words[1:], "--json"])
    assert result.exit_code == 0, result.output
    assert "Balochistan" in result.stdout

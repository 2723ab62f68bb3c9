"""`mediawatch demo`: offline, no configuration, the whole pipeline once, and it says what it did."""

from __future__ import annotations

import re
import shlex
import shutil
import sqlite3

import pytest
from conftest import invoke

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def first_demo(tmp_path_factory):
    """One demo into a new archive (in this process: the demo runs its crawls in a subprocess),
    read by the first test and copied by the second."""
    work = tmp_path_factory.mktemp("demo")
    result = invoke("demo", "--db", str(work / "demo.db"))
    assert result.returncode == 0, result.stderr
    return work, result


def test_demo_crawls_flags_archives_and_writes_a_digest(first_demo):
    work, result = first_demo
    archive = work / "demo.db"
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
    html = (work / "outbox").glob("*daily*.html")
    page = next(html).read_text(encoding="utf-8")
    assert "Pakistan launches military offensive in Balochistan" in page
    # the cricket team named after Quetta is not news about Balochistan
    assert "Gladiators edge Kings" not in page


def test_demo_again_into_the_same_archive_counts_this_run_and_stores_nothing_new(
    first_demo, tmp_path
):
    # the first demo's folder (archive, outbox, its configuration and replay port), copied
    work = tmp_path / "demo"
    shutil.copytree(first_demo[0], work)
    archive = work / "demo.db"
    conn = sqlite3.connect(archive)
    stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    flagged = conn.execute("SELECT count(*) FROM matches").fetchone()[0]
    conn.close()

    again = invoke("demo", "--db", str(archive))
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
    result = invoke(*words[1:], "--json")
    assert result.returncode == 0, result.stderr
    assert "Balochistan" in result.stdout

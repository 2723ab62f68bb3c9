"""`mediawatch crawl` shows each source's progress while it runs, and no tracebacks without -v."""

from __future__ import annotations

import io

import pytest
from mediawatch.scrapers.progress import Board

OFFLINE = """
  - {name: gone-feed, kind: feed, outlet: Gone, url: "http://nowhere-one.invalid/feed.xml"}
  - {name: gone-sitemap, kind: sitemap, outlet: Gone, url: "http://nowhere-two.invalid/sitemap.xml"}
"""


@pytest.mark.slow
def test_crawl_prints_one_line_per_source_and_no_tracebacks(workspace):
    ws = workspace
    with (ws.config_dir / "sources.yaml").open("a", encoding="utf-8") as fh:
        fh.write(OFFLINE)
    result = ws.run("crawl", "dawn-home", "gone-feed", "gone-sitemap")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    # not a terminal: one line per source as it finishes, nothing else
    assert sorted(line.split()[0] for line in lines) == ["dawn-home", "gone-feed", "gone-sitemap"]
    rows = {line.split()[0]: line.split() for line in lines}
    dawn = rows["dawn-home"]
    assert dawn[1] == "done" and int(dawn[2]) >= 2 and dawn[3] == "pages"
    assert int(dawn[4]) == len(ws.rows("SELECT 1 FROM articles WHERE source = 'dawn-home'")) > 0
    assert rows["gone-feed"][1] == "failed" and rows["gone-feed"][6:8] == ["1", "errors"]
    # the summary on stdout still names each source's errors
    assert "nowhere-one.invalid/feed.xml: DNS lookup failed" in result.stdout

    verbose = ws.run("crawl", "gone-feed", "-v")
    assert "[scrapy" in verbose.stderr  # Scrapy's own log is there for whoever asks


@pytest.mark.slow
def test_json_output_has_no_progress_lines(workspace):
    result = workspace.run("crawl", "tribune-balochistan", "--json", check=True)
    assert " pages " not in result.stderr and "tribune-balochistan" not in result.stderr


def test_on_a_terminal_the_table_is_redrawn_in_place():
    out = io.StringIO()
    board = Board(out, live=True)
    first = board.add("dawn-home")
    board.add("bbc-urdu")
    first.state, first.pages, first.stored = "running", 4, 2
    board.draw()
    first.state = "done"
    board.draw()
    text = out.getvalue()
    assert text.count("\x1b[2F") == 1  # the second drawing moved up over the first
    last = text.rsplit("\x1b[2F", 1)[1]
    assert "dawn-home" in last and "done" in last and "4 pages" in last and "2 stored" in last
    assert "bbc-urdu" in last and "waiting" in last

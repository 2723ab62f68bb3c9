"""Opaque Google News links resolved through the replay site's two Google endpoints.

The replay site plays Google: /gnewsr/rss/articles/<token> carries the signature and timestamp,
/gnewsr/batchexecute answers a correct `garturlreq` with the publisher URL (tests/site/_behaviour.json),
/gnewsr/limited/batchexecute answers 429, /gnewsr/changed/batchexecute in an unknown shape.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import TEST_SOURCES, Workspace, write_config

from mediawatch.errors import ConfigError
from mediawatch.sources import parse_sources
from mediawatch.yamlfile import parse_yaml

QUETTA = "/gnewsr/outlet/quetta-water-tankers"
GWADAR = "/gnewsr/outlet/gwadar-fishermen-protest"
TOKENS = {
    "CBMiAU_yqLTestQuettaWaterTanker001": QUETTA,
    "CBMiAU_yqLTestGwadarFishermen0002": GWADAR,
    "CBMiAU_yqLTestNoSuchArticle00003": None,  # Google has no article page for it
}


def gnews_source(batchexecute: str = "batchexecute", budget: int = 20) -> str:
    return (
        "  - {name: gnews-makran, kind: gnews, query: 'Makran when:1d', tags: [testonly],"
        ' endpoint: "{{base}}/gnewsr/search.xml",'
        ' resolve: {article_page: "{{base}}/gnewsr/rss/articles/",'
        f' batchexecute: "{{{{base}}}}/gnewsr/{batchexecute}", interval: 0s, budget: {budget}}}}}\n'
    )


def make_workspace(tmp_path: Path, site, **kwargs) -> Workspace:
    folder = write_config(tmp_path / "config", site.base, TEST_SOURCES + gnews_source(**kwargs))
    return Workspace(folder, tmp_path / "archive.db", site)


def reconfigure(ws: Workspace, **kwargs) -> None:
    write_config(ws.config_dir, ws.site.base, TEST_SOURCES + gnews_source(**kwargs))


def states(ws: Workspace) -> dict[str, str]:
    return {r["token"]: r["state"] for r in ws.rows("SELECT token, state FROM gnews_links")}


def gnews_status(ws: Workspace) -> dict:
    out = json.loads(ws.cli("status", "--json", check=True).stdout)
    return next(r for r in out["sources"] if r["name"] == "gnews-makran")["google_news_links"]


def google_requests(ws: Workspace) -> list[tuple[str, str]]:
    return [
        (method, path.split("?")[0])
        for method, path, _ in ws.site.log.entries
        if path.startswith("/gnewsr/rss/articles/") or path.endswith("/batchexecute")
    ]


@pytest.mark.slow
def test_opaque_links_resolve_to_their_articles_once(tmp_path, replay_site):
    ws = make_workspace(tmp_path, replay_site)
    replay_site.log.clear()
    result = ws.run("crawl", "gnews-makran", check=True)
    assert "gnews-makran" in result.stdout

    for path in (QUETTA, GWADAR):
        page = ws.rows("SELECT * FROM articles WHERE url = ?", [replay_site.url(path)])
        assert page and page[0]["resolved"] == 1, path
        assert page[0]["outlet"] == "Coast Herald"
        assert len(page[0]["text"]) > 200  # the publisher's page, not the feed's title
    items = {
        r["url"].split("/")[-1].split("?")[0]: r
        for r in ws.rows("SELECT * FROM articles WHERE resolved = 0")
    }
    assert set(items) == set(TOKENS)
    for token, path in TOKENS.items():
        if path:  # the Google News item points at the article it was resolved to
            target = ws.rows("SELECT id FROM articles WHERE url = ?", [replay_site.url(path)])
            assert items[token]["same_as"] == target[0]["id"]
        else:
            assert items[token]["same_as"] is None
    assert states(ws) == {
        "CBMiAU_yqLTestQuettaWaterTanker001": "resolved",
        "CBMiAU_yqLTestGwadarFishermen0002": "resolved",
        "CBMiAU_yqLTestNoSuchArticle00003": "failed",
    }
    assert ("POST", "/gnewsr/batchexecute") in google_requests(ws)
    assert ws.runs("gnews-makran")[-1]["status"] == "ok"
    assert gnews_status(ws) == {"resolved": 2, "pending": 0, "failed": 1}
    text = ws.cli("status", check=True).stdout
    assert "google news links: 2 resolved, 0 pending, 1 failed" in text

    # next run: resolved tokens come from the archive, only the failed one is asked again
    replay_site.log.clear()
    ws.run("crawl", "gnews-makran", check=True)
    asked = google_requests(ws)
    assert asked == [("GET", "/gnewsr/rss/articles/CBMiAU_yqLTestNoSuchArticle00003")]
    fetched = [p for _, p, _ in replay_site.log.entries]
    assert not any(p.startswith("/gnewsr/outlet/") for p in fetched)  # already archived
    assert len(ws.rows("SELECT 1 FROM articles WHERE resolved = 1")) == 2


@pytest.mark.slow
def test_a_rate_limited_google_leaves_items_unresolved_until_a_later_run(tmp_path, replay_site):
    ws = make_workspace(tmp_path, replay_site, batchexecute="limited/batchexecute")
    replay_site.log.clear()
    ws.run("crawl", "gnews-makran", check=True)
    assert ws.runs("gnews-makran")[-1]["status"] == "ok"
    assert len(ws.rows("SELECT 1 FROM articles WHERE resolved = 0")) == 3
    assert not ws.rows("SELECT 1 FROM articles WHERE resolved = 1")
    # the first resolution is refused with 429: no more are tried in this run
    posts = [p for m, p in google_requests(ws) if m == "POST"]
    assert posts and set(posts) == {"/gnewsr/limited/batchexecute"}
    assert gnews_status(ws) == {"resolved": 0, "pending": 2, "failed": 1}
    failed = ws.rows("SELECT last_error FROM gnews_links WHERE state = 'failed'")
    assert "HTTP 429" in failed[0]["last_error"]

    # Google answers again: the backlog within the look-back is resolved on the next run
    reconfigure(ws)
    ws.run("crawl", "gnews-makran", check=True)
    assert gnews_status(ws) == {"resolved": 2, "pending": 0, "failed": 1}
    assert len(ws.rows("SELECT 1 FROM articles WHERE resolved = 1")) == 2


@pytest.mark.slow
def test_a_changed_answer_shape_degrades_to_unresolved(tmp_path, replay_site):
    ws = make_workspace(tmp_path, replay_site, batchexecute="changed/batchexecute")
    ws.run("crawl", "gnews-makran", check=True)
    assert ws.runs("gnews-makran")[-1]["status"] == "ok"
    assert len(ws.rows("SELECT 1 FROM articles WHERE resolved = 0")) == 3
    assert not ws.rows("SELECT 1 FROM articles WHERE resolved = 1")
    errors = [r["last_error"] for r in ws.rows("SELECT last_error FROM gnews_links")]
    assert errors.count("batchexecute answer holds no publisher URL") == 2


@pytest.mark.slow
def test_the_budget_leaves_the_rest_pending_for_the_next_run(tmp_path, replay_site):
    ws = make_workspace(tmp_path, replay_site, budget=1)
    ws.run("crawl", "gnews-makran", check=True)
    assert gnews_status(ws) == {"resolved": 1, "pending": 2, "failed": 0}
    ws.run("crawl", "gnews-makran", check=True)
    assert gnews_status(ws) == {"resolved": 2, "pending": 1, "failed": 0}


@pytest.mark.parametrize(
    ("source", "where"),
    [
        ("{name: a, kind: feed, url: 'http://x.test/f', resolve: {budget: 3}}", "resolve"),
        ("{name: a, kind: gnews, query: q, resolve: {every: 3s}}", "resolve.every"),
        (
            "{name: a, kind: gnews, query: q, resolve: {batchexecute: 'ftp://x'}}",
            "resolve.batchexecute",
        ),
    ],
)
def test_resolve_settings_are_checked_with_file_and_line(source, where):
    text = f"sources:\n  - {{name: b, kind: feed, url: 'http://x.test/'}}\n  - {source}\n"
    doc = parse_yaml(text, Path("sources.yaml"))
    with pytest.raises(ConfigError) as caught:
        parse_sources(doc)
    assert f"sources.yaml:3: sources[1].{where}" in str(caught.value)

"""One crawl fetches one article once, however many sources lead to it; the same outlet's text
under two URLs is stored once, the second URL kept as an alias."""

from __future__ import annotations

import pytest
from conftest import TEST_SOURCES, Workspace, write_config

pytestmark = pytest.mark.slow

SEED_PATH = (
    "/myind/Home/viewArticle/"
    "pakistan-launches-military-offensive-in-balochistan-amid-mounting-chinese-pressure"
)
REDIRECTS = (
    '  - {name: short-links, kind: feed, outlet: Shortener, url: "{{base}}/twin/redirects.xml"}\n'
)
TWIN = '  - {name: twin-pages, kind: feed, outlet: Twin Times, url: "{{base}}/twin/feed.xml"}\n'


def test_an_article_several_sources_lead_to_is_fetched_once_per_crawl(workspace):
    ws = workspace
    ws.site.log.clear()
    # the Myind listing, the Google News search, GDELT and a feed linking it with tracking parameters
    ws.run("crawl", "myind-reports", "gnews-balochistan", "gdelt-balochistan", "mixed-bag")
    seed_gets = [p for m, p, _ in ws.site.log.entries if m == "GET" and p.startswith(SEED_PATH)]
    assert len(seed_gets) == 1, seed_gets
    (seed,) = ws.rows("SELECT id, url FROM articles WHERE url LIKE ?", [f"%{SEED_PATH}"])
    aliases = {
        r["url"] for r in ws.rows("SELECT url FROM fetched_urls WHERE article_id = ?", [seed["id"]])
    }
    assert seed["url"] in aliases
    # nobody recorded the skipped copies as errors
    for source in ("myind-reports", "gnews-balochistan", "gdelt-balochistan"):
        assert not [e for e in ws.runs(source)[-1]["error_messages"] if SEED_PATH in e]


def test_a_redirect_to_an_article_another_source_links_is_fetched_once(tmp_path, replay_site):
    folder = write_config(tmp_path / "config", replay_site.base, TEST_SOURCES + REDIRECTS)
    ws = Workspace(folder, tmp_path / "archive.db", replay_site)
    ws.site.log.clear()
    ws.run("crawl", "short-links", "myind-reports", check=True)
    seed_gets = [p for m, p, _ in ws.site.log.entries if m == "GET" and p.startswith(SEED_PATH)]
    assert len(seed_gets) == 1, seed_gets
    assert len(ws.rows("SELECT 1 FROM articles WHERE url LIKE ?", [f"%{SEED_PATH}"])) == 1


def test_the_same_text_under_two_urls_of_one_outlet_is_stored_once(tmp_path, replay_site):
    folder = write_config(tmp_path / "config", replay_site.base, TEST_SOURCES + TWIN)
    ws = Workspace(folder, tmp_path / "archive.db", replay_site)
    ws.run("crawl", "twin-pages", check=True)
    stored = ws.rows("SELECT id, url FROM articles WHERE source = 'twin-pages'")
    assert len(stored) == 1, stored
    urls = {
        r["url"]
        for r in ws.rows("SELECT url FROM fetched_urls WHERE article_id = ?", [stored[0]["id"]])
    }
    assert {
        ws.site.url("/twin/gwadar-fishermen-protest"),
        ws.site.url("/twin/amp/gwadar-fishermen-protest"),
    } <= urls
    (run,) = ws.runs("twin-pages")
    assert (run["new_articles"], run["duplicates"]) == (1, 1)

"""Scrapy really crawls the replay site into a real SQLite file; we check what is stored and recorded."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.slow

SEED_PATH = (
    "/myind/Home/viewArticle/"
    "pakistan-launches-military-offensive-in-balochistan-amid-mounting-chinese-pressure"
)
SEED_TITLE = "Pakistan launches military offensive in Balochistan amid mounting Chinese pressure"


def article(ws, path):
    rows = ws.rows("SELECT * FROM articles WHERE url = ?", [ws.site.url(path)])
    assert rows, (
        f"{path} not stored; stored: {[r['url'] for r in ws.rows('SELECT url FROM articles')]}"
    )
    return rows[0]


def test_every_kind_of_source_lands_in_the_archive(crawled):
    ws = crawled
    seed = article(ws, SEED_PATH)
    assert seed["title"] == SEED_TITLE
    assert "Balochistan Liberation Army (BLA)" in seed["text"]
    assert "Comments235" not in seed["text"]
    assert json.loads(seed["authors"]) == ["Myind Staff"]
    # the listing and the Google News search both lead to the seed and run side by side:
    # whichever reaches it first stores it, and the outlet is Myind either way
    assert seed["source"] in {"myind-reports", "gnews-balochistan"}
    assert seed["outlet"] == "Myind"
    assert seed["published_at"].endswith("Z") and seed["fetched_at"].endswith("Z")
    assert seed["language"] == "en"

    # RSS 2.0 item with tracking parameters: stored under the clean canonical URL
    gwadar = article(ws, "/dawn/news/1870001/gwadar-port-handles-first-cpec-transit-cargo")
    assert gwadar["title"] == "Gwadar port handles first transit cargo under CPEC this year"
    assert "utm_" not in gwadar["url"]
    # Atom 1.0, Google News sitemap, listing with pagination, RSS 1.0, Atom 0.3, JSON Feed
    assert article(ws, "/tribune/story/2500100/levies-personnel-martyred-in-kech-attack")
    assert article(ws, "/thenews/latest/1250001-convoy-of-chinese-engineers-attacked-near-dasu")
    assert article(ws, "/tbp/2026/11/byc-holds-rally-in-turbat")
    assert article(ws, "/tbp/2026/11/water-shortage-hits-panjgur")
    assert article(ws, "/aljazeera/news/2026/11/protests-in-zahedan")
    assert article(ws, "/sciencedaily/2026/11/resistance-genes-in-river-water")
    assert (
        article(ws, "/diplomat/2026/11/cpec-second-phase-slow-start")["authors"]
        == '["Umair Jamal"]'
    )
    # Urdu page that declares no language
    urdu = article(ws, "/bbcurdu/articles/c1abc2345")
    assert urdu["language"] == "ur"
    assert "بلوچستان" in urdu["title"]


def test_sitemap_look_back_keeps_old_archives_uncrawled(crawled):
    fetched = [path for _, path, _ in crawled.first_log]
    assert not any("2019-old-story" in p for p in fetched)
    assert not crawled.rows("SELECT 1 FROM articles WHERE url LIKE '%2019-old-story%'")


def test_google_news_items_are_stored_unresolved_and_linked_to_the_story(crawled):
    ws = crawled
    items = ws.rows("SELECT * FROM articles WHERE resolved = 0 ORDER BY id")
    by_outlet = {r["outlet"]: r for r in items}
    assert set(by_outlet) == {"DAWN.COM", "Geo News"}
    dawn = by_outlet["DAWN.COM"]
    assert dawn["title"] == "Gwadar port handles first transit cargo under CPEC this year"
    assert dawn["url"].startswith("https://news.google.com/rss/articles/")
    gwadar = article(ws, "/dawn/news/1870001/gwadar-port-handles-first-cpec-transit-cargo")
    assert dawn["same_as"] == gwadar["id"]
    # the Geo story arrives later through GDELT and is linked then
    geo = article(ws, "/geo/latest/balochistan-assembly-passes-budget")
    assert by_outlet["Geo News"]["same_as"] == geo["id"]
    # the old self-contained link form is decoded offline: the seed is not stored twice
    assert len(ws.rows("SELECT 1 FROM articles WHERE title = ?", [SEED_TITLE])) == 1


def test_gdelt_seendate_is_not_taken_for_the_publication_time(crawled):
    geo = article(crawled, "/geo/latest/balochistan-assembly-passes-budget")
    meta = json.loads(geo["meta"])
    # the replay site answers with a seendate 5 hours before the crawl
    seen = datetime.fromisoformat(meta["seen_at"].replace("Z", "+00:00"))
    assert timedelta(hours=4) < datetime.now(UTC) - seen < timedelta(hours=6)
    assert geo["published_at"] != meta["seen_at"]
    assert geo["outlet"] == "geo.tv"
    # the Dasu story came from the sitemap first: GDELT's copy is not fetched again
    run = crawled.runs("gdelt-balochistan")[-1]
    assert run["status"] == "ok" and run["new_articles"] == 1


def test_every_run_is_recorded_with_health(crawled):
    runs = crawled.rows("SELECT source, status, requests, new_articles FROM crawl_runs")
    assert runs and all(r["status"] == "ok" for r in runs), runs
    sources = {r["name"]: r for r in crawled.rows("SELECT * FROM sources")}
    assert sources["dawn-home"]["consecutive_failures"] == 0
    assert sources["dawn-home"]["newest_item_at"] is not None
    assert json.loads(sources["dawn-home"]["validators"])  # ETag kept for the next conditional GET


def test_second_run_fetches_no_article_page_and_feeds_answer_304(workspace):
    ws = workspace
    ws.run("crawl", "dawn-home", "tribune-balochistan", "thenews-sitemap", check=True)
    first = ws.rows("SELECT count(*) AS n FROM articles")[0]["n"]
    ws.site.log.clear()
    ws.run("crawl", "dawn-home", "tribune-balochistan", "thenews-sitemap", check=True)
    log = list(ws.site.log.entries)
    article_fetches = [p for _, p, _ in log if "/news/" in p or "/story/" in p or "/latest/" in p]
    assert article_fetches == []
    feeds = [(p, s) for _, p, s in log if p.endswith(".xml")]
    assert feeds and all(status == 304 for _, status in feeds), feeds
    assert ws.rows("SELECT count(*) AS n FROM articles")[0]["n"] == first
    last = ws.runs("dawn-home")[-1]
    assert last["status"] == "ok" and last["new_articles"] == 0


def test_page_errors_are_recorded_and_never_stop_the_crawl(workspace):
    ws = workspace
    result = ws.run("crawl", "mixed-bag", "broken-feed", "missing-feed")
    assert result.returncode == 0, result.stderr
    run = ws.runs("mixed-bag")[-1]
    assert run["status"] == "ok"
    errors = "\n".join(run["error_messages"])
    assert "/mixed/missing-article: HTTP 404" in errors
    assert "huge-page" in errors and "size limit" in errors
    assert "report.pdf: not an HTML page (application/pdf)" in errors
    assert "/mixed/bomb" in errors
    assert "169.254.169.254" in errors and "link-local" in errors
    assert "secret-article" in errors and "robots.txt" in errors
    fetched = [p for _, p, _ in ws.site.log.entries]
    assert "/private/secret-article" not in fetched
    assert not any("old-item" in p for p in fetched)
    # the seed came in under a tracking URL and is stored once, under its canonical URL
    seed = ws.rows("SELECT url FROM articles")
    assert [r["url"] for r in seed] == [ws.site.url(SEED_PATH)]

    broken = ws.runs("broken-feed")[-1]
    assert broken["status"] == "failed" and "not a readable feed" in broken["error_messages"][0]
    missing = ws.runs("missing-feed")[-1]
    assert missing["status"] == "failed" and "HTTP 404" in missing["error_messages"][0]
    health = {r["name"]: r for r in ws.rows("SELECT * FROM sources")}
    assert health["missing-feed"]["consecutive_failures"] == 1
    assert "HTTP 404" in health["missing-feed"]["last_error"]

    # the same URL in another source is not downloaded again
    ws.site.log.clear()
    ws.run("crawl", "myind-reports", check=True)
    assert not any(SEED_PATH in p for _, p, _ in ws.site.log.entries)


def test_entity_bombs_cost_bounded_memory_and_read_no_file(workspace):
    ws = workspace
    result = ws.run("crawl", "bombs", timeout=120)
    assert result.returncode in (0, 1), result.stderr
    for source in ("billion-laughs", "xxe", "quadratic"):
        assert ws.runs(source), f"{source} has no recorded run"
    for row in ws.rows("SELECT title, text FROM articles"):
        assert "root:" not in (row["title"] or "") + (row["text"] or "")
    fetched = [p for _, p, _ in ws.site.log.entries]
    xxe_runs = ws.runs("xxe")[-1]
    assert "root:x:0:0" not in json.dumps(xxe_runs)
    assert not any(p.startswith("/bomb/never") and "lol" in p for p in fetched)


def _localhost_sources(base: str, allow_loopback: bool) -> str:
    port = base.rsplit(":", 1)[1]
    return (
        "crawler:\n"
        f"  allow_loopback: {str(allow_loopback).lower()}\n"
        "  download_delay: 0\n"
        "  autothrottle: false\n"
        "sources:\n"
        "  - {name: by-name, kind: feed, outlet: Dawn,"
        f" url: 'http://localhost:{port}/dawn/feeds/home.xml'}}\n"
    )


def test_a_host_name_is_judged_by_the_address_it_resolves_to(workspace):
    """The check happens in the resolver the connection uses, so a name cannot resolve to a public
    address for the check and to a private one for the download (DNS rebinding)."""
    ws = workspace
    sources = ws.config_dir / "sources.yaml"
    sources.write_text(_localhost_sources(ws.site.base, allow_loopback=False), encoding="utf-8")
    ws.site.log.clear()
    result = ws.run("crawl", "by-name")
    assert result.returncode == 1, result.stderr
    (run,) = ws.runs("by-name")
    assert run["status"] == "failed"
    assert any(
        "refused http://localhost:" in e and "127.0.0.1 is a loopback address" in e
        for e in run["error_messages"]
    ), run["error_messages"]
    assert not [p for _, p, _ in ws.site.log.entries if p.startswith("/dawn/")]

    # allowed, the same name resolves through the same resolver and the feed is read
    sources.write_text(_localhost_sources(ws.site.base, allow_loopback=True), encoding="utf-8")
    ws.run("crawl", "by-name", check=True)
    assert ws.runs("by-name")[-1]["status"] == "ok"
    assert ws.rows("SELECT count(*) AS n FROM articles WHERE source = 'by-name'")[0]["n"] > 0


def test_sitemap_index_with_gzipped_child(workspace):
    ws = workspace
    ws.site.log.clear()
    ws.run("crawl", "sitemap-index", check=True)
    fetched = [p for _, p, _ in ws.site.log.entries]
    assert "/sitemaps/news-1.xml.gz" in fetched
    assert "/sitemaps/archive-2019.xml" not in fetched
    assert article(ws, "/tbp/2026/11/water-shortage-hits-panjgur")


def test_retry_after_is_honoured(workspace):
    ws = workspace
    ws.site.log.clear()
    ws.run("crawl", "busy-outlet", check=True)
    statuses = [s for _, p, s in ws.site.log.entries if p == "/retry/feed.xml"]
    assert statuses[:2] == [429, 200]
    assert article(ws, "/tbp/2026/11/water-shortage-hits-panjgur")


def test_invalid_sources_yaml_names_file_line_and_key(workspace):
    path = workspace.config_dir / "sources.yaml"
    text = path.read_text().replace("kind: sitemap", "kind: sitemapp", 1)
    path.write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "sitemapp" in t)
    result = workspace.run("crawl", "--all")
    assert result.returncode == 1
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("error: ")
    assert f"sources.yaml:{line}: sources[2].kind: must be one of" in message
    assert "Traceback" not in result.stderr


def test_unknown_source_name_is_a_clear_error(workspace):
    result = workspace.run("crawl", "no-such-source")
    assert result.returncode == 1
    assert "no source or tag named 'no-such-source'" in result.stderr


def flags(ws, path) -> set[str]:
    art = article(ws, path)
    return {
        r["topic"] for r in ws.rows("SELECT topic FROM matches WHERE article_id = ?", [art["id"]])
    }


def test_ingest_flags_the_seed_with_all_three_topics(crawled):
    assert {"balochistan", "cpec", "bla"} <= flags(crawled, SEED_PATH)
    seed = article(crawled, SEED_PATH)
    row = crawled.rows(
        "SELECT score, terms, snippets FROM matches WHERE article_id = ? AND topic = 'bla'",
        [seed["id"]],
    )[0]
    assert row["score"] > 0
    snippet = json.loads(row["snippets"])[0]
    assert snippet["highlights"], snippet


def test_ingest_flags_on_extracted_text_not_page_chrome(crawled):
    # Balochistan, Gwadar and CPEC appear only in this page's "related stories" box
    assert flags(crawled, "/dawn/news/1870003/karachi-traffic-plan") == set()
    # confusers: a cricket team named after Quetta, beta-lactamase genes
    assert flags(crawled, "/dawn/news/1870002/gladiators-edge-kings-in-last-over-thriller") == set()
    assert flags(crawled, "/sciencedaily/2026/11/resistance-genes-in-river-water") == set()
    assert flags(crawled, "/aljazeera/news/2026/11/protests-in-zahedan") == {"sistan-baluchestan"}
    assert {"balochistan", "bla"} <= flags(crawled, "/bbcurdu/articles/c1abc2345")
    assert "cpec" in flags(
        crawled, "/dawn/news/1870001/gwadar-port-handles-first-cpec-transit-cargo"
    )


def test_invalid_selector_is_refused_at_start(workspace):
    path = workspace.config_dir / "sources.yaml"
    text = path.read_text().replace('links: "h2.entry-title a"', 'links: "h2.entry-title a[["', 1)
    path.write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "a[[" in t)
    result = workspace.run("crawl", "tbp-balochistan")
    assert result.returncode == 1
    assert f"sources.yaml:{line}: sources[3].links: invalid selector" in result.stderr


def test_sources_command_shows_health_and_marks_stale_and_failing(workspace):
    ws = workspace
    ws.run("crawl", "dawn-home", "missing-feed", "broken-feed", check=False)
    # an outlet whose newest item is older than stale_after (2 h here) is marked stale
    path = ws.config_dir / "sources.yaml"
    path.write_text(
        path.read_text().replace(
            'url: "' + ws.site.base + '/dawn/feeds/home.xml",',
            'url: "' + ws.site.base + '/dawn/feeds/home.xml", stale_after: 30m,',
        )
    )
    result = ws.cli("sources", "--json", check=True)
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows["dawn-home"]["stale"] is True
    assert rows["dawn-home"]["newest_item_age_hours"] >= 0.9
    assert rows["dawn-home"]["consecutive_failures"] == 0
    assert rows["missing-feed"]["consecutive_failures"] == 1
    assert "HTTP 404" in rows["missing-feed"]["last_error"]
    assert rows["tribune-balochistan"]["last_run_at"] is None
    # one failed run is not "failing" yet: ops.fail_after (3 here) runs in a row are, as in status
    assert rows["missing-feed"]["failing"] is False
    table = ws.cli("sources", check=True).stdout
    assert "! " in table and "HTTP 404" in table  # the error is shown all the same
    assert any(line.startswith("dawn-home") and "stale" in line for line in table.splitlines())
    schedules = ws.config_dir / "schedules.yaml"
    schedules.write_text(schedules.read_text().replace("fail_after: 3", "fail_after: 1"))
    table = ws.cli("sources", check=True).stdout
    assert any(line.startswith("missing-feed") and "failing" in line for line in table.splitlines())


def test_search_shows_a_linked_google_news_item_once(crawled):
    result = crawled.cli("search", "Gwadar transit cargo", "--json", check=True)
    hits = json.loads(result.stdout)
    titles = [h["title"] for h in hits]
    assert titles.count("Gwadar port handles first transit cargo under CPEC this year") == 1
    assert "news.google.com" not in json.dumps(hits)


def test_a_page_the_archive_cannot_take_fails_the_run_and_is_stored_next_time(workspace):
    """A trigger refusing inserts stands in for any storage failure (disk full, locked, ...):
    the run is failed, the exit status says so, and once the archive takes writes again the
    next crawl stores what was refused, although the feed has not changed (no 304 shortcut)."""
    import sqlite3

    ws = workspace
    ws.run("crawl", "tribune-balochistan", check=True)  # creates the archive and its health rows
    conn = sqlite3.connect(ws.db_path)
    conn.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON articles BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
    )
    conn.commit()
    conn.close()
    result = ws.run("crawl", "dawn-home", "tribune-balochistan")
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1, result.stdout
    run = ws.runs("dawn-home")[-1]
    assert run["status"] == "failed" and run["new_articles"] == 0
    assert any("could not store" in e and "disk says no" in e for e in run["error_messages"])
    assert ws.runs("tribune-balochistan")[-1]["status"] == "ok"  # nothing to store: fine
    health = {r["name"]: r for r in ws.rows("SELECT * FROM sources")}
    assert health["dawn-home"]["consecutive_failures"] == 1
    assert len(ws.rows("SELECT 1 FROM articles")) == 1  # the stored article is untouched

    conn = sqlite3.connect(ws.db_path)
    conn.execute("DROP TRIGGER refuse")
    conn.commit()
    conn.close()
    ws.run("crawl", "dawn-home", check=True)
    stored = [r["url"] for r in ws.rows("SELECT url FROM articles WHERE source = 'dawn-home'")]
    assert sorted(u.rsplit("/", 1)[1] for u in stored) == [
        "gladiators-edge-kings-in-last-over-thriller",
        "gwadar-port-handles-first-cpec-transit-cargo",
        "karachi-traffic-plan",
    ]
    assert ws.runs("dawn-home")[-1]["status"] == "ok"
    assert not ws.rows("SELECT * FROM crawl_backlog")

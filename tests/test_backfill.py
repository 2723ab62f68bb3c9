"""Backfill on the replay site: dated sitemap indexes, a GDELT window answer, a Google News day
search and an Internet Archive CDX listing with its raw captures; resumable; never news."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from conftest import TEST_SOURCES, Workspace, write_config

HISTORY_SOURCES = """
  - {name: history-sitemap, kind: sitemap, outlet: History Times, url: "{{base}}/history/sitemap_index.xml", tags: [history]}
  - {name: history-gdelt, kind: gdelt, query: '"Balochistan Liberation Army"', endpoint: "{{base}}/history/gdelt-window.json", tags: [history-search]}
  - {name: history-gnews, kind: gnews, query: BLA, endpoint: "{{base}}/history/gnews-day.xml", tags: [history-search]}
  - {name: broken-gdelt, kind: gdelt, query: BLA, endpoint: "{{base}}/history/no-such-api", tags: [broken-history]}
  - {name: oldsite-wayback, kind: wayback, outlet: Old Site, url: "https://oldsite.example/", patterns: ["oldsite.example/2024/*"], endpoint: "{{base}}/wayback/cdx.json", tags: [history]}
"""


@pytest.fixture
def history(tmp_path, replay_site) -> Workspace:
    folder = write_config(tmp_path / "config", replay_site.base, TEST_SOURCES + HISTORY_SOURCES)
    return Workspace(folder, tmp_path / "archive.db", replay_site)


def _paths(site) -> list[str]:
    return [p.split("?")[0] for p in site.log.paths()]


@pytest.fixture(scope="module")
def november(tmp_path_factory, replay_site):
    """One backfill of history-sitemap for November into a new archive: (workspace, the command's
    result, the paths it requested). Read-only; a test that writes works on a copy."""
    base = tmp_path_factory.mktemp("november")
    folder = write_config(base / "config", replay_site.base, TEST_SOURCES + HISTORY_SOURCES)
    ws = Workspace(folder, base / "archive.db", replay_site)
    replay_site.log.clear()
    out = ws.run("backfill", "--from", "2024-11-01", "--to", "2024-11-30", "history-sitemap")
    return ws, out, _paths(replay_site)


@pytest.mark.slow
def test_sitemap_backfill_takes_the_period_only(november):
    history, out, paths = november
    assert out.returncode == 0, out.stderr
    stored = {r["url"].rsplit("/", 1)[-1]: r for r in history.rows("SELECT * FROM articles")}
    assert set(stored) == {
        "gwadar-convoy-attack.html",
        "quetta-railway-station-blast.html",
        "kalat-checkpost-attack.html",
        "undated-in-named-sitemap.html",
    }
    assert all(r["backfilled"] == 1 for r in stored.values())
    # a sitemap named for October, and one last changed before November, are never read
    assert "/history/post-sitemap-2024-10.xml" not in paths
    assert "/history/news-sitemap-old.xml" not in paths
    assert not any("october-story" in p or "december-story" in p for p in paths)
    # a URL listed by two sitemaps is fetched once; nothing is requested twice
    assert [p for p, n in Counter(paths).items() if n > 1] == []
    assert "articles stored 4" in out.stderr  # the progress line


@pytest.mark.slow
def test_backfilled_articles_are_never_news(november, tmp_path):
    history, out, _ = november
    assert out.returncode == 0, out.stderr
    history = history.copy(tmp_path / "copy")  # the digest below writes
    flagged = history.rows(
        "SELECT DISTINCT a.url FROM matches m JOIN articles a ON a.id = m.article_id "
        "WHERE m.topic = 'bla'"
    )
    assert len(flagged) == 4  # flagged like any article
    since = ["--since", "2024-10-01"]
    dry = history.cli("digest", "bla-alerts", "--dry-run", *since)
    assert "nothing new" in dry.stdout, dry.stdout
    period = history.cli(
        "digest", "bla-alerts", "--from", "2024-11-01", "--to", "2024-11-30", "--dry-run"
    )
    assert period.returncode == 0, period.stderr
    assert "4 articles" in period.stdout, period.stdout
    # sending the period digest leaves the subscription's news untouched
    sent = history.cli("digest", "bla-alerts", "--from", "2024-11-01", "--to", "2024-11-30")
    assert sent.returncode == 0, sent.stderr
    delivered = history.rows("SELECT * FROM digest_items WHERE subscription = 'bla-alerts'")
    assert delivered == []


@pytest.mark.slow
def test_interrupted_backfill_resumes_without_fetching_twice(history):
    site = history.site
    site.log.clear()
    first = history.run(
        "backfill",
        "--from",
        "2024-11-01",
        "--to",
        "2024-11-30",
        "history-sitemap",
        "--max-pages",
        "2",
    )
    assert first.returncode == 0, first.stderr
    assert len(history.rows("SELECT id FROM articles")) == 2
    second = history.run(
        "backfill", "--from", "2024-11-01", "--to", "2024-11-30", "history-sitemap"
    )
    assert second.returncode == 0, second.stderr
    assert len(history.rows("SELECT id FROM articles")) == 4
    paths = _paths(site)
    assert [p for p, n in Counter(paths).items() if n > 1 and p != "/robots.txt"] == []
    # a third run finds the job finished: no sitemap, no page
    site.log.clear()
    history.run(
        "backfill", "--from", "2024-11-01", "--to", "2024-11-30", "history-sitemap", check=True
    )
    assert [p for p in _paths(site) if p != "/robots.txt"] == []


@pytest.mark.slow
def test_wayback_source_stores_archived_copies_under_the_original_url(history):
    site = history.site
    site.log.clear()
    out = history.run("backfill", "--from", "2024-11-01", "--to", "2024-11-30", "oldsite-wayback")
    assert out.returncode == 0, out.stderr
    rows = history.rows("SELECT url, outlet, meta, backfilled FROM articles ORDER BY url")
    assert [r["url"] for r in rows] == [
        "https://oldsite.example/2024/11/03/hub-dam-protest.html",
        "https://oldsite.example/2024/11/17/pasni-fishermen.html",
    ]
    meta = json.loads(rows[0]["meta"])
    assert meta["archived_at"] == "2024-11-03T18:00:00Z"  # the later capture of the two
    assert "/web/20241103180000id_/" in meta["fetched_from"]
    assert {r["outlet"] for r in rows} == {"Old Site"}
    cdx = [p for p in site.log.paths() if p.startswith("/wayback/cdx")]
    assert len(cdx) == 1 and "from=20241101000000" in cdx[0] and "to=20241201000000" in cdx[0]
    assert not any("before-the-period" in p for p in site.log.paths())


@pytest.mark.slow
def test_wayback_source_in_a_normal_crawl_lists_its_lookback(history):
    text = (history.config_dir / "sources.yaml").read_text()
    text = text.replace("tags: [history]}\n", "tags: [history], lookback: 36500d}\n")
    (history.config_dir / "sources.yaml").write_text(text)
    history.run("crawl", "--no-alerts", "oldsite-wayback", check=True)
    rows = history.rows("SELECT url, backfilled FROM articles ORDER BY url")
    assert [r["url"].rsplit("/", 1)[-1] for r in rows] == [
        "hub-dam-protest.html",
        "pasni-fishermen.html",
    ]
    assert {r["backfilled"] for r in rows} == {0}  # a crawl brings news, not history
    # the October capture is within this source's look-back too, but the archive lost its copy
    (run,) = history.runs("oldsite-wayback")
    assert any("before-the-period.html: HTTP 404" in e for e in run["error_messages"])


@pytest.mark.slow
def test_search_sources_by_gdelt_window_and_gnews_day(history):
    site = history.site
    site.log.clear()
    out = history.run(
        "backfill", "--from", "2024-11-14", "--to", "2024-11-15", "history-search", timeout=300
    )
    assert out.returncode == 0, out.stderr
    api = [p for p in site.log.paths() if p.startswith("/history/gdelt-window")]
    assert len(api) == 2  # one window per day, each under the record cap
    assert "STARTDATETIME=20241114000000" in api[0] and "ENDDATETIME=20241115000000" in api[0]
    assert "timespan" not in api[0]
    days = [p for p in site.log.paths() if p.startswith("/history/gnews-day")]
    assert len(days) == 2
    assert any("after%3A2024-11-14+before%3A2024-11-15" in p for p in days)
    urls = {r["url"].rsplit("/", 1)[-1] for r in history.rows("SELECT url FROM articles")}
    assert urls == {"bla-mastung.html", "cpec-workers.html", "noshki-bus-attack.html"}
    assert _paths(site).count("/history/gnews/noshki-bus-attack.html") == 1


def _slow_outlet(folder, pages: int) -> None:
    """An outlet of `pages` articles in one November sitemap, each page answering slowly."""
    (folder / "slow").mkdir(parents=True)
    rules, urls = {}, []
    for n in range(pages):
        path = f"/slow/news/2024/11/{1 + n % 28:02d}/story-{n}.html"
        page = folder / path.lstrip("/")
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(
            f"<html><head><title>Story {n} from Quetta</title></head><body><article>"
            f"<h1>Story {n} from Quetta</h1><p>Report number {n}: officials in Quetta met "
            f"traders and farmers of the district number {n} to discuss the water supply "
            "and the roads of the province over the coming season.</p></article></body></html>"
        )
        rules[path] = {"delay": 0.3}
        urls.append(
            f"<url><loc>{{{{base}}}}{path}</loc><lastmod>2024-11-{1 + n % 28:02d}</lastmod></url>"
        )
    (folder / "slow" / "sitemap-2024-11.xml").write_text(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + "".join(urls) + "</urlset>"
    )
    (folder / "_behaviour.json").write_text(json.dumps(rules))


@pytest.mark.slow
def test_killed_backfill_continues_where_it_stopped(tmp_path):
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    from mediawatch.replay import ReplaySite

    # 60 pages: a graceful stop still fetches what the engine already handed to the downloader
    # (up to CONCURRENT_REQUESTS = 16), so the Ctrl-C must leave well over that still to fetch.
    _slow_outlet(tmp_path / "site", 60)
    with ReplaySite([tmp_path / "site"]) as site:
        extra = f'  - {{name: slow, kind: sitemap, url: "{site.base}/slow/sitemap-2024-11.xml"}}\n'
        ws = Workspace(write_config(tmp_path / "config", site.base, extra), tmp_path / "a.db", site)
        env = {**os.environ, "MEDIAWATCH_CONFIG_DIR": str(ws.config_dir)}
        env["MEDIAWATCH_DB"] = str(ws.db_path)
        args = [sys.executable, "-m", "mediawatch.cli", "backfill", "slow"]
        args += ["--from", "2024-11-01", "--to", "2024-11-30"]
        child = subprocess.Popen(args, env=env, cwd=ws.config_dir, stderr=subprocess.PIPE)

        def stored() -> int:
            if not ws.db_path.exists():
                return 0
            conn = sqlite3.connect(ws.db_path, timeout=30)
            try:
                return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            except sqlite3.OperationalError:
                return 0
            finally:
                conn.close()

        deadline = time.monotonic() + 120
        while stored() < 4 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.1)
        child.send_signal(signal.SIGINT)  # Ctrl-C
        child.communicate(timeout=120)
        first = stored()
        assert 4 <= first < 60
        again = ws.run("backfill", "slow", "--from", "2024-11-01", "--to", "2024-11-30")
        assert again.returncode == 0, again.stderr
        assert stored() == 60
        twice = [p for p, n in Counter(site.log.paths()).items() if n > 1 and p != "/robots.txt"]
        assert twice == []


def test_gdelt_window_at_the_record_cap_is_asked_again_in_halves(tmp_path):
    """A window whose answer fills the cap may have lost articles: it is split, not followed."""
    import asyncio

    from mediawatch.db import backfill as queue_db
    from mediawatch.scrapers.backfill import GdeltBackfill, Period
    from mediawatch.scrapers.sources import Source
    from scrapy.http import TextResponse
    from scrapy.utils.test import get_crawler

    source = Source(
        name="g",
        kind="gdelt",
        outlet="g",
        url="http://127.0.0.1:9/api?query=BLA&mode=ArtList&format=json&maxrecords=2&timespan=24h",
    )
    settings = {
        "MEDIAWATCH_DB_PATH": str(tmp_path / "a.db"),
        "EXTENSIONS": {"mediawatch.scrapers.archive.ArchiveConnection": 0},
    }
    spider = GdeltBackfill.from_crawler(
        get_crawler(GdeltBackfill, settings),
        source=source,
        period=Period.of_days("2024-11-14", "2024-11-14"),
    )
    ((url, meta),) = spider.windows(*spider.bounds())
    queue_db.queue(spider.archive, spider.job, [(url, "doc", meta)])
    answer = {"articles": [{"url": f"https://x.example/{i}", "title": "t"} for i in range(2)]}
    response = TextResponse(
        url=url,
        body=json.dumps(answer).encode(),
        encoding="utf-8",
        request=spider.doc_request(url, meta),
    )

    async def collect():
        return [r async for r in spider.parse_doc(response)]

    (following,) = asyncio.run(collect())  # the next API call only, no article page
    assert "STARTDATETIME=20241114000000" in following.url
    assert "ENDDATETIME=20241114120000" in following.url
    halves = queue_db.pending(spider.archive, spider.job, "doc")
    assert [m for _, m in halves] == [
        {"start": "2024-11-14T00:00:00Z", "end": "2024-11-14T12:00:00Z"},
        {"start": "2024-11-14T12:00:00Z", "end": "2024-11-15T00:00:00Z"},
    ]


@pytest.mark.slow
def test_failed_gdelt_window_stays_queued_and_the_rest_go_on(history):
    site = history.site
    site.log.clear()
    out = history.run("backfill", "--from", "2024-11-14", "--to", "2024-11-15", "broken-gdelt")
    assert out.returncode == 1  # its only source failed
    calls = [p for p in site.log.paths() if p.startswith("/history/no-such-api")]
    assert len(calls) == 2  # the second window was still asked after the first failed
    pending = history.rows("SELECT url FROM backfill_queue WHERE state = 'pending'")
    assert len(pending) == 2  # both wait for the next run
    (run,) = history.runs("broken-gdelt")
    assert run["status"] == "failed" and "HTTP 404" in run["error_messages"][0]

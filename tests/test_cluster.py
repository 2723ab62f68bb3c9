"""Cluster mode with real parts: redis-server on loopback, the replay site, `mediawatch run` (the
scheduler and archive writer) and `mediawatch worker` processes. Nothing here measures speed; the
only time figure checked is the spacing between requests, read from the replay site's log."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cluster_helpers import Workers, redis_clean, redis_server  # noqa: F401 - fixtures
from conftest import TEST_SOURCES, write_config
from daemon_helpers import DaemonRun, cli_env

pytestmark = pytest.mark.slow

SOURCES = [
    "dawn-home",
    "tribune-balochistan",
    "thenews-sitemap",
    "tbp-balochistan",
    "myind-reports",
    "bbc-urdu",
    "diplomat-south-asia",
    "aljazeera-all",
    "sciencedaily",
]
WAIT = 300.0  # generous: a loaded 2-core machine


def schedules(url: str, every: str = "1h", sources: list[str] = SOURCES) -> str:
    names = ", ".join(sources)
    return f"cluster: {{redis: '{url}'}}\ncrawls:\n  - {{name: news, sources: [{names}], every: {every}}}\n"


@pytest.fixture(scope="session")
def expected(tmp_path_factory, replay_site) -> set[str]:
    """What one machine stores from the same sources: the oracle for the cluster."""
    base = tmp_path_factory.mktemp("single")
    folder = write_config(base / "config", replay_site.base)
    db_path = base / "archive.db"
    subprocess.run(
        [sys.executable, "-m", "mediawatch.cli", "crawl", "--no-alerts", *SOURCES],
        env=cli_env(folder, db_path),
        check=True,
        capture_output=True,
        timeout=300,
    )
    urls = {r[0] for r in sqlite3.connect(db_path).execute("SELECT url FROM articles")}
    assert len(urls) >= 10
    return urls


class Cluster:
    def __init__(
        self,
        tmp: Path,
        site,
        redis,
        every: str = "1h",
        delay: float | None = None,
        sources=SOURCES,
        extra_sources: str = "",
    ):
        self.site, self.redis = site, redis
        self.folder = write_config(tmp / "config", site.base, TEST_SOURCES + extra_sources)
        if delay is not None:
            path = self.folder / "sources.yaml"
            text = path.read_text().replace("download_delay: 0\n", f"download_delay: {delay}\n")
            path.write_text(text)
        (self.folder / "schedules.yaml").write_text(schedules(redis.url, every, sources))
        self.db_path = tmp / "archive.db"
        self.env = {**cli_env(self.folder, self.db_path), "MEDIAWATCH_CLUSTER_LEASE": "10"}
        self.workers = Workers(self.env, tmp)
        self.daemon = self.new_daemon(tmp / "daemon.log")

    def new_daemon(self, log: Path) -> DaemonRun:
        return DaemonRun(self.folder, self.db_path, log)

    def start_daemon(self) -> None:
        os.environ["MEDIAWATCH_CLUSTER_LEASE"] = "10"
        try:
            self.daemon.start()
        finally:
            os.environ.pop("MEDIAWATCH_CLUSTER_LEASE", None)

    def urls(self) -> list[str]:
        if not self.db_path.exists():
            return []
        try:
            conn = sqlite3.connect(self.db_path)
            try:
                return [r[0] for r in conn.execute("SELECT url FROM articles")]
            finally:
                conn.close()
        except sqlite3.OperationalError:
            return []

    def runs(self) -> list[tuple]:
        if not self.db_path.exists():
            return []
        conn = sqlite3.connect(self.db_path)
        try:
            return conn.execute("SELECT source, status, error_messages FROM crawl_runs").fetchall()
        except sqlite3.OperationalError:  # the daemon is still creating the archive
            return []
        finally:
            conn.close()

    def wait_for(self, check, what: str, timeout: float = WAIT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if value := check():
                return value
            time.sleep(0.1)
        raise AssertionError(
            f"timed out waiting for {what}\n--- daemon:\n{self.daemon.log_text()[-3000:]}"
            f"\n--- workers:\n{self.workers.logs()}"
        )

    def wait_all(self, expected: set[str]) -> None:
        self.wait_for(lambda: expected <= set(self.urls()), "every expected article")

    def stop(self) -> None:
        self.workers.stop()
        if self.daemon.proc is not None and self.daemon.proc.poll() is None:
            self.daemon.stop()


@pytest.fixture
def cluster(tmp_path, replay_site, redis_clean):  # noqa: F811 - fixture
    made = []

    def make(**kwargs) -> Cluster:
        c = Cluster(tmp_path, replay_site, redis_clean, **kwargs)
        made.append(c)
        return c

    yield make
    for c in made:
        c.stop()


def article_paths(db_path: Path) -> set[str]:
    conn = sqlite3.connect(db_path)
    try:
        return {urlsplit(r[0]).path for r in conn.execute("SELECT url FROM fetched_urls")}
    finally:
        conn.close()


def test_three_workers_store_every_article_once_and_fetch_each_page_once(cluster, expected):
    c = cluster()
    c.site.log.clear()
    c.workers.start(3)
    c.start_daemon()
    c.wait_all(expected)
    c.wait_for(
        lambda: len(c.runs()) == len(SOURCES) and all(r[1] != "running" for r in c.runs()),
        "every source's run to finish",
    )
    urls = c.urls()
    assert len(urls) == len(set(urls))
    assert set(urls) == expected  # the same articles as one machine stores, no more, no fewer
    assert {r[0] for r in c.runs()} == set(SOURCES)
    assert all(r[1] == "ok" for r in c.runs()), c.runs()
    counts = Counter(p for method, p, status in c.site.log.entries if method == "GET")
    twice = {p: n for p, n in counts.items() if n > 1 and p in article_paths(c.db_path)}
    assert twice == {}, f"article pages requested more than once: {twice}"


def test_status_shows_workers_queue_and_lag(cluster, expected):
    c = cluster()
    c.workers.start(1)
    c.start_daemon()
    c.wait_all(expected)
    out = subprocess.run(
        [sys.executable, "-m", "mediawatch.cli", "status"],
        env=c.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "cluster:" in out and "workers seen in the last minute: 1" in out, out
    assert "queue:" in out and "stream lag:" in out
    c.workers.stop()
    c.redis.client().delete(*c.redis.client().keys("mediawatch:worker:*"))
    out = subprocess.run(
        [sys.executable, "-m", "mediawatch.cli", "status"],
        env=c.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "no worker seen in the last minute" in out, out


def test_worker_killed_mid_crawl_loses_nothing_and_spacing_holds(cluster, expected):
    c = cluster(delay=0.4)
    c.site.log.clear()
    workers = c.workers.start(3)
    c.start_daemon()
    c.wait_for(lambda: len(c.urls()) >= 5, "the first articles")
    workers[0].send_signal(signal.SIGKILL)
    c.wait_all(expected)  # its leased requests came back after the visibility timeout
    urls = c.urls()
    assert len(urls) == len(set(urls)) and set(urls) == expected
    with c.site.log.lock:
        times = sorted(c.site.log.times)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    # one host, download_delay 0.4 s across three workers; the log stamps responses, hence slack
    assert min(gaps) >= 0.4 - 0.15, sorted(gaps)[:5]


def test_writer_killed_mid_drain_then_restarted_stores_everything_once(cluster, expected, tmp_path):
    c = cluster()
    c.workers.start(2)
    c.start_daemon()
    c.wait_for(lambda: len(c.urls()) >= 3, "the first articles")
    c.daemon.proc.send_signal(signal.SIGKILL)
    c.daemon.proc.wait(30)
    c.daemon = c.new_daemon(tmp_path / "daemon2.log")
    c.start_daemon()
    c.wait_all(expected)
    c.wait_for(
        lambda: not c.redis.client().xpending("mediawatch:articles", "writer")["pending"],
        "the stream to be drained",
    )
    urls = c.urls()
    assert len(urls) == len(set(urls)) and set(urls) == expected


def test_redis_restarted_mid_run_the_crawl_completes(cluster, expected):
    c = cluster(every="10s", delay=0.2)
    c.workers.start(2)
    c.start_daemon()
    c.wait_for(lambda: len(c.urls()) >= 3, "the first articles")
    c.redis.stop()
    time.sleep(2)
    c.redis.start_same_port()
    c.wait_all(expected)
    urls = c.urls()
    assert len(urls) == len(set(urls)) and set(urls) == expected
    assert all(p.poll() is None for p in c.workers.procs), "a worker died with Redis"
    assert c.daemon.proc.poll() is None


def test_a_failing_source_is_recorded_failed_with_its_error(cluster, tmp_path):
    c = cluster(sources=["missing-feed", "dawn-home"])
    c.workers.start(1)
    c.start_daemon()
    c.wait_for(
        lambda: len(c.runs()) == 2 and all(r[1] != "running" for r in c.runs()),
        "both runs to finish",
    )
    runs = {r[0]: r for r in c.runs()}
    assert runs["dawn-home"][1] == "ok"
    assert runs["missing-feed"][1] == "failed"
    assert "HTTP 404" in runs["missing-feed"][2], runs["missing-feed"]
    conn = sqlite3.connect(c.db_path)
    failures = conn.execute(
        "SELECT consecutive_failures FROM sources WHERE name = 'missing-feed'"
    ).fetchone()
    conn.close()
    assert failures == (1,)


def test_malformed_stream_entry_is_recorded_and_skipped(cluster, expected):
    c = cluster()
    c.redis.client().xadd("mediawatch:articles", {"json": "{not json"})
    c.redis.client().xadd("mediawatch:articles", {"json": '{"type": "article", "run": 1}'})
    c.workers.start(1)
    c.start_daemon()
    c.wait_all(expected)
    errors = c.redis.client().lrange("mediawatch:writer-errors", 0, -1)
    assert any(b"malformed stream entry" in e for e in errors), errors
    assert c.daemon.proc.poll() is None


def test_cluster_key_errors_name_file_line_and_key(tmp_path, replay_site):
    folder = write_config(tmp_path / "config", replay_site.base)
    for text, key in (
        ("cluster: {redis: 'http://127.0.0.1:1/0'}\n", "cluster.redis"),
        ("cluster: {redis: 'redis://127.0.0.1:1/0', port: 3}\n", "cluster.port"),
    ):
        (folder / "schedules.yaml").write_text(text)
        got = subprocess.run(
            [sys.executable, "-m", "mediawatch.cli", "worker"],
            env=cli_env(folder, tmp_path / "a.db"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert got.returncode != 0
        assert f"schedules.yaml:1: {key}:" in got.stderr, got.stderr


def test_single_machine_mode_never_imports_redis(tmp_path, replay_site):
    folder = write_config(tmp_path / "config", replay_site.base)
    code = (
        "import sys\nfrom mediawatch.cli import main\n"
        "try:\n    main(['crawl', '--no-alerts', 'dawn-home'])\nexcept SystemExit:\n    pass\n"
        "from mediawatch.daemon import Daemon\n"
        "print('redis' in sys.modules, 'scrapy_redis' in sys.modules)\n"
    )
    got = subprocess.run(
        [sys.executable, "-c", code],
        env=cli_env(folder, tmp_path / "a.db"),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert got.stdout.strip().splitlines()[-1] == "False False", got.stderr[-2000:]


def _article_entry(i: int) -> dict:
    return {
        "type": "article",
        "run": None,
        "source": "dawn-home",
        "article": {
            "url": f"https://example.org/story-{i}",
            "source": "dawn-home",
            "title": f"Story {i}",
            "text": f"Text of story number {i}, long enough to be an article.",
        },
        "also": [f"https://example.org/story-{i}?utm_source=feed"],
        "flags": [],
    }


def test_writer_stores_a_batch_skips_a_malformed_entry_and_never_stores_twice(
    redis_clean,  # noqa: F811 - fixture
    tmp_path,
):
    """Entries are stored in batches (one transaction per read); a bad entry inside a batch is
    recorded and skipped without losing its neighbours; entries read again are not stored twice."""
    import json
    import threading

    from mediawatch.scrapers.cluster.writer import ArchiveWriter

    r = redis_clean.client()
    for i in range(120):
        r.xadd("mediawatch:articles", {"json": json.dumps(_article_entry(i))})
        if i == 60:  # valid JSON, but an article without a URL, in the middle of a batch
            r.xadd("mediawatch:articles", {"json": '{"type": "article", "article": {"x": 1}}'})
    db_path = tmp_path / "archive.db"
    writer = ArchiveWriter(redis_clean.url, str(db_path))
    writer.prepare()
    writer.drain(threading.Event(), until_empty=True)
    conn = sqlite3.connect(db_path)
    urls = [u for (u,) in conn.execute("SELECT url FROM articles")]
    assert sorted(urls) == sorted(f"https://example.org/story-{i}" for i in range(120))
    errors = r.lrange("mediawatch:writer-errors", 0, -1)
    assert len(errors) == 1 and b"article without url" in errors[0], errors
    assert r.xpending("mediawatch:articles", "writer")["pending"] == 0
    assert r.sismember("mediawatch:known", "https://example.org/story-7?utm_source=feed")

    # a writer that died after its commit and before its acknowledgement reads them all again
    r.xgroup_setid("mediawatch:articles", "writer", "0")
    again = ArchiveWriter(redis_clean.url, str(db_path))
    again.prepare()
    again.drain(threading.Event(), until_empty=True)
    assert again.stored == 0
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 120
    assert r.xpending("mediawatch:articles", "writer")["pending"] == 0
    conn.close()


def test_worker_stopped_with_sigterm_mid_crawl_exits_cleanly_and_gives_back_its_requests(
    cluster, expected
):
    """SIGTERM: the worker exits by itself with status 0, holding no lease (its in-flight
    requests were finished or put back in the queue at once, not left to a visibility timeout
    far longer than this test waits); another worker then brings every article, each once."""
    c = cluster(delay=0.3)
    c.env["MEDIAWATCH_CLUSTER_LEASE"] = "3600"  # only a given-back request can come back in time
    (first,) = c.workers.start(1, "--concurrency", "4")
    c.start_daemon()
    c.wait_for(lambda: len(c.urls()) >= 3, "the first articles")
    first.send_signal(signal.SIGTERM)
    assert first.wait(120) == 0, c.workers.logs()
    assert c.redis.client().zcard("mediawatch:leases") == 0, "a lease outlived its worker"
    assert len(c.urls()) < len(expected), "the crawl was over before the signal"
    c.workers.start(1)
    c.wait_all(expected)
    urls = c.urls()
    assert len(urls) == len(set(urls)) and set(urls) == expected


class OutletCluster(Cluster):
    """A cluster over one generated outlet (tests/chaos_helpers.py) on its own replay site."""

    def __init__(self, tmp: Path, redis, sources_yaml: str, every: str, behaviour: dict):
        from chaos_helpers import OUTLET, serve, set_behaviour, write_sources

        self.site_folder = tmp / "site"
        (self.site_folder / OUTLET).mkdir(parents=True, exist_ok=True)
        set_behaviour(self.site_folder, behaviour)
        self.site, self.redis = serve(self.site_folder), redis
        self.folder = write_sources(tmp / "config", self.site.base)
        (self.folder / "sources.yaml").write_text(sources_yaml.replace("{base}", self.site.base))
        (self.folder / "schedules.yaml").write_text(
            f"cluster: {{redis: '{redis.url}'}}\n"
            f"crawls:\n  - {{name: chaos, sources: [chaos], every: {every}, timeout: 5m}}\n"
        )
        self.db_path = tmp / "archive.db"
        self.env = {**cli_env(self.folder, self.db_path), "MEDIAWATCH_CLUSTER_LEASE": "10"}
        self.workers = Workers(self.env, tmp)
        self.daemon = self.new_daemon(tmp / "daemon.log")
        self.tmp = tmp

    def article_fetches(self, status: int | None = 200) -> list[str]:
        return [
            p
            for m, p, s in self.site.log.entries
            if m == "GET" and p.startswith("/chaos/story-") and (status is None or s == status)
        ]

    def backlog(self) -> list[str]:
        conn = sqlite3.connect(self.db_path)
        try:
            return [r[0] for r in conn.execute("SELECT url FROM crawl_backlog ORDER BY url")]
        finally:
            conn.close()

    def finished_runs(self) -> list[tuple]:
        return [r for r in self.runs() if r[1] != "running"]

    def stop(self) -> None:
        super().stop()
        self.site.stop()


def crawler_yaml(delay: float = 0) -> str:
    return (
        "crawler:\n  allow_loopback: true\n"
        f"  download_delay: {delay}\n  autothrottle: false\n  timeout: 20\nsources:\n"
    )


@pytest.fixture
def outlet_cluster(tmp_path, redis_clean):  # noqa: F811 - fixture
    made = []

    def make(sources_yaml: str, every: str = "1h", behaviour: dict | None = None):
        c = OutletCluster(tmp_path, redis_clean, sources_yaml, every, behaviour or {})
        made.append(c)
        return c

    yield make
    for c in made:
        c.stop()


def test_a_503_keeps_the_feeds_validators_unsaved_until_the_article_is_fetched_next_cycle(
    outlet_cluster,
):
    """As on one machine: a feed's ETag is kept only once everything it named is stored or
    failed for good, so the next cycle reads the feed in full (not a 304 that would hide the
    article that answered 503) and fetches the article from the backlog; a 404 is final."""
    from chaos_helpers import article_path, set_behaviour, write_outlet

    busy, gone = article_path(2), article_path(3)
    rules = {busy: {"status": 503}, gone: {"status": 404}}
    c = outlet_cluster(
        crawler_yaml() + "  - {name: chaos, kind: feed, url: '{base}/chaos/feed.xml'}\n",
        every="5s",
        behaviour=rules,
    )
    write_outlet(c.site_folder, 5, rules)
    c.workers.start(1)
    c.start_daemon()
    c.wait_for(lambda: c.finished_runs(), "the first cycle to end")
    urls = set(c.urls())
    assert c.site.url(busy) not in urls and c.site.url(gone) not in urls and len(urls) == 3
    assert c.backlog() == [c.site.url(busy)]  # the 404 is settled, the 503 waits

    set_behaviour(c.site_folder, {gone: {"status": 404}})  # the busy article answers now
    c.wait_for(lambda: c.site.url(busy) in c.urls(), "the 503 article, in a later cycle")
    feed = [(p, s) for m, p, s in c.site.log.entries if p == "/chaos/feed.xml"]
    assert feed[:2] == [("/chaos/feed.xml", 200), ("/chaos/feed.xml", 200)], feed
    # everything settled: the ETag is kept now and the following cycle costs one 304
    c.wait_for(lambda: ("GET", "/chaos/feed.xml", 304) in c.site.log.entries, "a 304 for the feed")
    assert c.backlog() == []
    assert sorted(c.article_fetches()) == sorted({article_path(n) for n in range(5)} - {gone})
    urls = c.urls()
    assert len(urls) == len(set(urls)) == 4


def write_sitemaps(folder: Path, children: int, per_child: int) -> None:
    """A sitemap index with `children` child sitemaps, each naming `per_child` of the outlet's
    article pages (write_outlet writes the pages)."""
    from chaos_helpers import article_path

    site = folder / "chaos"
    locs = []
    for k in range(children):
        urls = "".join(
            f"<url><loc>{{{{base}}}}{article_path(k * per_child + i)}</loc>"
            f"<lastmod>{{{{ago:{10 + k * per_child + i}m}}}}</lastmod></url>"
            for i in range(per_child)
        )
        (site / f"map-{k}.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
        )
        locs.append(f"<sitemap><loc>{{{{base}}}}/chaos/map-{k}.xml</loc></sitemap>")
    (site / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(locs)
        + "</sitemapindex>\n"
    )


def test_page_budget_holds_for_the_whole_cluster_and_the_rest_waits_for_the_next_cycles(
    outlet_cluster,
):
    """max_pages counts article requests of a source's cycle across all workers (three workers
    read the index's child sitemaps); what is over budget waits in the backlog and is fetched
    by the next cycles, each page once."""
    from chaos_helpers import article_path, write_outlet

    c = outlet_cluster(
        crawler_yaml(delay=0.3)
        + "  - {name: chaos, kind: sitemap, url: '{base}/chaos/sitemap.xml', max_pages: 4}\n",
        every="5s",
    )
    write_outlet(c.site_folder, 12)
    write_sitemaps(c.site_folder, children=3, per_child=4)
    c.workers.start(3, "--concurrency", "1")
    c.start_daemon()
    c.wait_for(lambda: c.finished_runs(), "the first cycle to end")
    c.wait_for(lambda: len(c.urls()) == 12, "every article, over later cycles")
    c.wait_for(lambda: not c.backlog(), "the backlog to be empty")
    conn = sqlite3.connect(c.db_path)
    new = [n for (n,) in conn.execute("SELECT new_articles FROM crawl_runs ORDER BY id")]
    conn.close()
    assert new[0] == 4 and all(n <= 4 for n in new), new
    assert sorted(c.article_fetches()) == [article_path(n) for n in range(12)]


def test_google_news_links_are_resolved_by_workers_and_stored_by_the_writer(cluster):
    """A gnews source in the cluster: workers resolve opaque links through the replay site's
    Google endpoints; the writer keeps the token cache, the unresolved items and their links to
    the fetched articles, as one machine does."""
    from test_gnews_resolve import GWADAR, QUETTA, TOKENS, gnews_source

    c = cluster(sources=["gnews-makran"], extra_sources=gnews_source())
    c.workers.start(2)
    c.start_daemon()
    c.wait_for(
        lambda: c.runs() and all(r[1] != "running" for r in c.runs()), "the gnews run to end"
    )
    conn = sqlite3.connect(c.db_path)
    conn.row_factory = sqlite3.Row
    try:
        for path in (QUETTA, GWADAR):
            page = conn.execute(
                "SELECT * FROM articles WHERE url = ?", [c.site.url(path)]
            ).fetchone()
            assert page is not None and page["resolved"] == 1, path
            assert len(page["text"]) > 200
        items = {
            r["url"].split("/")[-1].split("?")[0]: r
            for r in conn.execute("SELECT * FROM articles WHERE resolved = 0")
        }
        assert set(items) == set(TOKENS)
        for token, path in TOKENS.items():
            if path:
                target = conn.execute(
                    "SELECT id FROM articles WHERE url = ?", [c.site.url(path)]
                ).fetchone()
                assert items[token]["same_as"] == target["id"]
        states = dict(conn.execute("SELECT token, state FROM gnews_links").fetchall())
    finally:
        conn.close()
    assert states == {
        "CBMiAU_yqLTestQuettaWaterTanker001": "resolved",
        "CBMiAU_yqLTestGwadarFishermen0002": "resolved",
        "CBMiAU_yqLTestNoSuchArticle00003": "failed",
    }
    assert c.runs()[-1][1] == "ok" and "malformed" not in c.runs()[-1][2], c.runs()
    # the token cache is shared: resolved tokens are not asked of Google again
    resolved = c.redis.client().hgetall("mediawatch:gnews:resolved")
    assert {k.decode() for k in resolved} == {
        "CBMiAU_yqLTestQuettaWaterTanker001",
        "CBMiAU_yqLTestGwadarFishermen0002",
    }


def test_browser_rendered_sources_are_crawled_by_workers(cluster):
    """`render: browser` sources in the cluster: the worker renders the listing and the article
    pages in Chromium (skipped without it, failed where MEDIAWATCH_REQUIRE_BROWSER=1)."""
    from cluster_helpers import free_port
    from test_render import need_chromium, render_sources

    need_chromium()
    extra = render_sources(free_port())[len(TEST_SOURCES) :]
    c = cluster(sources=["js-listing", "js-feed"], extra_sources=extra)
    c.workers.start(1)
    c.start_daemon()
    c.wait_for(
        lambda: len(c.runs()) == 2 and all(r[1] != "running" for r in c.runs()),
        "both rendered runs to end",
    )
    conn = sqlite3.connect(c.db_path)
    try:
        rows = dict(conn.execute("SELECT url, source FROM articles").fetchall())
        text = dict(conn.execute("SELECT url, text FROM articles").fetchall())
    finally:
        conn.close()
    body = next(u for u in rows if "/render/articles/data-body.html" in u)
    assert rows[body] == "js-listing"  # links a script wrote: only a browser sees them
    assert "reopened their shops on Monday" in text[body]
    mobile = next(u for u in rows if "/render/articles/mobile-body.html" in u)
    assert rows[mobile] == "js-feed"
    assert "reached its full capacity of one point two million gallons" in text[mobile]

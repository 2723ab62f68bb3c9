"""The compiled watchlist is cached beside the archive between crawls, keyed by the file's content."""

from __future__ import annotations

import pickle

import pytest
from conftest import Workspace, write_config

pytestmark = pytest.mark.slow

DAWN_ARTICLE = "/dawn/news/1870001/gwadar-port-handles-first-cpec-transit-cargo"


def cache_files(ws):
    return sorted((ws.db_path.parent / ".mediawatch-cache").glob("watchlist-*.pickle"))


def topics_of(ws, path):
    rows = ws.rows(
        "SELECT m.topic FROM matches m JOIN articles a ON a.id = m.article_id WHERE a.url = ?",
        [ws.site.url(path)],
    )
    return {r["topic"] for r in rows}


def fresh_crawl(ws):
    """Crawl dawn-home into an empty archive (keeping the cache folder beside it)."""
    for suffix in ("", "-wal", "-shm"):
        ws.db_path.with_name(ws.db_path.name + suffix).unlink(missing_ok=True)
    ws.run("crawl", "dawn-home", check=True)


@pytest.fixture(scope="module")
def dawn_crawled(tmp_path_factory, replay_site) -> Workspace:
    """One crawl of dawn-home into a new workspace (read-only: each test works on a copy)."""
    base = tmp_path_factory.mktemp("dawn")
    folder = write_config(base / "config", replay_site.base)
    ws = Workspace(folder, base / "archive.db", replay_site)
    ws.run("crawl", "dawn-home", check=True)
    return ws


@pytest.fixture
def workspace(dawn_crawled, tmp_path) -> Workspace:
    """A workspace just after its first crawl of dawn-home."""
    return dawn_crawled.copy(tmp_path / "ws")


def test_a_crawl_caches_the_compiled_watchlist_and_reuses_it(workspace):
    ws = workspace  # crawled dawn-home once
    [cached] = cache_files(ws)
    assert callable(getattr(pickle.loads(cached.read_bytes()), "match", None))
    assert "cpec" in topics_of(ws, DAWN_ARTICLE)

    stamp = cached.stat().st_mtime_ns
    fresh_crawl(ws)
    assert cache_files(ws) == [cached] and cached.stat().st_mtime_ns == stamp  # read, not rebuilt
    assert "cpec" in topics_of(ws, DAWN_ARTICLE)


def test_an_edited_watchlist_is_compiled_anew(workspace):
    ws = workspace  # crawled dawn-home once
    [before] = cache_files(ws)
    watchlist = ws.config_dir / "watchlist.yaml"
    watchlist.write_text(watchlist.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    fresh_crawl(ws)
    [after] = cache_files(ws)
    assert after != before  # the old version is dropped, the new one written


def test_a_corrupt_cache_is_ignored_and_rebuilt(workspace):
    ws = workspace  # crawled dawn-home once
    [cached] = cache_files(ws)
    cached.write_bytes(b"\x80\x05not a pickle at all")
    fresh_crawl(ws)
    assert "cpec" in topics_of(ws, DAWN_ARTICLE)  # matched with a rebuilt watchlist
    assert callable(getattr(pickle.loads(cached.read_bytes()), "match", None))


def test_a_broken_watchlist_is_still_reported_with_file_and_line(workspace):
    ws = workspace  # crawled dawn-home once: a valid cache exists for the old content
    watchlist = ws.config_dir / "watchlist.yaml"
    watchlist.write_text("topics:\n  - name: x\n    bogus_key: 1\n", encoding="utf-8")
    result = ws.run("crawl", "dawn-home")
    assert result.returncode != 0
    assert "watchlist.yaml:" in result.stderr

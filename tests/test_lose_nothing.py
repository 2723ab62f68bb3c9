"""No article lost to an interrupted crawl, and no failure recorded as success.

Each test serves its own generated outlet (tests/chaos_helpers.py) from a fresh replay site on
127.0.0.1 and runs the real CLI against a real SQLite file. Kills happen after a number of
articles is seen in the archive, not after a time, so the tests do not depend on the machine's speed.
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys

import pytest
from chaos_helpers import (
    OUTLET,
    SmallDisk,
    article_path,
    backlog,
    cli_env,
    crawl_killed_after,
    runs,
    set_behaviour,
    stored_count,
    stored_urls,
    write_outlet,
    write_sources,
)

from mediawatch import db

pytestmark = pytest.mark.slow


def crawl(config_dir, db_path, *names, preexec=None, timeout=180):
    return subprocess.run(
        [sys.executable, "-m", "mediawatch.cli", "crawl", "--json", *(names or [OUTLET])],
        env=cli_env(config_dir, db_path),
        capture_output=True,
        text=True,
        cwd=config_dir,
        timeout=timeout,
        preexec_fn=preexec,
    )


def article_fetches(site) -> list[str]:
    return [p for _, p, s in site.log.entries if p.startswith(f"/{OUTLET}/story-")]


def test_a_crawl_killed_at_random_moments_stores_every_article_exactly_once(outlet):
    folder, site, config, archive = outlet
    count = 30
    # each page takes a moment, so that kills land in the middle of the crawl
    paths = write_outlet(
        folder, count, {p: {"delay": 0.15} for p in map(article_path, range(count))}
    )
    write_sources(config, site.base)
    rng = random.Random(9)
    kills = 0
    for _ in range(5):
        if stored_count(archive) >= count - 3:
            break
        kills += crawl_killed_after(config, archive, more=rng.randint(1, 5))
    assert kills >= 3, "the crawl finished before it could be killed several times"
    set_behaviour(folder, {})
    result = crawl(config, archive)
    assert result.returncode == 0, result.stderr
    urls = stored_urls(archive)
    assert urls == sorted(site.url(p) for p in paths), f"{len(urls)} of {count} stored"
    assert backlog(archive) == []
    # killed runs are failed (a kill may land after a run was closed), none is left running
    statuses = [r["status"] for r in runs(archive)]
    assert statuses[-1] == "ok" and "running" not in statuses and "failed" in statuses


def test_an_article_answering_503_is_fetched_by_the_next_crawl_and_a_404_is_final(outlet):
    folder, site, config, archive = outlet
    busy, gone = article_path(2), article_path(3)
    write_outlet(folder, 5, {busy: {"status": 503, "times": 3}, gone: {"status": 404}})
    write_sources(config, site.base)

    first = crawl(config, archive)
    assert first.returncode == 0, first.stderr
    assert site.url(busy) not in stored_urls(archive)
    assert any(f"{busy}: HTTP 503" in e for e in runs(archive)[-1]["error_messages"])

    site.log.clear()
    crawl(config, archive)
    assert site.url(busy) in stored_urls(archive)
    assert len(stored_urls(archive)) == 4
    assert article_fetches(site).count(busy) == 1
    assert article_fetches(site).count(gone) <= 1  # read again only with the changed feed
    assert backlog(archive) == []

    # every item settled: the feed's ETag is kept now, and the next crawl costs one 304
    site.log.clear()
    crawl(config, archive)
    assert [(p, s) for _, p, s in site.log.entries if p.endswith("feed.xml")] == [
        (f"/{OUTLET}/feed.xml", 304)
    ]
    assert article_fetches(site) == []


def test_items_past_the_page_budget_are_fetched_by_the_next_crawls(outlet):
    folder, site, config, archive = outlet
    paths = write_outlet(folder, 10)
    write_sources(config, site.base, max_pages=4)
    for expected in (4, 8, 10):
        result = crawl(config, archive)
        assert result.returncode == 0, result.stderr
        assert stored_count(archive) == expected
    # the newest first, then what waited: each page was fetched once
    fetched = article_fetches(site)
    assert sorted(fetched) == sorted(paths)
    assert sorted(fetched[:4]) == paths[:4]
    assert backlog(archive) == []

    # all settled: the feed costs a 304 now, and a 304 still lets the backlog drain
    extra = write_outlet(folder, 11)[-1]
    write_outlet(folder, 10)  # the feed as it was (story 10's page stays)
    conn = db.connect(archive)
    db.add_to_backlog(conn, OUTLET, [(site.url(extra), {"title": "waiting"})])
    conn.conn.close()
    site.log.clear()
    crawl(config, archive)
    assert (f"/{OUTLET}/feed.xml", 304) in [(p, s) for _, p, s in site.log.entries]
    assert article_fetches(site) == [extra]
    assert stored_count(archive) == 11 and backlog(archive) == []


def test_a_full_disk_fails_the_run_and_the_next_crawl_stores_everything_once(outlet, tmp_path):
    folder, site, config, _ = outlet
    paths = write_outlet(folder, 20)
    write_sources(config, site.base)
    disk = SmallDisk(tmp_path / "disk")  # a small tmpfs as root, else a file size limit
    try:
        archive = disk.folder / "archive.db"
        db.connect(archive).conn.close()  # an empty archive, checkpointed
        disk.fill(room=96 * 1024)  # room for the run's records and a few articles

        full = crawl(config, archive, preexec=disk.preexec)
        assert full.returncode != 0, full.stdout
        (summary,) = json.loads(full.stdout)
        assert summary["status"] == "failed"
        assert any("could not store" in e for e in summary["errors"]), summary
        assert stored_count(archive) < len(paths)

        disk.lift()
        again = crawl(config, archive)
        assert again.returncode == 0, again.stderr
        assert stored_urls(archive) == sorted(site.url(p) for p in paths)
        assert runs(archive)[0]["status"] == "failed"  # the full-disk run counts as a failure
        assert backlog(archive) == []
    finally:
        disk.close()


def test_a_parser_that_raises_fails_the_run(outlet):
    folder, site, config, archive = outlet
    write_outlet(folder, 2)
    # a JSON Feed nested deeper than any parser's recursion limit
    (folder / OUTLET / "deep.json").write_text('{"items": ' + "[" * 200_000 + "]" * 200_000 + "}")
    extra = f"  - {{name: deep, kind: feed, outlet: Deep, url: '{site.base}/{OUTLET}/deep.json'}}\n"
    write_sources(config, site.base, extra=extra)
    result = crawl(config, archive, "deep")
    assert result.returncode == 1, result.stdout
    (run,) = runs(archive, "deep")
    assert run["status"] == "failed"
    assert any("deep.json" in e for e in run["error_messages"]), run
    health = {r["name"]: r for r in _rows(archive, "SELECT * FROM sources")}
    assert health["deep"]["consecutive_failures"] == 1


def _rows(path, sql):
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def _corrupt_page(path, name: str) -> None:
    """Overwrite the root page of a table or index with garbage, as a failing disk would."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [name]).fetchone()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(path, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xa5" * page_size)


def test_crawl_and_run_once_fail_on_an_archive_with_corrupt_pages(outlet):
    folder, site, config, archive = outlet
    write_outlet(folder, 6)
    write_sources(config, site.base, max_pages=2)
    assert crawl(config, archive).returncode == 0
    _corrupt_page(archive, "sqlite_autoindex_fetched_urls_1")

    result = crawl(config, archive)
    assert result.returncode != 0, result.stdout
    (summary,) = json.loads(result.stdout)
    assert summary["status"] == "failed"
    assert any("malformed" in e for e in summary["errors"]), summary
    once = subprocess.run(
        [sys.executable, "-m", "mediawatch.cli", "run", "--once"],
        env=cli_env(config, archive),
        capture_output=True,
        text=True,
        cwd=config,
        timeout=180,
    )
    assert once.returncode != 0, once.stderr[-2000:]

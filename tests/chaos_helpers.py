"""A generated outlet (a feed and N article pages) on its own replay site, and a crawl that can be
killed: shared by the chaos tests and bench/chaos.py.

Each test gets a fresh `ReplaySite` over its own folder, so the site's per-path counters (a page
answering 503 a few times, then 200) start from zero.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from mediawatch.replay import ReplaySite

OUTLET = "chaos"

ARTICLE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} - Chaos Times</title>
  <link rel="canonical" href="{{{{base}}}}{path}">
  <meta property="og:title" content="{title}">
  <meta property="article:published_time" content="{{{{ago:{minutes}m:iso}}}}">
</head>
<body><main><article>
  <h1>{title}</h1>
  <div class="story-body">
  <p>QUETTA: Report number {n} says that the district administration met traders on the main
  road to discuss the closure of shops, the price of flour and the state of the water supply.</p>
  <p>Officials said item {n} of the provincial plan would be funded this year, while traders
  said they had heard such promises before and asked for a written schedule of the work.</p>
  <p>Residents interviewed for story {n} said the power cuts had grown longer in recent weeks
  and that the hospital in the town had run short of fuel for its generators twice.</p>
  </div>
</article></main></body>
</html>
"""


def article_path(n: int) -> str:
    return f"/{OUTLET}/story-{n:03d}"


def write_outlet(folder: Path, count: int, behaviour: dict | None = None) -> list[str]:
    """The outlet's feed (newest first) and `count` article pages; returns the article paths."""
    site = folder / OUTLET
    site.mkdir(parents=True, exist_ok=True)
    paths = []
    items = []
    for n in range(count):
        path = article_path(n)
        minutes = 10 + n
        title = f"Chaos report {n:03d} from Quetta"
        (site / f"story-{n:03d}.html").write_text(
            ARTICLE.format(title=title, path=path, minutes=minutes, n=n), encoding="utf-8"
        )
        items.append(
            f"<item><title>{title}</title><link>{{{{base}}}}{path}</link>"
            f"<pubDate>{{{{ago:{minutes}m}}}}</pubDate></item>"
        )
        paths.append(path)
    (site / "feed.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        "<title>Chaos Times</title><link>{{base}}/chaos/</link><description>t</description>\n"
        + "\n".join(items)
        + "\n</channel></rss>\n",
        encoding="utf-8",
    )
    set_behaviour(folder, behaviour or {})
    return paths


def set_behaviour(folder: Path, rules: dict) -> None:
    tmp = folder / "_behaviour.json.tmp"
    tmp.write_text(json.dumps(rules), encoding="utf-8")
    os.replace(tmp, folder / "_behaviour.json")


def write_sources(config_dir: Path, base: str, max_pages: int = 100, extra: str = "") -> Path:
    """A config folder with the one generated outlet; watchlist and schedules kept minimal."""
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "sources.yaml").write_text(
        "crawler:\n"
        "  allow_loopback: true\n"
        "  download_delay: 0\n"
        "  autothrottle: false\n"
        "  timeout: 20\n"
        "sources:\n"
        f"  - {{name: {OUTLET}, kind: feed, outlet: Chaos Times,"
        f" url: '{base}/{OUTLET}/feed.xml', max_pages: {max_pages}}}\n" + extra,
        encoding="utf-8",
    )
    (config_dir / "watchlist.yaml").write_text(
        "topics:\n  balochistan:\n    keywords: [Quetta]\n", encoding="utf-8"
    )
    (config_dir / "schedules.yaml").write_text(
        f"crawls:\n  - {{name: chaos, sources: [{OUTLET}], every: 10m, timeout: 5m}}\n",
        encoding="utf-8",
    )
    return config_dir


def cli_env(config_dir: Path, db_path: Path) -> dict[str, str]:
    env = {**os.environ, "MEDIAWATCH_CONFIG_DIR": str(config_dir), "MEDIAWATCH_DB": str(db_path)}
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env.pop(proxy, None)
    return env


def stored_count(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        try:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:  # no table yet
        return 0


def stored_urls(db_path: Path) -> list[str]:
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        return [r[0] for r in conn.execute("SELECT url FROM articles ORDER BY url")]
    finally:
        conn.close()


def runs(db_path: Path, source: str = OUTLET) -> list[dict]:
    """The source's crawl runs in order, their error messages decoded."""
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        rows = [
            dict(r)
            for r in conn.execute("SELECT * FROM crawl_runs WHERE source = ? ORDER BY id", [source])
        ]
    finally:
        conn.close()
    for r in rows:
        r["error_messages"] = json.loads(r["error_messages"] or "[]")
    return rows


def backlog(db_path: Path) -> list[str]:
    """The URLs waiting in the archive's backlog for a later crawl."""
    conn = sqlite3.connect(db_path)
    try:
        return [r[0] for r in conn.execute("SELECT url FROM crawl_backlog ORDER BY url")]
    finally:
        conn.close()


def crawl_killed_after(
    config_dir: Path, db_path: Path, more: int, timeout: float = 180.0, preexec=None
) -> bool:
    """Start `mediawatch crawl`, SIGKILL it once `more` further articles are in the archive.

    True when it was killed, False when it finished first (nothing left to kill)."""
    before = stored_count(db_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mediawatch.cli", "crawl", "--no-match", OUTLET],
        env=cli_env(config_dir, db_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=config_dir,
        preexec_fn=preexec,
    )
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            if stored_count(db_path) >= before + more:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=60)
                return True
            time.sleep(0.05)
        raise AssertionError(f"no {more} new articles within {timeout}s")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=60)


def serve(folder: Path) -> ReplaySite:
    return ReplaySite([folder]).start()


class SmallDisk:
    """A folder for an archive that can be made full, then given room again.

    As root: a tmpfs mounted on the folder, shrunk to what it holds plus `room` (SQLite then
    gets ENOSPC: "database or disk is full"). Otherwise no file the crawl writes may grow past
    the archive's size plus `room` (RLIMIT_FSIZE; temporary files are limited too)."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.mounted = os.geteuid() == 0 and self._mount("size=64m")
        self.limit: int | None = None

    def _mount(self, options: str, remount: bool = False) -> bool:
        argv = ["mount", "-t", "tmpfs", "-o", ("remount," if remount else "") + options]
        result = subprocess.run([*argv, "tmpfs", str(self.folder)], capture_output=True)
        return result.returncode == 0

    def used(self) -> int:
        return sum(f.stat().st_size for f in self.folder.iterdir() if f.is_file())

    def fill(self, room: int) -> None:
        """From now on only `room` more bytes fit."""
        size = self.used() + room
        if self.mounted:
            size = -(-size // 4096) * 4096
            assert self._mount(f"size={size}", remount=True), "cannot shrink the tmpfs"
        else:
            self.limit = size

    def lift(self) -> None:
        if self.mounted:
            assert self._mount("size=64m", remount=True)
        self.limit = None

    @property
    def preexec(self):
        limit = self.limit
        if limit is None:
            return None

        def apply():
            import resource

            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        return apply

    def close(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.folder)], capture_output=True)
            self.mounted = False

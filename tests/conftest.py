"""Shared fixtures: the replay site on 127.0.0.1, a config folder pointing at it, and the CLI."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

from mediawatch.replay import DEMO_SITE, ReplaySite, render_placeholders

ROOT = Path(__file__).resolve().parent.parent
TEST_SITE = ROOT / "tests" / "site"
DEMO_SOURCES = ROOT / "mediawatch" / "demo_config" / "sources.yaml"

# The crawls' per-user cache (the unpacked language-id model, scrapers/langid_cache.py) goes to a
# folder of the test runs' own inside the checkout's .venv/, never the user's ~/.cache (nor a shared
# /tmp, where another user could plant a pickle); kept between runs, so only the first run in a
# checkout builds it. Set before any test starts a crawl process, which inherits it.
os.environ.pop("CACHE_DIRECTORY", None)
os.environ["XDG_CACHE_HOME"] = str(Path(sys.prefix) / "test-cache")

# Test-only sources over tests/site/, appended to the demo's sources.
TEST_SOURCES = """
  - {name: mixed-bag, kind: feed, outlet: Mixed, url: "{{base}}/mixed/feed.xml", tags: [testonly], max_pages: 20}
  - {name: broken-feed, kind: feed, outlet: Broken, url: "{{base}}/broken/feed.xml", tags: [testonly]}
  - {name: missing-feed, kind: feed, outlet: Missing, url: "{{base}}/nowhere/feed.xml", tags: [testonly]}
  - {name: billion-laughs, kind: feed, outlet: Bomb, url: "{{base}}/bomb/billion-laughs.xml", tags: [bombs]}
  - {name: xxe, kind: feed, outlet: Bomb, url: "{{base}}/bomb/xxe.xml", tags: [bombs]}
  - {name: quadratic, kind: feed, outlet: Bomb, url: "{{base}}/bomb/quadratic.xml", tags: [bombs]}
  - {name: sitemap-index, kind: sitemap, outlet: TBP, url: "{{base}}/sitemaps/index.xml", tags: [testonly]}
  - {name: busy-outlet, kind: feed, outlet: Busy, url: "{{base}}/retry/feed.xml", tags: [testonly]}
  - {name: utf16-entities, kind: feed, outlet: Hostile, url: "{{base}}/hostile/utf16-entities.xml", tags: [hostile]}
  - {name: doctype-flood, kind: feed, outlet: Hostile, url: "{{base}}/hostile/doctype-flood.xml", tags: [hostile]}
  - {name: sitemap-maze, kind: sitemap, outlet: Hostile, url: "{{base}}/hostile/maze/index.xml", tags: [hostile]}
  - {name: sitemap-chain, kind: sitemap, outlet: Hostile, url: "{{base}}/hostile/chain/index.xml", max_sitemaps: 1000, tags: [hostile]}
  - {name: utf16-pages, kind: feed, outlet: Hostile Herald, url: "{{base}}/hostile/utf16-feed.xml", tags: [hostile]}
"""


@pytest.fixture(scope="session")
def replay_site():
    with ReplaySite([TEST_SITE, DEMO_SITE]) as site:
        yield site


def write_config(folder: Path, base: str, extra_sources: str = TEST_SOURCES) -> Path:
    """A config folder: the demo's sources (plus test ones) pointed at `base`, the shipped watchlist."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = DEMO_SOURCES.read_text(encoding="utf-8").rstrip("\n") + "\n" + extra_sources
    (folder / "sources.yaml").write_text(render_placeholders(sources, base), encoding="utf-8")
    for name in ("watchlist.yaml", "schedules.yaml"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, folder / name)
    return folder


PROXIES = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@dataclass
class Completed:
    """What `subprocess.run` would have returned, for tests that switch to `invoke`."""

    returncode: int
    stdout: str | bytes
    stderr: str | bytes


def invoke(
    *args: str,
    input: str | bytes | None = None,
    env: dict[str, str | None] | None = None,
    cwd: Path | None = None,
    text: bool = True,
) -> Completed:
    """The real CLI in this process (click's CliRunner), for tests about a command's output, exit
    code and archive, where a subprocess would add only its start-up. Crawls stay subprocesses:
    Twisted's reactor runs once per process. `env` entries set to None are unset meanwhile."""
    from click.testing import CliRunner

    from mediawatch.cli import main

    env = {**{name: None for name in PROXIES}, **(env or {})}
    before = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner(env=env).invoke(main, list(args), input=input, prog_name="mediawatch")
    finally:
        os.chdir(before)
    stderr = result.stderr_bytes
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(result.exception))
        stderr += trace.encode()
    if text:
        return Completed(result.exit_code, result.stdout, stderr.decode("utf-8", "replace"))
    return Completed(result.exit_code, result.stdout_bytes, stderr)


@dataclass
class Workspace:
    config_dir: Path
    db_path: Path
    site: ReplaySite

    def run(self, *args: str, input: str | None = None, timeout: float = 180, check: bool = False):
        """Run the real CLI in a subprocess, as a user would."""
        env = {**os.environ, "MEDIAWATCH_CONFIG_DIR": str(self.config_dir)}
        env["MEDIAWATCH_DB"] = str(self.db_path)
        for proxy in PROXIES:
            env.pop(proxy, None)
        result = subprocess.run(
            [sys.executable, "-m", "mediawatch.cli", *args],
            input=input,
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            cwd=self.config_dir,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"mediawatch {' '.join(args)} failed:\n{result.stderr}")
        return result

    def cli(self, *args: str, input: str | None = None, check: bool = False) -> Completed:
        """The CLI in this process: for commands that start no crawl (status, sources, search,
        digest), whose subprocess would add only its start-up."""
        env = {"MEDIAWATCH_CONFIG_DIR": str(self.config_dir), "MEDIAWATCH_DB": str(self.db_path)}
        result = invoke(*args, input=input, env=env, cwd=self.config_dir)
        if check and result.returncode != 0:
            raise AssertionError(f"mediawatch {' '.join(args)} failed:\n{result.stderr}")
        return result

    def copy(self, folder: Path) -> Workspace:
        """The configuration, archive and what lies beside them (the watchlist cache) in a new
        folder: a test that writes works on a copy of a fixture several tests share."""
        base = self.db_path.parent
        shutil.copytree(base, folder)
        config_dir = folder / self.config_dir.relative_to(base)
        return Workspace(config_dir, folder / self.db_path.name, self.site)

    def rows(self, sql: str, params=()) -> list[dict]:
        conn = sqlite3.connect(self.db_path)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql, params)]
        finally:
            conn.close()

    def runs(self, source: str) -> list[dict]:
        rows = self.rows("SELECT * FROM crawl_runs WHERE source = ? ORDER BY id", [source])
        for r in rows:
            r["error_messages"] = json.loads(r["error_messages"] or "[]")
        return rows


@pytest.fixture
def workspace(tmp_path, replay_site) -> Workspace:
    folder = write_config(tmp_path / "config", replay_site.base)
    return Workspace(folder, tmp_path / "archive.db", replay_site)


@pytest.fixture
def outlet(tmp_path):
    """(site folder, its running replay site, config folder, archive path) for a test that writes
    its own outlet (tests/chaos_helpers.py); the site is stopped after."""
    folder = tmp_path / "site"
    folder.mkdir()
    site = ReplaySite([folder]).start()
    yield folder, site, tmp_path / "config", tmp_path / "archive.db"
    site.stop()


@pytest.fixture(scope="session")
def crawled(tmp_path_factory, replay_site) -> Workspace:
    """One archive built by crawling every demo source once (read-only for the tests that use it)."""
    base = tmp_path_factory.mktemp("crawled")
    ws = Workspace(
        write_config(base / "config", replay_site.base), base / "archive.db", replay_site
    )
    names = [
        "dawn-home",
        "tribune-balochistan",
        "thenews-sitemap",
        "tbp-balochistan",
        "myind-reports",
        "bbc-urdu",
        "diplomat-south-asia",
        "aljazeera-all",
        "sciencedaily",
        "gnews-balochistan",
    ]
    replay_site.log.clear()
    ws.run("crawl", *names, check=True)
    ws.first_log = list(replay_site.log.entries)
    ws.run("crawl", "gdelt-balochistan", check=True)
    return ws

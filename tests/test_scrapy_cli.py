"""`scrapy crawl` in the checkout honours the crawler: block of sources.yaml, like `mediawatch crawl`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def test_scrapy_crawl_in_the_checkout_uses_the_crawler_block(workspace):
    # the workspace's sources.yaml says `allow_loopback: true` (the replay site is on 127.0.0.1)
    env = {**os.environ, "MEDIAWATCH_CONFIG_DIR": str(workspace.config_dir)}
    env["MEDIAWATCH_DB"] = str(workspace.db_path)
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env.pop(proxy, None)
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "scrapy.cmdline", "crawl", "feed", "-a", "source=dawn-home"]
        + ["-s", "LOG_LEVEL=INFO"],
        cwd=ROOT,  # where scrapy.cfg is
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (run,) = workspace.runs("dawn-home")
    assert run["status"] == "ok", run["error_messages"]
    assert not [e for e in run["error_messages"] if "refused" in e]
    stored = workspace.rows("SELECT url FROM articles WHERE source = 'dawn-home'")
    assert stored and all(r["url"].startswith(workspace.site.base) for r in stored)
    # the counts live in Scrapy's stats collector: its dump and the run record agree
    assert run["new_articles"] == len(stored)
    assert f"'mediawatch/new_articles': {len(stored)}," in result.stderr
    # the feed's validators were kept, as `mediawatch crawl` keeps them
    (source,) = workspace.rows("SELECT validators FROM sources WHERE name = 'dawn-home'")
    assert source["validators"] and "etag" in source["validators"]

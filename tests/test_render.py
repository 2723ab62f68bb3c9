"""`render: browser`: pages written by scripts, fetched through scrapy-playwright and Debian's Chromium.

The replay site's /render/ section: a listing whose links a script writes, an article whose body a
script writes from a data attribute, an article whose script reaches for another service on this
machine and for a local file, and one that never finishes loading. Needs /usr/bin/chromium
(.ci/install-chromium); without it these tests are skipped with the reason, except where
MEDIAWATCH_REQUIRE_BROWSER=1 (CI sets it): there they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, TEST_SOURCES, Workspace, write_config

from mediawatch.errors import ConfigError
from mediawatch.replay import ReplaySite
from mediawatch.sources import parse_sources
from mediawatch.yamlfile import parse_yaml

CHROMIUM = "/usr/bin/chromium"
LISTING = "/render/listing.html"


def need_chromium() -> None:
    if shutil.which(CHROMIUM):
        return
    reason = f"{CHROMIUM} missing: run .ci/install-chromium"
    if os.environ.get("MEDIAWATCH_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def render_sources(other_port: int) -> str:
    return TEST_SOURCES + (
        "  - {name: js-listing, kind: listing, outlet: Makran Today, render: browser,"
        f' url: "{{{{base}}}}{LISTING}?other={other_port}", links: "#latest a.story", tags: [render]}}\n'
        "  - {name: js-listing-plain, kind: listing, outlet: Makran Today,"
        f' url: "{{{{base}}}}{LISTING}", links: "#latest a.story", tags: [testonly]}}\n'
        "  - {name: js-feed, kind: feed, outlet: Makran Today, render: browser,"
        ' url: "{{base}}/render/feed.xml", tags: [render]}\n'
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, replay_site):
    """One crawl of the rendered listing (and the same listing without a browser)."""
    need_chromium()
    base = tmp_path_factory.mktemp("rendered")
    other_root = base / "other"
    other_root.mkdir()
    (other_root / "steal").write_text("SECRET FROM THE OTHER SERVICE", encoding="utf-8")
    with ReplaySite([other_root]) as other:
        port = int(other.base.rsplit(":", 1)[1])
        folder = write_config(base / "config", replay_site.base, render_sources(port))
        sources = folder / "sources.yaml"
        text = sources.read_text(encoding="utf-8").replace(
            "crawler:\n", "crawler:\n  browser_page_timeout: 20s\n  browser_restart_after: 1\n", 1
        )
        sources.write_text(text, encoding="utf-8")
        ws = Workspace(folder, base / "archive.db", replay_site)
        replay_site.log.clear()
        ws.result = ws.run("crawl", "render", "js-listing-plain", "-v", timeout=300)
        ws.other_log = list(other.log.entries)
        ws.site_log = [path for _, path, _ in replay_site.log.entries]
        yield ws


def stored(ws: Workspace, path: str) -> dict:
    rows = ws.rows("SELECT * FROM articles WHERE url LIKE ?", [ws.site.url(path) + "%"])
    assert rows, f"{path} not stored: {[r['url'] for r in ws.rows('SELECT url FROM articles')]}"
    return rows[0]


@pytest.mark.slow
def test_a_listing_written_by_a_script_is_followed_in_the_browser(rendered):
    assert stored(rendered, "/render/articles/data-body.html")["source"] == "js-listing"
    # the same page without a browser shows no links at all
    plain = rendered.runs("js-listing-plain")[-1]
    assert any("no article links matched" in e for e in plain["error_messages"])


@pytest.mark.slow
def test_an_article_body_written_by_a_script_is_stored(rendered):
    page = stored(rendered, "/render/articles/data-body.html")
    assert page["title"] == "Turbat traders reopen market after week-long strike"
    assert "reopened their shops on Monday" in page["text"]
    assert "prices of flour and cooking oil had doubled" in page["text"]
    # images are not loaded by the browser (browser_block: image, media, font by default)
    assert any(p.startswith("/render/articles/data-body.html") for p in rendered.site_log)
    assert not any("turbat-bazaar.jpg" in p for p in rendered.site_log)


@pytest.mark.slow
def test_a_feed_is_read_as_data_and_its_article_rendered(rendered):
    page = stored(rendered, "/render/articles/mobile-body.html")
    assert page["source"] == "js-feed"
    assert "reached its full capacity of one point two million gallons" in page["text"]
    assert rendered.runs("js-feed")[-1]["error_messages"] == []


@pytest.mark.slow
def test_the_browser_reaches_neither_other_local_services_nor_files(rendered):
    page = stored(rendered, "/render/articles/probe.html")
    assert "seized more than forty thousand litres" in page["text"]  # the page itself rendered
    assert rendered.other_log == []  # fetch, iframe and script to 127.0.0.1:<other port>: refused
    assert "SECRET" not in page["text"]
    assert "root:" not in page["text"]  # file:///etc/passwd
    log = rendered.result.stderr
    assert "browser request refused http://127.0.0.1:" in log
    assert "is not public and not the page's own origin" in log


@pytest.mark.slow
def test_a_page_that_never_finishes_loading_is_cut_and_recorded(rendered):
    run = rendered.runs("js-listing")[-1]
    hang = [e for e in run["error_messages"] if "/render/articles/hang.html" in e]
    assert hang and "timed out in the browser" in hang[0], run["error_messages"]
    assert not rendered.rows("SELECT 1 FROM articles WHERE url LIKE '%hang.html%'")
    # the other pages of the run were kept, and the browser was restarted along the way
    assert run["new_articles"] == 2
    assert "restarting the browser after 1 page(s)" in rendered.result.stderr
    assert rendered.result.stderr.count("Launching browser chromium") >= 2


NO_BROWSER = """
import json, sys
import psutil
from mediawatch import config
from mediawatch.scrapers.runner import run_crawl
cfg = config.load_sources(config.config_dir())
summaries = run_crawl(cfg.select(["dawn-home"]), cfg.crawler, sys.argv[1])
children = [p.name() for p in psutil.Process().children(recursive=True)]
print(json.dumps({"new": summaries[0].new_articles, "children": children,
                  "loaded": sorted(m for m in sys.modules if "playwright" in m)}))
"""


@pytest.mark.slow
def test_sources_without_render_never_load_playwright_nor_start_a_browser(tmp_path, replay_site):
    folder = write_config(tmp_path / "config", replay_site.base)
    env = {**os.environ, "MEDIAWATCH_CONFIG_DIR": str(folder)}
    result = subprocess.run(
        [sys.executable, "-c", NO_BROWSER, str(tmp_path / "a.db")],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    out = __import__("json").loads(result.stdout.strip().splitlines()[-1])
    assert out["new"] > 0
    assert out["loaded"] == [] and out["children"] == []


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{name: a, kind: feed, url: 'http://x.test/f', render: sometimes}", "render: must be"),
        ("{name: a, kind: feed, url: 'http://x.test/f', render: listing}", "render: render"),
    ],
)
def test_render_is_checked_with_file_and_line(source, message):
    text = f"sources:\n  - {{name: b, kind: feed, url: 'http://x.test/'}}\n  - {source}\n"
    with pytest.raises(ConfigError) as caught:
        parse_sources(parse_yaml(text, Path("sources.yaml")))
    assert f"sources.yaml:3: sources[1].{message}" in str(caught.value)


def test_browser_block_names_resource_types():
    text = "crawler:\n  browser_block: [image, pictures]\nsources:\n  - {name: b, kind: feed, url: 'http://x.test/'}\n"
    with pytest.raises(ConfigError) as caught:
        parse_sources(parse_yaml(text, Path("sources.yaml")))
    assert "sources.yaml:2: crawler.browser_block: 'pictures' is not one of" in str(caught.value)

"""`mediawatch sources add URL` finds an outlet's feed or sitemap on the replay site, shows an
article, and appends the source keeping sources.yaml's comments; disable / enable edit in place."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from mediawatch import config
from mediawatch.cli import main

COMMENT = "# Kept: a comment the user wrote about their sources\n"


def with_comment(ws) -> str:
    path = ws.config_dir / "sources.yaml"
    text = path.read_text(encoding="utf-8").replace("sources:\n", COMMENT + "sources:\n", 1)
    path.write_text(text, encoding="utf-8")
    return text


@pytest.mark.slow
def test_add_finds_the_feed_a_page_names_and_appends_it(workspace):
    ws = workspace
    before = with_comment(ws)
    result = ws.run("sources", "add", ws.site.url("/gazette/"), check=True)
    out = result.stdout
    assert f"feed      {ws.site.url('/gazette/feed.xml')}" in out
    assert "title     Pasni jetty reopens after repairs" in out
    assert "authors   Shabir Baloch" in out
    after = (ws.config_dir / "sources.yaml").read_text(encoding="utf-8")
    assert after.startswith(before)  # every line before, comments included, as it was
    added = after[len(before) :]
    assert added.count("\n") == 1 and added.startswith("  - {name: gazette, kind: feed")
    gazette = config.load_sources(ws.config_dir).by_name()["gazette"]
    assert (gazette.kind, gazette.url) == ("feed", ws.site.url("/gazette/feed.xml"))
    assert gazette.outlet == "The Makran Gazette" and gazette.language == "en"
    # the same outlet again is refused, naming the source that has it
    again = ws.run("sources", "add", ws.site.url("/gazette/"), "--name", "gazette-2")
    assert again.returncode == 1 and "already collected by source 'gazette'" in again.stderr
    assert (ws.config_dir / "sources.yaml").read_text(encoding="utf-8") == after
    # and it crawls
    ws.run("crawl", "gazette", check=True)
    assert ws.rows("SELECT title FROM articles WHERE source = 'gazette'") == [
        {"title": "Pasni jetty reopens after repairs"}
    ]


@pytest.mark.slow
def test_add_falls_back_to_the_sitemap_robots_txt_names(workspace):
    ws = workspace
    path = ws.config_dir / "sources.yaml"
    before = path.read_text(encoding="utf-8")
    dry = ws.run("sources", "add", ws.site.url("/quarterly/"), "--dry-run", check=True)
    assert "would add" in dry.stdout and path.read_text(encoding="utf-8") == before
    result = ws.run("sources", "add", ws.site.url("/quarterly/"), "--name", "quarterly", check=True)
    assert "title     The water of the Hamun" in result.stdout
    source = config.load_sources(ws.config_dir).by_name()["quarterly"]
    assert (source.kind, source.url) == ("sitemap", ws.site.url("/quarterly/sitemap.xml"))


@pytest.mark.slow
def test_add_fetches_only_what_the_address_rules_allow(workspace):
    ws = workspace
    path = ws.config_dir / "sources.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("allow_loopback: true", "allow_loopback: false")
    )
    before = path.read_text(encoding="utf-8")
    ws.site.log.clear()
    result = ws.run("sources", "add", ws.site.url("/gazette/"))
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "loopback" in result.stderr
    assert path.read_text(encoding="utf-8") == before
    assert not ws.site.log.paths()  # nothing was fetched from 127.0.0.1


def test_disable_and_enable_keep_the_file_as_written(workspace):
    ws = workspace
    before = with_comment(ws)
    runner = CliRunner()
    args = ["--config-dir", str(ws.config_dir)]

    result = runner.invoke(main, [*args, "sources", "disable", "dawn-home"])
    assert result.exit_code == 0, result.output
    assert config.load_sources(ws.config_dir).by_name()["dawn-home"].enabled is False
    text = (ws.config_dir / "sources.yaml").read_text(encoding="utf-8")
    assert COMMENT in text
    changed = [
        (a, b) for a, b in zip(before.splitlines(), text.splitlines(), strict=True) if a != b
    ]
    assert len(changed) == 1 and changed[0][1].endswith("enabled: false}")

    result = runner.invoke(main, [*args, "sources", "enable", "dawn-home"])
    assert result.exit_code == 0, result.output
    assert (ws.config_dir / "sources.yaml").read_text(encoding="utf-8") == before

    result = runner.invoke(main, [*args, "sources", "disable", "no-such-source"])
    assert result.exit_code == 1 and "no source named 'no-such-source'" in result.output

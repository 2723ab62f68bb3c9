"""`mediawatch demo`: the whole pipeline in a minute, offline, with no configuration.

A replay site on 127.0.0.1 (built into the package) plays a handful of outlets; the demo points a
config folder at it and runs the daemon once (`mediawatch run --once`): every crawl job, immediate
alerts, due digests into the file outbox beside a fresh archive. Then it says what happened.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import click

from mediawatch import config

PORT_FILE = "replay-port"  # beside the demo's config: the replay site's port, kept for the next run
DEMO_SOURCES = Path(__file__).resolve().parent.parent / "demo_config" / "sources.yaml"


def register(group: click.Group) -> None:
    group.add_command(demo)


@click.command()
@click.option(
    "--db",
    "demo_db",
    type=click.Path(dir_okay=False),
    help="Archive to fill (default: a new one in a temporary folder).",
)
@click.pass_context
def demo(ctx, demo_db):
    """Crawl a built-in replay site on 127.0.0.1, flag, archive and write a digest; no internet needed."""
    from mediawatch import db
    from mediawatch.db.crawls import archive_counts, archive_marks

    work = (
        Path(demo_db).resolve().parent
        if demo_db
        else Path(tempfile.mkdtemp(prefix="mediawatch-demo-"))
    )
    archive_path = Path(demo_db).resolve() if demo_db else work / "mediawatch.db"
    conf = work / "config"
    conf.mkdir(parents=True, exist_ok=True)
    user_conf = ctx.obj["config_dir"]
    before = None
    earlier_digests = set(_digests(work))
    if archive_path.exists():  # a second run into the same archive: count only what it adds
        prior = db.connect(archive_path)
        before = archive_marks(prior)
        prior.conn.close()
    with _replay_site(conf) as site:
        click.echo(f"replay site   {site.base} (outlets played offline)")
        from mediawatch.replay import render_placeholders

        text = render_placeholders(DEMO_SOURCES.read_text(encoding="utf-8"), site.base)
        (conf / config.SOURCES_FILE).write_text(text, encoding="utf-8")
        for name in (config.WATCHLIST_FILE, config.SCHEDULES_FILE):
            shutil.copy(Path(user_conf) / name, conf / name)
        config.load_schedules(conf)  # fail early, with file:line, before crawling
        config.load_watchlist(conf)
        env = {**os.environ, "MEDIAWATCH_CONFIG_DIR": str(conf), "MEDIAWATCH_DB": str(archive_path)}
        # exactly what the daemon does once: every crawl job, immediate alerts, due digests
        once = subprocess.run(
            [sys.executable, "-P", "-m", "mediawatch.cli", "run", "--once"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if once.returncode != 0:
            click.echo(once.stderr, err=True)
    conn = db.connect(archive_path)
    counts = archive_counts(conn, after=before)
    runs = counts["runs"]
    ok = sum(1 for r in runs if r["status"] == "ok")
    click.echo(f"sources       {len(runs)} crawled, {ok} ok, {len(runs) - ok} failed")
    for r in runs:
        mark = "" if r["status"] == "ok" else f"  ({r['status']}, {r['errors']} errors)"
        click.echo(f"  {r['source']:<24} {r['new_articles']:>3} new{mark}")
    click.echo(
        f"articles      {counts['articles']} stored"
        f" (+{counts['unresolved']} Google News items without a publisher URL)"
    )
    flagged = ", ".join(f"{t}: {n}" for t, n in counts["topics"].items())
    click.echo("flagged       " + (flagged or "nothing new"))
    outbox = sorted(set(_digests(work)) - earlier_digests)
    click.echo(f"digests       {len(outbox)} built")
    for path in outbox:
        click.echo(f"  {path}")
    click.echo(f"archive       {archive_path}")
    click.echo(
        f"next          .venv/bin/mediawatch --config-dir {conf} --db {archive_path}"
        " search Balochistan"
    )


def _digests(work: Path) -> list[Path]:
    return sorted((work / "outbox").glob("*.html")) if (work / "outbox").exists() else []


@contextmanager
def _replay_site(conf: Path):
    """The replay site on the port it had last time in this folder, so its article URLs are the
    ones already in the archive (a new port would make every article new)."""
    from mediawatch.replay import ReplaySite

    saved = conf / PORT_FILE
    port = int(saved.read_text()) if saved.exists() and saved.read_text().strip().isdigit() else 0
    try:
        site = ReplaySite(port=port)
    except OSError:
        click.echo(f"note          port {port} is taken: this run's URLs are new to the archive")
        site = ReplaySite()
    with site:
        saved.write_text(site.base.rsplit(":", 1)[1], encoding="utf-8")
        yield site

"""`mediawatch crawl` and `mediawatch sources`: collect now, and show what is configured with its health."""

from __future__ import annotations

import json
import sys

import click

from mediawatch import config


def register(group: click.Group) -> None:
    group.add_command(crawl)
    group.add_command(sources)


@click.command()
@click.argument("names", nargs=-1)
@click.option("--all", "all_sources", is_flag=True, help="Crawl every enabled source.")
@click.option("--no-match", is_flag=True, help="Store articles without flagging them.")
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Show Scrapy's log on stderr (-v info, -vv debug); without it, progress per source only.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the run summaries as JSON.")
@click.option(
    "--no-alerts", is_flag=True, help="Do not send the `immediate: true` digests afterwards."
)
@click.pass_context
def crawl(ctx, names, all_sources, no_match, verbose, as_json, no_alerts):
    """Crawl sources (by name or tag) once, into the archive, then send the immediate digests."""
    from mediawatch.commands.alerts import immediate_schedules, send_immediate_after_crawl

    folder = ctx.obj["config_dir"]
    cfg = config.load_sources(folder)
    if all_sources:
        chosen = [s for s in cfg.sources if s.enabled]
    elif names:
        chosen = cfg.select(list(names))
    else:
        raise click.UsageError("name sources or tags to crawl, or pass --all")
    matcher = None
    if not no_match:
        from mediawatch.scrapers.watchlist_cache import cache_dir_for, cached_matcher

        matcher = cached_matcher(
            folder / config.WATCHLIST_FILE,
            cache_dir_for(ctx.obj["db_path"]),
            lambda: config.load_watchlist(folder),
        )
    alerting = None if (no_alerts or no_match) else immediate_schedules(folder)
    # errors are recorded per run and summarised below; Scrapy's own log (tracebacks of failed
    # robots.txt lookups and all) is for -v
    level = ["CRITICAL", "INFO", "DEBUG"][min(verbose, 2)]
    from mediawatch.scrapers.progress import Board
    from mediawatch.scrapers.runner import (
        run_crawl,
    )  # Scrapy and Twisted load only when there is work

    board = None if as_json or verbose else Board(sys.stderr)
    summaries = run_crawl(chosen, cfg.crawler, str(ctx.obj["db_path"]), matcher, level, board)
    if as_json:
        click.echo(json.dumps([s.__dict__ for s in summaries], indent=2))
    else:
        _print_summaries(summaries)
    if alerting is not None:
        send_immediate_after_crawl(alerting, ctx.obj["db_path"], err=as_json)
    failed = [s for s in summaries if s.status != "ok"]
    if failed and len(failed) == len(summaries):
        ctx.exit(1)  # every source failed: worth a non-zero exit for cron and the daemon
    if any(s.severe for s in summaries):
        ctx.exit(1)  # the archive refused what was fetched, or a parser failed


def _print_summaries(summaries) -> None:
    for s in summaries:
        line = f"{s.source:<28} {s.status:<7} new {s.new_articles:>4}  dup {s.duplicates:>4}  errors {len(s.errors)}"
        click.echo(line)
        for err in s.errors[:5]:
            click.echo(f"    ! {err}")


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def sources(ctx, as_json):
    """List configured sources with their health (last run, failures, newest item age).

    \b
    mediawatch sources add URL [--name N]   find an outlet's feed or sitemap and add it
    mediawatch sources disable NAME         stop crawling a source (enable NAME: again)
    """
    if ctx.invoked_subcommand is not None:
        return
    import sqlite_utils

    from mediawatch import db
    from mediawatch.health import source_rows

    folder = ctx.obj["config_dir"]
    cfg = config.load_sources(folder)
    # failing and stale by the same rules as `status` and the operator alerts (ops: in schedules.yaml)
    schedules = config.load_schedules(folder) if (folder / config.SCHEDULES_FILE).exists() else None
    path = ctx.obj["db_path"]
    conn = sqlite_utils.Database(db.connect_readonly(path)) if path.exists() else None
    rows = source_rows(conn, cfg, schedules)
    for row, source in zip(rows, cfg.sources, strict=True):
        row["url"] = source.url
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{'NAME':<28} {'KIND':<8} {'LAST RUN':<21} {'FAIL':>4} {'NEWEST':>8}  STATE")
    for r in rows:
        age = r["newest_item_age_hours"]
        state = "disabled" if not r["enabled"] else "failing" if r["failing"] else ""
        if r["stale"]:
            state = (state + " stale").strip()
        click.echo(
            f"{r['name']:<28} {r['kind']:<8} {r['last_run_at'] or '-':<21} "
            f"{r['consecutive_failures']:>4} {(f'{age:.1f}h' if age is not None else '-'):>8}  {state or 'ok'}"
        )
        if r["last_error"] and r["consecutive_failures"]:
            click.echo(f"    ! {r['last_error']}")


@sources.command("add")
@click.argument("url")
@click.option("--name", help="Name of the new source (default: from the address).")
@click.option("--dry-run", is_flag=True, help="Show what was found; leave sources.yaml as it is.")
@click.pass_context
def sources_add(ctx, url, name, dry_run):
    """Find the feeds and sitemaps of an outlet's home or section page, try one, show what an
    article from it extracts to, and append it to sources.yaml (comments and layout kept)."""
    from urllib.parse import urlsplit

    from mediawatch.scrapers.discover import DiscoveryError, discover
    from mediawatch.sources_file import append_source

    folder = ctx.obj["config_dir"]
    cfg = config.load_sources(folder)
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise click.BadParameter(f"{url!r} is not an http(s) address", param_hint="URL")
    if name and name in cfg.by_name():
        raise click.BadParameter(f"a source named {name!r} exists already", param_hint="--name")
    try:
        found = discover(url, cfg.crawler)
    except DiscoveryError as exc:
        click.echo(f"error: {exc}", err=True)
        ctx.exit(1)
    for feed in found.feeds:
        click.echo(f"feed      {feed}")
    for sitemap in found.sitemaps:
        click.echo(f"sitemap   {sitemap}")
    for miss in found.tried:
        click.echo(f"    ! {miss}")
    click.echo(f"tried     {found.kind} {found.url}: {found.items} articles listed")
    _show_article(found)
    same = [s.name for s in cfg.sources if s.url == found.url]
    if same:
        click.echo(f"error: {found.url} is already collected by source {same[0]!r}", err=True)
        ctx.exit(1)
    entry = {
        "name": name or _default_name(found, set(cfg.by_name())),
        "kind": found.kind,
        "outlet": (found.outlet or urlsplit(found.page).hostname or "").strip(),
        "url": found.url,
    }
    if found.article and found.article.get("language"):
        entry["language"] = found.article["language"]
    if dry_run:
        click.echo(f"would add {entry} (--dry-run: sources.yaml unchanged)")
        return
    path = cfg.path
    append_source(path, entry)
    click.echo(f"added     {entry['name']} ({entry['kind']}) to {path}")


def _show_article(found) -> None:
    page = found.article
    if not page:
        click.echo(f"article   {found.article_url}: nothing could be extracted")
        return
    text = " ".join((page.get("text") or "").split())
    click.echo(f"article   {found.article_url}")
    click.echo(f"  title     {page.get('title') or '-'}")
    click.echo(f"  date      {page.get('published_at') or '-'} ({page.get('date_source') or '?'})")
    click.echo(f"  authors   {', '.join(page.get('authors') or []) or '-'}")
    click.echo(f"  language  {page.get('language') or '-'}")
    click.echo(f"  text      {len(text)} characters: {text[:200]}{'…' if len(text) > 200 else ''}")


def _default_name(found, taken: set[str]) -> str:
    """dawn-pakistan for https://www.dawn.com/pakistan, unique among the configured names."""
    import ipaddress
    import re
    from urllib.parse import urlsplit

    parts = urlsplit(found.page)
    host = (parts.hostname or "").removeprefix("www.")
    try:
        ipaddress.ip_address(host)
        stem = ""
    except ValueError:
        stem = host.split(".")[0] if host != "localhost" else ""
    section = next((p for p in parts.path.split("/") if p), "")
    raw = "-".join(p for p in (stem, section) if p) or "source"
    base = re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-") or "source"
    for candidate in (base, f"{base}-{found.kind}", *(f"{base}-{n}" for n in range(2, 100))):
        if candidate not in taken:
            return candidate
    raise click.UsageError("give the new source a name with --name")


@sources.command("disable")
@click.argument("name")
@click.pass_context
def sources_disable(ctx, name):
    """Stop crawling a source (sets enabled: false in sources.yaml, comments kept)."""
    _set_enabled(ctx, name, False)


@sources.command("enable")
@click.argument("name")
@click.pass_context
def sources_enable(ctx, name):
    """Crawl a disabled source again."""
    _set_enabled(ctx, name, True)


def _set_enabled(ctx, name: str, enabled: bool) -> None:
    from mediawatch.sources_file import set_enabled

    path = ctx.obj["config_dir"] / config.SOURCES_FILE
    cfg = set_enabled(path, name, enabled)
    state = "enabled" if cfg.by_name()[name].enabled else "disabled"
    click.echo(f"{name} {state} in {path}")

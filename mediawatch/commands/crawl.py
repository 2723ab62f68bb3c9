"""`mediawatch crawl` and `mediawatch sources`: collect now, and show what is configured with its health."""

from __future__ import annotations

import json

import click

from mediawatch import config


def register(group: click.Group) -> None:
    group.add_command(crawl)
    group.add_command(sources)


@click.command()
@click.argument("names", nargs=-1)
@click.option("--all", "all_sources", is_flag=True, help="Crawl every enabled source.")
@click.option("--no-match", is_flag=True, help="Store articles without flagging them.")
@click.option("-v", "--verbose", count=True, help="Scrapy log detail (-v info, -vv debug).")
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
    matcher = None if no_match else config.load_watchlist(folder)
    alerting = None if (no_alerts or no_match) else immediate_schedules(folder)
    level = ["WARNING", "INFO", "DEBUG"][min(verbose, 2)]
    from scrapers.runner import run_crawl  # Scrapy and Twisted load only when there is work

    summaries = run_crawl(chosen, cfg.crawler, str(ctx.obj["db_path"]), matcher, level)
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


@click.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def sources(ctx, as_json):
    """List configured sources with their health (last run, failures, newest item age)."""
    import sqlite_utils

    import db
    from mediawatch.health import source_rows

    cfg = config.load_sources(ctx.obj["config_dir"])
    path = ctx.obj["db_path"]
    conn = sqlite_utils.Database(db.connect_readonly(path)) if path.exists() else None
    rows = source_rows(conn, cfg, None)  # stale by each source's own stale_after
    for row, source in zip(rows, cfg.sources, strict=True):
        row["url"] = source.url
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{'NAME':<28} {'KIND':<8} {'LAST RUN':<21} {'FAIL':>4} {'NEWEST':>8}  STATE")
    for r in rows:
        age = r["newest_item_age_hours"]
        # here a source whose last run failed is marked at once; ops alerts wait for fail_after
        state = "disabled" if not r["enabled"] else "failing" if r["consecutive_failures"] else ""
        if r["stale"]:
            state = (state + " stale").strip()
        click.echo(
            f"{r['name']:<28} {r['kind']:<8} {r['last_run_at'] or '-':<21} "
            f"{r['consecutive_failures']:>4} {(f'{age:.1f}h' if age is not None else '-'):>8}  {state or 'ok'}"
        )
        if r["last_error"] and r["consecutive_failures"]:
            click.echo(f"    ! {r['last_error']}")

"""`mediawatch backfill` (collect a past period) and `mediawatch surges` (check coverage surges)."""

from __future__ import annotations

import json

import click

from mediawatch import config


def register(group: click.Group) -> None:
    group.add_command(backfill)
    group.add_command(surges_command)


def _period(first: str | None, last: str | None):
    from mediawatch.scrapers.backfill import BackfillError, Period

    if not first or not last:
        raise click.UsageError("give both --from and --to (YYYY-MM-DD)")
    try:
        return Period.of_days(first, last)
    except BackfillError as exc:
        raise click.BadParameter(str(exc)) from None


def period_digest(archive, schedules, sub, first, last, now, dry_run):
    from mediawatch.alerts.period import run_period_digest

    period = _period(first, last)
    return run_period_digest(
        archive, schedules, sub, period.start, period.end, now, dry_run=dry_run
    )


@click.command()
@click.argument("names", nargs=-1)
@click.option("--from", "first", required=True, help="First day of the period (YYYY-MM-DD).")
@click.option("--to", "last", required=True, help="Last day of the period (YYYY-MM-DD).")
@click.option("--all", "all_sources", is_flag=True, help="Every enabled source that has history.")
@click.option("--max-pages", type=int, help="Stop after this many article pages (resume later).")
@click.option("--no-match", is_flag=True, help="Store articles without flagging them.")
@click.option("-v", "--verbose", count=True, help="Scrapy log detail (-v info, -vv debug).")
@click.option("--json", "as_json", is_flag=True, help="Print the run summaries as JSON.")
@click.pass_context
def backfill(ctx, names, first, last, all_sources, max_pages, no_match, verbose, as_json):
    """Collect what sources (by name or tag) published from --from to --to, into the archive.

    Sitemap, gdelt, gnews and wayback sources have history; feeds and listings do not. The
    articles are marked backfilled: never sent as news. Run it again to resume after a stop.
    """
    from mediawatch.scrapers.backfill import BACKFILL_SPIDERS, BackfillError, run_backfill

    period = _period(first, last)
    folder = ctx.obj["config_dir"]
    cfg = config.load_sources(folder)
    if all_sources:
        chosen = [s for s in cfg.sources if s.enabled and s.kind in BACKFILL_SPIDERS]
    elif names:
        chosen = cfg.select(list(names))
    else:
        raise click.UsageError("name sources or tags to backfill, or pass --all")
    skipped = [s.name for s in chosen if s.kind not in BACKFILL_SPIDERS]
    if skipped and names:
        click.echo(
            f"skipped (a {'/'.join(sorted({s.kind for s in chosen if s.name in skipped}))} "
            f"keeps no history): {', '.join(skipped)}",
            err=True,
        )
    chosen = [s for s in chosen if s.kind in BACKFILL_SPIDERS]
    if not chosen:
        raise click.UsageError("none of these sources has history to backfill")
    matcher = None if no_match else config.load_watchlist(folder)
    level = ["WARNING", "INFO", "DEBUG"][min(verbose, 2)]
    try:
        summaries = run_backfill(
            chosen, cfg.crawler, str(ctx.obj["db_path"]), period, matcher, level, max_pages
        )
    except BackfillError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps([s.__dict__ for s in summaries], indent=2))
    else:
        for s in summaries:
            click.echo(
                f"{s.source:<28} {s.status:<7} new {s.new_articles:>5}  dup {s.duplicates:>4}  "
                f"requests {s.requests:>5}  errors {len(s.errors)}"
            )
            for err in s.errors[:5]:
                click.echo(f"    ! {err}")
    if summaries and all(s.status != "ok" for s in summaries):
        ctx.exit(1)


@click.command("surges")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def surges_command(ctx, as_json):
    """Check the `surges:` of schedules.yaml now: alert on new episodes and on ended ones."""
    from mediawatch import db
    from mediawatch.alerts.surges import evaluate

    schedules = config.load_schedules(ctx.obj["config_dir"])
    archive = db.connect(ctx.obj["db_path"])
    events = evaluate(archive, schedules)
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in events], indent=2))
        return
    for e in events:
        click.echo(e.describe())
    if not events:
        click.echo("no surge started or ended")

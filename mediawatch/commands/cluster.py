"""`mediawatch worker`: crawl from the cluster's shared Redis queue (any number, any hosts)."""

from __future__ import annotations

import click

from mediawatch import config


def register(group: click.Group) -> None:
    group.add_command(worker)


@click.command()
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Requests this worker has in flight at once (politeness per host holds cluster-wide).",
)
@click.option("--no-match", is_flag=True, help="Send articles without flagging them.")
@click.option("-v", "--verbose", count=True, help="Scrapy log detail (-v info, -vv debug).")
@click.pass_context
def worker(ctx, concurrency, no_match, verbose):
    """Fetch, extract and match articles for the cluster in schedules.yaml (or MEDIAWATCH_REDIS);
    the archive writer in `mediawatch run` stores them. SIGTERM stops it gracefully."""
    from mediawatch.cluster import redis_url

    folder = ctx.obj["config_dir"]
    url = redis_url(config.load_schedules(folder))
    if not url:
        raise click.UsageError(
            "no cluster configured: add `cluster: {redis: redis://HOST:6379/0}` to "
            "schedules.yaml or set MEDIAWATCH_REDIS"
        )
    cfg = config.load_sources(folder)
    matcher = None if no_match else config.load_watchlist(folder)
    level = ["WARNING", "INFO", "DEBUG"][min(verbose, 2)]
    from mediawatch.scrapers.cluster.worker import run_worker

    run_worker(cfg.sources, cfg.crawler, url, matcher, concurrency, level)

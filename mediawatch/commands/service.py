"""`mediawatch run` (the daemon) and `mediawatch status` (is everything working?)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click

from mediawatch import config


def register(group: click.Group) -> None:
    group.add_command(run)
    group.add_command(status)


@click.command()
@click.option(
    "--once",
    is_flag=True,
    help="Run every crawl job once, then the due digests and housekeeping; exit.",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="One line per event on stderr: plain text, or one JSON object per line.",
)
@click.option(
    "--min-free-mb",
    type=click.FloatRange(min=0),
    default=1024,
    show_default=True,
    help="Warn (and alert the operator once) below this much free disk beside the archive.",
)
@click.pass_context
def run(ctx, once, log_format, min_free_mb):
    """Poll every source on its schedule and send alerts and digests (foreground; for systemd).

    SIGTERM or SIGINT stops it within 10 s; SIGHUP reloads sources.yaml, watchlist.yaml and
    schedules.yaml (an invalid file is refused and the running configuration kept).
    """
    from mediawatch import eventlog
    from mediawatch.daemon import Daemon

    eventlog.setup(log_format)
    daemon = Daemon(ctx.obj["config_dir"], ctx.obj["db_path"], min_free_mb=min_free_mb)
    if once:
        if not daemon.run_once():
            ctx.exit(1)
        return
    daemon.run_forever()


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print everything as one JSON object.")
@click.pass_context
def status(ctx, as_json):
    """Health of every source and subscription: last run, new articles, failures, deliveries."""
    import sqlite_utils

    from mediawatch import db, health
    from mediawatch.db import deliveries as store
    from mediawatch.db.surges import current_episodes
    from mediawatch.schedules import unpolled_sources
    from mediawatch.supervisor import running_daemon

    folder, path = ctx.obj["config_dir"], ctx.obj["db_path"]
    sources_cfg = config.load_sources(folder)
    schedules = config.load_schedules(folder)
    conn = sqlite_utils.Database(db.connect_readonly(path)) if path.exists() else None
    now = datetime.now(UTC)
    report: dict[str, Any] = {
        "generated_at": db.utc_iso(now),
        "archive": str(path),
        "daemon_pid": running_daemon(path),
        "sources": health.source_rows(conn, sources_cfg, schedules),
        "subscriptions": health.subscription_rows(conn, schedules, now),
        # failed for good, and those still pending after an error (retrying or waiting)
        "failed_deliveries": store.list_deliveries(conn, status="problems", limit=10)
        if conn
        else [],
        "unpolled_sources": [s.name for s in unpolled_sources(schedules, sources_cfg)],
        "surges": current_episodes(conn) if conn else [],
    }
    from mediawatch.cluster import cluster_status, redis_url

    if url := redis_url(schedules):
        report["cluster"] = cluster_status(url)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    _print_report(report, now)


def _print_cluster(c: dict) -> None:
    click.echo(f"cluster: {c['redis']}")
    if "error" in c:
        click.echo(f"    ! {c['error']}")
        return
    click.echo(
        f"    queue: {c['queue']}  in flight: {c['in_flight']}  stream lag: {c['stream_lag']}"
    )
    click.echo(f"    workers seen in the last minute: {len(c['workers'])}")
    for w in c["workers"]:
        error = f"  last error: {w['last_error']}" if w.get("last_error") else ""
        click.echo(f"      {w['host']} pid {w['pid']}  pages {w['pages']}{error}")
    if not c["workers"]:
        click.echo("    ! no worker seen in the last minute: nothing is being crawled")


def _print_report(report: dict, now: datetime) -> None:
    from mediawatch.commands.alerts import delivery_state

    pid = report["daemon_pid"]
    click.echo(f"archive: {report['archive']}")
    click.echo(f"daemon:  {f'running (pid {pid})' if pid else 'not running'}")
    if "cluster" in report:
        _print_cluster(report["cluster"])
    click.echo("")
    click.echo(
        f"{'SOURCE':<26} {'KIND':<8} {'LAST RUN':>9} {'NEW 24H':>7} {'NEWEST':>8} {'FAILS':>5}  STATE"
    )
    for r in report["sources"]:
        age = r["newest_item_age_hours"]
        marks = [m for m in ("failing", "stale") if r[m]]
        state = "disabled" if not r["enabled"] else " ".join(marks) or "ok"
        if not r["last_run_at"] and r["enabled"]:
            state = "never run"
        click.echo(
            f"{r['name']:<26} {r['kind']:<8} {_ago(r['last_run_at'], now):>9} "
            f"{r['new_articles_24h']:>7} {(f'{age:.1f}h' if age is not None else '-'):>8} "
            f"{r['consecutive_failures']:>5}  {state}"
        )
        if r["last_error"] and r["consecutive_failures"]:
            click.echo(f"    ! {r['last_error']}")
        if links := r.get("google_news_links"):
            click.echo(
                "    google news links: {resolved} resolved, {pending} pending, {failed} failed".format(
                    **links
                )
            )
    for name in report["unpolled_sources"]:
        click.echo(
            f"    ! {name}: enabled, but no crawl job in schedules.yaml selects it: never crawled"
        )
    click.echo("")
    # the WHEN column fits its longest entry: a time zone name is never cut short
    width = max([26, *(len(s["when"]) for s in report["subscriptions"])])
    click.echo(
        f"{'SUBSCRIPTION':<22} {'WHEN':<{width}} {'LAST DIGEST':>11} {'ITEMS':>5} "
        f"{'PENDING':>7} {'FAILED':>6}  NEXT"
    )
    for s in report["subscriptions"]:
        items = s["last_digest_items"]
        click.echo(
            f"{s['name']:<22} {s['when']:<{width}} {_ago(s['last_digest_at'], now):>11} "
            f"{'-' if items is None else items:>5} {s['pending']:>7} {s['failed']:>6}  "
            f"{s['next_run_at'] or '-'}"
        )
    if report.get("surges"):
        click.echo("")
        click.echo("surges going on now:")
        for e in report["surges"]:
            where = f" at {e['key']}" if e["key"] else ""
            click.echo(
                f"    {e['surge']}{where}: since {e['started_at']} ({_ago(e['started_at'], now)}), "
                f"{e['count']} articles at the start, peak {e['peak']}, "
                f"usually {e['baseline_rate']:.1f}"
            )
    if report["failed_deliveries"]:
        click.echo("")
        click.echo("failed deliveries, and those waiting (see `mediawatch deliveries --failed`):")
        for d in report["failed_deliveries"]:
            click.echo(
                f"    ! #{d['id']} {d['subscription']} to {d['channel']} {delivery_state(d)} "
                f"({_ago(d['last_attempt_at'], now)}): {d['error']}"
            )


def _ago(stamp: str | None, now: datetime) -> str:
    from mediawatch.db.connection import parse_iso

    moment = parse_iso(stamp)
    if moment is None:
        return "never"
    seconds = max(0, (now - moment).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit} ago"
    return f"{seconds:.0f}s ago"

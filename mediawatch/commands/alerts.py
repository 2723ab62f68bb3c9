"""`mediawatch digest` and `mediawatch deliveries`: build a digest now, see what was sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from mediawatch.commands.options import since_callback


def register(group: click.Group) -> None:
    group.add_command(digest_command)
    group.add_command(deliveries_command)


@click.command("digest")
@click.argument("name")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send and record nothing.")
@click.option(
    "--preview",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write the HTML digest to this file (open it in a browser).",
)
@click.option(
    "--since",
    callback=since_callback,
    help="Look back to this point (a date, or a time ago such as 7d) instead of the lookback.",
)
@click.option("--from", "period_from", help="A digest of a past period: first day (YYYY-MM-DD).")
@click.option("--to", "period_to", help="Last day of that period (with --from).")
@click.pass_context
def digest_command(
    ctx,
    name: str,
    dry_run: bool,
    preview: str | None,
    since: str | None,
    period_from: str | None,
    period_to: str | None,
) -> None:
    """Build the digest NAME (from schedules.yaml) now, then send it unless --dry-run.

    With --from and --to: every flagged article of that period, backfilled history included."""
    from mediawatch import alerts, db
    from mediawatch.config import load_schedules

    schedules = load_schedules(ctx.obj["config_dir"])
    sub = schedules.digest(name)
    now = datetime.now(UTC).replace(microsecond=0)
    start = db.parse_iso(since)
    archive = db.connect(ctx.obj["db_path"])
    if period_from or period_to:
        from mediawatch.commands.history import period_digest

        result = period_digest(archive, schedules, sub, period_from, period_to, now, dry_run)
    else:
        result = alerts.run_digest(archive, schedules, sub, now, dry_run=dry_run, since=start)
    digest = result.digest
    if result.message is None:
        click.echo(f"{name}: nothing new since {_local(digest.since)}; nothing sent.")
        return
    if digest.empty:
        click.echo(f"{name}: nothing new since {_local(digest.since)}; empty-digest notice.")
    else:
        click.echo(
            f"{name}: {_n(digest.story_count, 'story', 'stories')} from "
            f"{_n(len(digest.items), 'article')} since {_local(digest.since)}"
        )
    for section in digest.sections:
        more = f", {section.more} more not listed" if section.more else ""
        click.echo(f"  {section.topic:<24} {_n(len(section.stories), 'story', 'stories')}{more}")
    click.echo(f"  subject: {result.message.subject}")
    if preview:
        Path(preview).write_text(result.message.html_inline(), encoding="utf-8")
        click.echo(f"  preview: {preview}")
    if dry_run:
        channels = ", ".join(f"{c.name} ({c.type})" for c in sub.channels)
        click.echo(f"dry run: nothing sent or recorded (would go to {channels})")
        return
    for attempt in result.attempts:
        if attempt.status == "sent":
            click.echo(f"  {attempt.channel}: sent ({attempt.detail})")
        elif attempt.status == "retry":
            click.echo(
                f"  {attempt.channel}: not sent yet, retry at {attempt.next_attempt_at}: "
                f"{attempt.detail}"
            )
        elif attempt.status == "waiting":
            click.echo(f"  {attempt.channel}: not sent, waiting: {attempt.detail}")
        else:
            click.echo(f"  {attempt.channel}: FAILED: {attempt.detail}")
    if not result.delivered:  # for cron and scripts: some channel did not get it now
        ctx.exit(1)


@click.command("deliveries")
@click.option(
    "--failed",
    "status",
    flag_value="problems",
    help="Failed deliveries, and those waiting for a retry or a secret, with their last error.",
)
@click.option("--pending", "status", flag_value="pending", help="Only deliveries still to send.")
@click.option("--sent", "status", flag_value="sent", help="Only sent deliveries.")
@click.option("--subscription", help="Only this subscription.")
@click.option("--limit", default=50, show_default=True, help="At most this many, newest first.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines for scripts.")
@click.option(
    "--retry",
    "retry_id",
    is_flag=False,
    flag_value="",
    metavar="[ID]",
    help="Queue failed delivery ID again (after a fix); --retry --all: every failed one.",
)
@click.option(
    "--all",
    "retry_all",
    is_flag=True,
    help="With --retry: every failed delivery (of --subscription).",
)
@click.pass_context
def deliveries_command(ctx, status, subscription, limit, as_json, retry_id, retry_all) -> None:
    """List digests sent, pending (waiting for a retry) and failed, per channel."""
    from mediawatch import db
    from mediawatch.alerts import AlertError
    from mediawatch.db import deliveries as store

    if retry_all or retry_id is not None:
        if retry_all != (retry_id == ""):
            raise click.UsageError("give --retry ID, or --retry --all")
        if retry_id and not retry_id.isdigit():
            raise click.BadParameter(f"{retry_id!r} is not a delivery id", param_hint="--retry")
        archive = db.connect(ctx.obj["db_path"])
        now = db.utc_iso()
        if retry_all:
            ids = store.retry_all_failed(archive, now, subscription)
            if not ids:
                click.echo("no failed deliveries to queue again")
                return
            which = ", ".join(f"#{i}" for i in ids)
            click.echo(
                f"{_n(len(ids), 'delivery', 'deliveries')} queued again ({which}); "
                "the daemon (or `mediawatch run --once`) sends them"
            )
            return
        if not store.retry_failed(archive, int(retry_id), now):
            raise AlertError(f"delivery {retry_id} is not a failed delivery")
        click.echo(
            f"delivery {retry_id} queued again; the daemon (or `mediawatch run --once`) sends it"
        )
        return
    reader = db.connect_readonly(ctx.obj["db_path"])
    rows = store.list_deliveries(reader, status=status, subscription=subscription, limit=limit)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    if not rows:
        what = {"problems": " failed or waiting for a retry"}.get(
            status, f" {status}" if status else ""
        )
        click.echo("no deliveries" + what)
        return
    for row in rows:
        when = {
            "sent": f"sent {row['sent_at']}",
            "pending": f"next try {row['next_attempt_at']}",
            "failed": "failed",
        }.get(row["status"], row["status"])
        if row["status"] == "pending" and row.get("waiting_for"):
            when = f"waiting for {row['waiting_for']} to be set"
        click.echo(
            f"#{row['id']:<5} {row['created_at']}  {row['subscription']:<16} "
            f"{row['channel']} ({row['channel_type']})  {_state(row):<8}  "
            f"{row['items']} articles, {row['attempts']} attempts, {when}"
        )
        click.echo(f"       {row['subject']}")
        if row["error"] and row["status"] != "sent":
            click.echo(f"       error: {row['error']}")


def _state(row: dict) -> str:
    """A pending delivery that already failed once is "retrying" (or "waiting" for a secret)."""
    if row["status"] == "pending" and row.get("waiting_for"):
        return "waiting"
    if row["status"] == "pending" and row["error"]:
        return "retrying"
    return row["status"]


def delivery_state(row: dict) -> str:
    """failed / retrying at TIME / waiting for VARIABLE / pending / sent, as the user reads it."""
    if row["status"] == "pending" and row.get("waiting_for"):
        return f"waiting for {row['waiting_for']}"
    if row["status"] == "pending" and row["error"]:
        return f"retrying at {row['next_attempt_at']}"
    return row["status"]


def immediate_schedules(folder: Path):
    """schedules.yaml when it has `immediate: true` digests (read before a crawl, so a broken
    file is reported before minutes of crawling); None when there is nothing to send."""
    from mediawatch import config

    if not (Path(folder) / config.SCHEDULES_FILE).exists():
        return None
    schedules = config.load_schedules(folder)
    return schedules if schedules.immediate or schedules.surges else None


def send_immediate_after_crawl(schedules, db_path: Path, *, err: bool = False) -> bool:
    """What `run` does after each crawl: send the immediate digests what the crawl stored.
    One line per digest sent (on stderr with err=True, e.g. beside --json); True when every
    channel took what was sent."""
    from mediawatch import alerts, db
    from mediawatch.alerts.surges import evaluate

    archive = db.connect(db_path)
    try:
        results = alerts.send_immediate(archive, schedules)
        surges = evaluate(archive, schedules)  # surges too are judged right after a crawl
    finally:
        archive.conn.close()
    for event in surges:
        click.echo(event.describe(), err=err)
    ok = True
    for result in results:
        if result.message is None or result.digest is None:
            continue
        states = ", ".join(f"{a.channel} {a.status}" for a in result.attempts)
        click.echo(
            f"alert {result.subscription}: {_n(len(result.digest.items), 'article')} ({states})",
            err=err,
        )
        ok = ok and result.delivered
    return ok


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _local(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")

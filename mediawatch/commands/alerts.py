"""`mediawatch digest` and `mediawatch deliveries`: build a digest now, see what was sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from mediawatch.commands.options import since_callback

STATUSES = ("pending", "sent", "failed")


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
@click.pass_context
def digest_command(ctx, name: str, dry_run: bool, preview: str | None, since: str | None) -> None:
    """Build the digest NAME (from schedules.yaml) now, then send it unless --dry-run."""
    import alerts
    import db
    from mediawatch.config import load_schedules

    schedules = load_schedules(ctx.obj["config_dir"])
    sub = schedules.digest(name)
    now = datetime.now(UTC).replace(microsecond=0)
    start = db.parse_iso(since)
    archive = db.connect(ctx.obj["db_path"])
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
        else:
            click.echo(f"  {attempt.channel}: FAILED: {attempt.detail}")


@click.command("deliveries")
@click.option("--failed", "status", flag_value="failed", help="Only failed deliveries.")
@click.option("--pending", "status", flag_value="pending", help="Only deliveries still to send.")
@click.option("--sent", "status", flag_value="sent", help="Only sent deliveries.")
@click.option("--subscription", help="Only this subscription.")
@click.option("--limit", default=50, show_default=True, help="At most this many, newest first.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines for scripts.")
@click.option("--retry", "retry_id", type=int, help="Queue failed delivery ID again (after a fix).")
@click.pass_context
def deliveries_command(ctx, status, subscription, limit, as_json, retry_id) -> None:
    """List digests sent, pending (waiting for a retry) and failed, per channel."""
    import db
    from alerts import AlertError
    from db import deliveries as store

    if retry_id is not None:
        archive = db.connect(ctx.obj["db_path"])
        now = db.utc_iso()
        if not store.retry_failed(archive, retry_id, now):
            raise AlertError(f"delivery {retry_id} is not a failed delivery")
        click.echo(
            f"delivery {retry_id} queued again; the daemon (or `mediawatch run --once`) sends it"
        )
        return
    archive = db.connect_readonly(ctx.obj["db_path"])
    rows = store.list_deliveries(archive, status=status, subscription=subscription, limit=limit)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    if not rows:
        click.echo("no deliveries" + (f" {status}" if status else ""))
        return
    for row in rows:
        when = {
            "sent": f"sent {row['sent_at']}",
            "pending": f"next try {row['next_attempt_at']}",
            "failed": "failed",
        }.get(row["status"], row["status"])
        click.echo(
            f"#{row['id']:<5} {row['created_at']}  {row['subscription']:<16} "
            f"{row['channel']} ({row['channel_type']})  {row['status']:<7}  "
            f"{row['items']} articles, {row['attempts']} attempts, {when}"
        )
        click.echo(f"       {row['subject']}")
        if row["error"] and row["status"] != "sent":
            click.echo(f"       error: {row['error']}")


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _local(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")

"""`mediawatch config check`: is the configuration ready for the daemon, and what would it do?

The same validation as `mediawatch run` (the three files together), plus what a valid file can
still get wrong: secrets missing from this environment and enabled sources no crawl job polls.
Then the plan: every job with its next fire time, from the archive's state when there is one.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import click

from mediawatch.times import format_duration, parse_iso, utc_iso


def register(group: click.Group) -> None:
    group.add_command(config_group)


@click.group("config")
def config_group() -> None:
    """Check the configuration files."""


@config_group.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the problems and the plan as JSON.")
@click.pass_context
def check(ctx, as_json: bool) -> None:
    """Validate sources.yaml, watchlist.yaml and schedules.yaml, the secrets they name and the
    crawl jobs' coverage; print what the daemon would run and when. Exit 1 on any problem."""
    from mediawatch import runconfig
    from mediawatch.schedules import missing_secrets, unpolled_sources

    folder = Path(ctx.obj["config_dir"])
    scratch = Path(tempfile.mkdtemp(prefix="mediawatch-check-"))
    try:
        cfg = runconfig.load(folder, scratch)  # ConfigError: one line naming file:line: key
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    problems = [m.describe() for m in missing_secrets(cfg.schedules)]
    problems += [
        f"source {s.name}: enabled, but no crawl job in schedules.yaml selects it (by name or "
        f"one of its tags {', '.join(s.tags)}): it would never be crawled"
        for s in unpolled_sources(cfg.schedules, cfg.sources)
    ]
    now = datetime.now(UTC).replace(microsecond=0)
    plan = _plan(cfg, _state(Path(ctx.obj["db_path"])), now)
    if as_json:
        click.echo(json.dumps({"ok": not problems, "problems": problems, "plan": plan}, indent=2))
    else:
        _print(folder, cfg, problems, plan)
    if problems:
        ctx.exit(1)


def _state(path: Path) -> dict:
    """What the archive knows (last crawl starts, digest runs, housekeeping); {} without one."""
    from mediawatch.db import deliveries as store
    from mediawatch.db import health as health_store
    from mediawatch.db.connection import connect_readonly

    if not path.exists():
        return {}
    conn = connect_readonly(path)
    try:
        try:
            housekeeping = health_store.last_maintenance(conn, "housekeeping")
        except sqlite3.OperationalError:
            housekeeping = None
        return {
            "crawl_starts": health_store.last_crawl_starts(conn),
            "digest_runs": store.last_runs(conn),
            "housekeeping": housekeeping,
        }
    finally:
        conn.close()


def _plan(cfg, state: dict, now: datetime) -> list[dict]:
    """One entry per job the daemon would schedule, with its next run (UTC, no jitter)."""
    from mediawatch.daemon import _first_crawl

    plan = []
    starts = state.get("crawl_starts", {})
    for job in cfg.schedules.crawls:
        names = cfg.job_sources(job)
        first = _first_crawl(job.schedule, [starts.get(n) for n in names], now)
        if first is None:
            first = job.schedule.next_after(now)
        plan.append(
            {
                "job": f"crawl {job.name}",
                "when": _when(job.schedule),
                "next": utc_iso(first) if names else None,
                "at_start": bool(names) and first == now,
                "what": f"{len(names)} source{'s' if len(names) != 1 else ''}: {', '.join(names)}"
                if names
                else "no enabled source: skipped",
            }
        )
    runs = state.get("digest_runs", {})
    for sub in cfg.schedules.digests:
        channels = ", ".join(c.name for c in sub.channels)
        if sub.immediate:
            when, nxt = "immediate", None
            what = f"after each crawl that stores a match; to {channels}"
        else:
            when = _when(sub.schedule)
            nxt = utc_iso(sub.schedule.next_run(parse_iso(runs.get(sub.name)), now))
            what = f"to {channels}"
        plan.append({"job": f"digest {sub.name}", "when": when, "next": nxt, "what": what})
    hk = cfg.schedules.housekeeping
    plan.append(
        {
            "job": "housekeeping",
            "when": _when(hk.schedule),
            "next": utc_iso(hk.schedule.next_run(parse_iso(state.get("housekeeping")), now)),
            "what": "optimize the search index, prune old crawl records",
        }
    )
    return plan


def _when(schedule) -> str:
    if schedule.cron:
        text = f"cron {schedule.cron} {schedule.timezone}"
    else:
        text = f"every {format_duration(schedule.every)}"
    if schedule.jitter:
        text += f" (+ up to {format_duration(schedule.jitter)})"
    return text


def _print(folder: Path, cfg, problems: list[str], plan: list[dict]) -> None:
    sources = cfg.sources.sources
    enabled = sum(1 for s in sources if s.enabled)
    click.echo(f"config:   {folder}: sources.yaml, watchlist.yaml, schedules.yaml are valid")
    counts = [
        (len(sources), "source"),
        (len(cfg.topics), "topic"),
        (len(cfg.schedules.crawls), "crawl job"),
        (len(cfg.schedules.digests), "digest"),
        (len(cfg.schedules.channels), "channel"),
    ]
    words = [f"{n} {word}{'' if n == 1 else 's'}" for n, word in counts]
    words[0] += f" ({enabled} enabled)"
    click.echo("          " + ", ".join(words))
    if problems:
        click.echo(f"problems: {len(problems)}")
        for line in problems:
            click.echo(f"  ! {line}")
    else:
        click.echo("problems: none (secrets set, every enabled source in a crawl job)")
    click.echo("")
    click.echo("the daemon would run (next times in UTC):")
    width = max(len(p["job"]) for p in plan)
    when_width = max(len(p["when"]) for p in plan)
    for p in plan:
        nxt = "at start" if p.get("at_start") else (p["next"] or "-")
        click.echo(f"  {p['job']:<{width}}  {p['when']:<{when_width}}  next {nxt:<20}  {p['what']}")

"""Source and subscription health: what `mediawatch status` shows and what the operator is told.

A source is failing after `ops.fail_after` failed runs in a row, stale when its newest item is
older than `ops.stale_after` (else the source's own `stale_after`). The operator gets one alert
when a source goes from healthy to any problem, and one when it is healthy again; changes
between problems (failing, then also stale) are recorded without another alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from mediawatch.times import parse_iso, utc_iso


def fail_after(schedules) -> int:
    """Failed runs in a row after which a source is failing: ops.fail_after, the one rule."""
    from mediawatch.schedules import DEFAULT_FAIL_AFTER

    ops = schedules.ops if schedules is not None else None
    return ops.fail_after if ops else DEFAULT_FAIL_AFTER


def is_failing(consecutive_failures: int | None, threshold: int) -> bool:
    return (consecutive_failures or 0) >= threshold


def source_rows(db, sources_cfg, schedules) -> list[dict[str, Any]]:
    """One row per configured source: its health columns plus the `failing` and `stale` marks."""
    from mediawatch.db.crawls import source_health
    from mediawatch.db.gnews import link_counts
    from mediawatch.db.health import health_states

    links: dict[str, dict[str, int]] = {}
    if db is None:
        health, states = {}, {}
    else:
        wrapped = db if isinstance(db, sqlite_utils.Database) else sqlite_utils.Database(db)
        health, states = source_health(wrapped), health_states(db)
        links = link_counts(db)
    ops = schedules.ops if schedules is not None else None
    threshold = fail_after(schedules)
    rows = []
    for s in sources_cfg.sources:
        h = health.get(s.name, {})
        stale_after = (ops.stale_after if ops and ops.stale_after else None) or s.stale_after
        age = h.get("newest_item_age_hours")
        failures = h.get("consecutive_failures") or 0
        row = {}
        if s.kind == "gnews":  # opaque Google News links: resolved, pending (not tried), failed
            row["google_news_links"] = links.get(s.name, {"resolved": 0, "pending": 0, "failed": 0})
        rows.append(
            row
            | {
                "name": s.name,
                "kind": s.kind,
                "outlet": s.outlet,
                "enabled": s.enabled,
                "last_run_at": h.get("last_run_at"),
                "last_success_at": h.get("last_success_at"),
                "new_articles_24h": h.get("new_articles_24h") or 0,
                "newest_item_at": h.get("newest_item_at"),
                "newest_item_age_hours": age,
                "stale_after_hours": round(stale_after / 3600, 2),
                "consecutive_failures": failures,
                "last_error": h.get("last_error"),
                "last_error_at": h.get("last_error_at"),
                "failing": bool(s.enabled and is_failing(failures, threshold)),
                "stale": bool(s.enabled and age is not None and age * 3600 > stale_after),
                "alerted": sorted(states.get(s.name, frozenset())),
            }
        )
    return rows


def problems(row: dict[str, Any]) -> frozenset[str]:
    return frozenset(p for p in ("failing", "stale") if row[p])


@dataclass(frozen=True)
class Transition:
    source: str
    before: frozenset[str]
    after: frozenset[str]
    notify: bool  # the operator is told (start of a problem, or recovery)
    subject: str
    text: str
    key: str = ""  # the same for the whole episode, so a crash never sends it twice


def transitions(rows: list[dict[str, Any]], notify_recovery: bool = True) -> list[Transition]:
    """The sources whose problems differ from what the operator was last told."""
    out = []
    for row in rows:
        before, after = frozenset(row["alerted"]), problems(row)
        if before == after or not row["enabled"]:
            continue
        if not before:
            subject, text = _problem_message(row, after)
            since = (
                f"failing-after:{row['last_success_at'] or 'never'}"
                if "failing" in after
                else f"stale-since:{row['newest_item_at']}"
            )
            key = f"source:{row['name']}:{since}"
            out.append(Transition(row["name"], before, after, True, subject, text, key))
        elif not after:
            subject = f"mediawatch: source {row['name']} recovered"
            text = (
                f"Source {row['name']} ({row['outlet']}) works again: last successful run "
                f"{row['last_success_at'] or 'never'}, newest item {_age(row)}."
            )
            key = f"source:{row['name']}:recovered:{row['last_success_at']}:{row['newest_item_at']}"
            out.append(Transition(row["name"], before, after, notify_recovery, subject, text, key))
        else:
            out.append(Transition(row["name"], before, after, False, "", ""))
    return out


def _problem_message(row: dict[str, Any], found: frozenset[str]) -> tuple[str, str]:
    what = " and ".join(sorted(found))
    lines = [f"Source {row['name']} ({row['outlet']}, {row['kind']}) is {what}."]
    if "failing" in found:
        lines.append(
            f"It failed {row['consecutive_failures']} runs in a row; last error "
            f"({row['last_error_at'] or '?'}): {row['last_error'] or 'unknown'}."
        )
        lines.append(f"Last successful run: {row['last_success_at'] or 'never'}.")
    if "stale" in found:
        lines.append(
            f"Its newest item is {_age(row)}, older than the {row['stale_after_hours']:g} h "
            "after which a source counts as stale."
        )
    lines.append("You will get one more message when it recovers; see `mediawatch status`.")
    return f"mediawatch: source {row['name']} is {what}", "\n".join(lines)


def _age(row: dict[str, Any]) -> str:
    age = row["newest_item_age_hours"]
    return "unknown" if age is None else f"{age:.1f} h old"


def subscription_rows(db, schedules, now: datetime | None = None) -> list[dict[str, Any]]:
    """One row per digest subscription: last digest, next run, pending and failed deliveries."""
    from mediawatch.db import deliveries as store

    now = now or datetime.now(UTC)
    last_digest = store.last_digests(db) if db is not None else {}
    counts = store.delivery_counts(db) if db is not None else {}
    last_runs = store.last_runs(db) if db is not None else {}
    rows = []
    for sub in schedules.digests:
        digest = last_digest.get(sub.name) or {}
        n = counts.get(sub.name, {})
        next_run = None
        if sub.schedule is not None:
            last = parse_iso(last_runs.get(sub.name))
            next_run = utc_iso(sub.schedule.next_run(last, now))
        rows.append(
            {
                "name": sub.name,
                "topics": list(sub.topics),
                "channels": [c.name for c in sub.channels],
                "when": "immediate" if sub.immediate else _when(sub.schedule),
                "last_run_at": last_runs.get(sub.name),
                "last_digest_at": digest.get("created_at"),
                "last_digest_items": digest.get("items"),
                "last_digest_subject": digest.get("subject"),
                "next_run_at": next_run,
                "pending": n.get("pending", 0),
                "failed": n.get("failed", 0),
                "sent": n.get("sent", 0),
            }
        )
    return rows


def _when(schedule) -> str:
    if schedule is None:
        return "-"
    if schedule.cron:
        return f"cron {schedule.cron} {schedule.timezone}"
    return f"every {schedule.every:g}s"

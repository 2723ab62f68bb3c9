"""A digest of a past period (`digest NAME --from --to`): every flagged article published in it,
backfilled ones included, grouped as in any digest. It never marks news as delivered: it is
recorded under its own label, so the subscription's own digests are unchanged."""

from __future__ import annotations

from datetime import datetime, timedelta

from mediawatch.alerts.digest import Digest, assemble
from mediawatch.alerts.outbox import DigestResult, new_key, send_pending
from mediawatch.alerts.render import render_digest
from mediawatch.db import backfill as period_store
from mediawatch.db import deliveries as store
from mediawatch.times import utc_iso

CHART_DAYS = 31


def build_period_digest(db, subscription, start: datetime, end: datetime) -> Digest:
    rows = period_store.period_matches(
        db,
        subscription.topics,
        start=utc_iso(start),
        end=utc_iso(end),
        min_score=subscription.min_score,
    )
    first = max(start, end - timedelta(days=CHART_DAYS)).date()
    days = [(first + timedelta(days=i)).isoformat() for i in range((end.date() - first).days)]
    per_day: dict[str, dict[str, int]] = {t: {} for t in subscription.topics}
    for row in rows:
        day = (row["published_at"] or row["fetched_at"] or "")[:10]
        per_day[row["topic"]][day] = per_day[row["topic"]].get(day, 0) + 1
    return assemble(subscription, rows, days, per_day, end, start)


def run_period_digest(
    db, schedules, subscription, start: datetime, end: datetime, now: datetime, *, dry_run=False
) -> DigestResult:
    digest = build_period_digest(db, subscription, start, end)
    result = DigestResult(subscription.name, digest)
    if digest.empty:
        return result
    message = render_digest(digest, schedules.templates)
    result.message = message
    if dry_run:
        return result
    label = f"{subscription.name}@{utc_iso(start)[:10]}..{utc_iso(end)[:10]}"
    digest_id = store.record_digest(
        db,
        subscription=label,
        kind="period",
        key=new_key(),
        created_at=utc_iso(now),
        since=utc_iso(start),
        items=[],  # history, not news: the subscription's delivered set stays as it was
        stories=digest.story_count,
        subject=message.subject,
        message=message.to_dict(),
        deliveries=[(c.name, c.type, new_key()) for c in subscription.channels],
        next_attempt_at=utc_iso(now),
    )
    result.digest_id = digest_id
    result.attempts = send_pending(db, schedules, now, digest_id=digest_id)
    return result

"""Entry points that record and send: build -> render -> record in the outbox -> deliver.

The outbox row comes first and is marked sent after, so a crash in between repeats a delivery
at most once, with the same key. Failures are retried with exponential backoff and jitter; the
next attempt time lives in the archive, so retries survive restarts.
"""

from __future__ import annotations

import logging
import os
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from mediawatch.alerts.channels import deliver, timeout_of
from mediawatch.alerts.digest import Digest, build_digest
from mediawatch.alerts.errors import AlertError, PermanentError, SecretMissing, TransientError
from mediawatch.alerts.render import Message, render_digest, render_notice
from mediawatch.db import deliveries as store
from mediawatch.db.connection import parse_iso, utc_iso

if TYPE_CHECKING:  # types only
    from mediawatch.alerts.config import AlertsConfig, Channel, Subscription

log = logging.getLogger("mediawatch.alerts")
LEASE_MARGIN = 60.0  # seconds beyond the channel timeout before a crashed attempt is retried
RECORD_TRIES = 3


@dataclass
class Attempt:
    delivery_id: int
    subscription: str
    channel: str
    key: str
    status: str  # sent | retry | waiting (for a secret) | failed
    detail: str = ""
    next_attempt_at: str | None = None


@dataclass
class DigestResult:
    subscription: str
    digest: Digest | None = None
    message: Message | None = None
    digest_id: int | None = None
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def sent(self) -> bool:
        return self.digest_id is not None

    @property
    def delivered(self) -> bool:
        """Every channel took the digest now (nothing failed, nothing left for a retry)."""
        return all(a.status == "sent" for a in self.attempts)


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)


def new_key() -> str:
    return "msg_" + uuid.uuid4().hex


def run_digest(
    db,
    schedules: AlertsConfig,
    subscription: Subscription | str,
    now: datetime | None = None,
    *,
    dry_run: bool = False,
    since: datetime | None = None,
) -> DigestResult:
    """Build the subscription's digest now; unless dry_run, record it and deliver it.

    Nothing new -> nothing recorded or sent, except an empty-digest notice when the
    subscription asks for one. A dry run reads only and returns the rendered message.
    """
    sub = schedules.digest(subscription) if isinstance(subscription, str) else subscription
    now = _now(now)
    for _ in range(RECORD_TRIES):
        digest = build_digest(db, sub, now, since=since)
        result = DigestResult(sub.name, digest)
        if digest.empty and not sub.empty_notice:
            return result
        message = render_digest(digest, schedules.templates)
        result.message = message
        if dry_run:
            return result
        digest_id = store.record_digest(
            db,
            subscription=sub.name,
            kind=message.kind,
            key=new_key(),
            created_at=utc_iso(now),
            since=utc_iso(digest.since),
            items=digest.items,
            stories=digest.story_count,
            subject=message.subject,
            message=message.to_dict(),
            deliveries=[(c.name, c.type, new_key()) for c in sub.channels],
            next_attempt_at=utc_iso(now),
        )
        if digest_id is None:  # another process recorded some of these articles first
            continue
        result.digest_id = digest_id
        log.info(
            "digest %s: %d stories, %d articles recorded as #%d",
            sub.name,
            digest.story_count,
            len(digest.items),
            digest_id,
        )
        result.attempts = send_pending(db, schedules, now, digest_id=digest_id)
        return result
    raise AlertError(
        f"digest {sub.name}: could not record it (other runs kept taking its articles)"
    )


def send_immediate(db, schedules: AlertsConfig, now: datetime | None = None) -> list[DigestResult]:
    """Send every `immediate: true` subscription what is new; call after every crawl."""
    return [run_digest(db, schedules, sub, now) for sub in schedules.immediate]


def run_due(
    db, schedules: AlertsConfig, now: datetime | None = None, *, new_cron: str = "wait"
) -> list[DigestResult]:
    """Run the scheduled digests whose time has come since they last ran (state in the archive,
    so a digest missed while the daemon was down runs once when it is back).

    A digest that never ran: an `every:` one is due at once; a `cron:` one waits for its next
    fire time (a daily 07:00 digest is not sent at 16:12 because the daemon started then), the
    first sighting being recorded as its start. new_cron="now" sends it at once instead (what
    `run --once` does, so a first try shows a digest).
    """
    now = _now(now)
    last = store.last_runs(db)
    results = []
    for sub in schedules.scheduled:
        schedule = sub.schedule
        if schedule is None:  # never: `scheduled` lists the subscriptions that have one
            continue
        last_run = parse_iso(last.get(sub.name))
        if last_run is None and schedule.cron and new_cron == "wait":
            store.mark_run(db, sub.name, utc_iso(now))
            log.info("digest %s: first run at %s", sub.name, utc_iso(schedule.next_after(now)))
            continue
        if not schedule.due(last_run, now):
            continue
        result = run_digest(db, schedules, sub, now)
        if not result.sent:
            store.mark_run(db, sub.name, utc_iso(now))
        results.append(result)
    return results


def tick(db, schedules: AlertsConfig, now: datetime | None = None) -> list[DigestResult]:
    """Everything due now: immediate subscriptions, scheduled digests, then retries.

    The one call a daemon needs: after every crawl and about once a minute.
    """
    now = _now(now)
    results = send_immediate(db, schedules, now) + run_due(db, schedules, now)
    retried = send_pending(db, schedules, now)
    if retried:
        results.append(DigestResult("(retries)", attempts=retried))
    return results


def notify_ops(
    db,
    schedules: AlertsConfig,
    subject: str,
    text: str,
    *,
    key: str,
    now: datetime | None = None,
) -> DigestResult | None:
    """An operator alert to the `ops:` channels, sent once per `key` (e.g.
    "source-failing:dawn:2024-11-21T10:00:00Z"); None when that key was already sent."""
    now = _now(now)
    message = render_notice(subject, text, key=key, now=now, templates=schedules.templates)
    digest_id = store.record_digest(
        db,
        subscription="ops",
        kind="notice",
        key=f"ops:{key}",
        created_at=utc_iso(now),
        since=None,
        items=[],
        stories=0,
        subject=message.subject,
        message=message.to_dict(),
        deliveries=[(c.name, c.type, new_key()) for c in schedules.ops.channels],
        next_attempt_at=utc_iso(now),
    )
    if digest_id is None:
        return None
    result = DigestResult("ops", None, message, digest_id)
    result.attempts = send_pending(db, schedules, now, digest_id=digest_id)
    return result


def send_pending(
    db, schedules: AlertsConfig, now: datetime | None = None, *, digest_id: int | None = None
) -> list[Attempt]:
    """Attempt every delivery that is due (new ones and retries), each channel on its own:
    one broken channel never blocks the others."""
    now = _now(now)
    archive_dir = store.archive_dir(db)
    # deliveries parked for a missing secret go out once this process has the variable
    present = [v for v in store.waiting_variables(db) if os.environ.get(v) is not None]
    if store.wake_waiting(db, present, utc_iso(now)):
        log.info("deliveries waiting for %s: due now", ", ".join(sorted(present)))
    attempts = []
    for row in store.due_deliveries(db, utc_iso(now), digest_id):
        channel = schedules.channels.get(row["channel"])
        lease = now + timedelta(seconds=(timeout_of(channel) if channel else 0) + LEASE_MARGIN)
        claimed = store.claim_delivery(db, row["id"], utc_iso(now), utc_iso(lease))
        if claimed is None:
            continue
        attempts.append(_attempt(db, schedules, claimed, channel, now, archive_dir))
    return attempts


def _attempt(db, schedules, row, channel: Channel | None, now, archive_dir) -> Attempt:
    attempt = Attempt(row["id"], row["subscription"], row["channel"], row["key"], "sent")
    try:
        if channel is None:
            raise PermanentError(f"channel {row['channel']!r} is no longer in schedules.yaml")
        message = Message.from_dict(row["message"])
        attempt.detail = deliver(message, channel, key=row["key"], archive_dir=archive_dir)
    except SecretMissing as exc:
        attempt.status, attempt.detail = "waiting", f"{exc}; sent once it is set"
        store.mark_waiting(db, row["id"], exc.variable, str(exc))
        log.error(
            "delivery %s (%s to %s) waits: %s",
            row["id"],
            row["subscription"],
            row["channel"],
            attempt.detail,
        )
        return attempt
    except PermanentError as exc:
        return _failed(db, attempt, str(exc))
    except Exception as exc:  # transient, or a bug in a channel: retry, never crash the caller
        if not isinstance(exc, TransientError):
            log.exception("delivery %s to %s: unexpected error", row["id"], row["channel"])
        reason = str(exc) if isinstance(exc, TransientError) else f"{type(exc).__name__}: {exc}"
        policy = schedules.delivery
        created = parse_iso(row["created_at"]) or now
        if (now - created).total_seconds() >= policy.give_up_after:
            return _failed(
                db,
                attempt,
                f"gave up after {row['attempts']} attempts over "
                f"{_human(policy.give_up_after)}: {reason}",
            )
        delay = backoff(row["attempts"], policy.retry_first, policy.retry_max)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:
            delay = max(delay, min(retry_after, policy.give_up_after))
        attempt.status, attempt.detail = "retry", reason
        attempt.next_attempt_at = utc_iso(now + timedelta(seconds=delay))
        store.mark_retry(db, row["id"], attempt.next_attempt_at, reason)
        log.warning(
            "delivery %s (%s to %s) failed, retry at %s: %s",
            row["id"],
            row["subscription"],
            row["channel"],
            attempt.next_attempt_at,
            reason,
        )
        return attempt
    store.mark_sent(db, row["id"], utc_iso(now))
    log.info(
        "delivery %s (%s to %s): %s", row["id"], row["subscription"], row["channel"], attempt.detail
    )
    return attempt


def _failed(db, attempt: Attempt, reason: str) -> Attempt:
    attempt.status, attempt.detail = "failed", reason
    store.mark_failed(db, attempt.delivery_id, reason)
    log.error(
        "delivery %s (%s to %s) failed for good: %s",
        attempt.delivery_id,
        attempt.subscription,
        attempt.channel,
        reason,
    )
    return attempt


def backoff(attempts: int, first: float, most: float) -> float:
    """first, 2*first, 4*first ... up to `most`, each scaled by a random 0.75-1.25 (jitter), so
    many failed deliveries do not all come back at the same second."""
    base = min(most, first * 2 ** max(0, attempts - 1))
    return base * random.uniform(0.75, 1.25)


def _human(seconds: float) -> str:
    if seconds % 3600 == 0:
        return f"{int(seconds // 3600)}h"
    if seconds % 60 == 0:
        return f"{int(seconds // 60)}m"
    return f"{int(seconds)}s"

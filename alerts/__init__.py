"""Digests: selection, grouping, templates, channels, and the outbox that delivers them once.

For the daemon (all take the archive `db` from db.connect(), the parsed `schedules` from
mediawatch.config.load_schedules(), and an optional UTC `now`; none raises on a broken channel):

- ``alerts.tick(db, schedules, now=None)``: everything due now (immediate subscriptions, scheduled
  digests whose time has come, retries that are due). Call it after every crawl and about once a
  minute; it is cheap when there is nothing to do. It is the same as calling these three:
- ``alerts.send_immediate(db, schedules, now=None)``: `immediate: true` subscriptions.
- ``alerts.run_due(db, schedules, now=None)``: scheduled digests whose cron/every fired since
  their last run (kept in the archive: a digest missed while the daemon was down runs once when
  it is back; a cron digest that never ran waits for its next fire time, unless
  ``new_cron="now"``, which `--once` and the demo use).
- ``alerts.send_pending(db, schedules, now=None)``: deliveries due for a (re)try, and those that
  waited for a secret (an unset environment variable) once this process has it.
- ``alerts.run_digest(db, schedules, name, now=None, dry_run=False, since=None)``: one digest now
  (what `mediawatch digest NAME` does); for a daemon that prefers one APScheduler job per digest,
  ``Subscription.schedule.trigger()`` gives the trigger.
- ``alerts.notify_ops(db, schedules, subject, text, key=..., now=None)``: an operator alert to the
  `ops:` channels, sent once per key (None when that key was sent before); the daemon decides
  when a source is failing/stale/recovered and picks a key per episode.
- ``db.deliveries.next_attempt_at(db)``: when the earliest pending delivery is due.

For `mediawatch status` (db/deliveries.py, on a read-write or read-only connection):
``last_digests(db)``, ``delivery_counts(db)``, ``list_deliveries(db, status="failed")``.

Pieces: ``build_digest(db, subscription, now) -> Digest`` (reads only), ``render_digest(digest)
-> Message``, ``deliver(message, channel, key=..., archive_dir=...)`` (one attempt; raises
TransientError or PermanentError).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# The typed errors are imported at once: the CLI catches AlertError around every command.
from mediawatch.alerts.errors import (
    AlertError,
    DeliveryError,
    PermanentError,
    SecretMissing,
    TransientError,
)

if TYPE_CHECKING:
    from mediawatch.alerts.channels import deliver
    from mediawatch.alerts.digest import Digest, Item, Section, Snippet, Story, build_digest
    from mediawatch.alerts.outbox import (
        Attempt,
        DigestResult,
        notify_ops,
        run_digest,
        run_due,
        send_immediate,
        send_pending,
        tick,
    )
    from mediawatch.alerts.render import Message, render_digest, render_notice

# The rest is imported on first use (Jinja2, smtplib, ssl: ~0.2 s that a crawl or a query never
# needs), from the module that defines it.
_LAZY = {
    "deliver": "channels",
    **dict.fromkeys(("Digest", "Item", "Section", "Snippet", "Story", "build_digest"), "digest"),
    **dict.fromkeys(
        ("Attempt", "DigestResult", "notify_ops", "run_digest", "run_due", "send_immediate")
        + ("send_pending", "tick"),
        "outbox",
    ),
    **dict.fromkeys(("Message", "render_digest", "render_notice"), "render"),
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "AlertError",
    "Attempt",
    "DeliveryError",
    "Digest",
    "DigestResult",
    "Item",
    "Message",
    "PermanentError",
    "SecretMissing",
    "Section",
    "Snippet",
    "Story",
    "TransientError",
    "build_digest",
    "deliver",
    "notify_ops",
    "render_digest",
    "render_notice",
    "run_digest",
    "run_due",
    "send_immediate",
    "send_pending",
    "tick",
]

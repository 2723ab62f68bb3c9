"""The apprise channel: the short chat message to any Apprise URL (Slack, Teams, ntfy, ...).

Apprise only says whether a notification went out, so a failure counts as transient (retried
until the give-up time) and its log lines become the reason; a URL it cannot parse is permanent.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from alerts.errors import PermanentError, TransientError
from alerts.render import Message
from alerts.sanitize import chat_text

if TYPE_CHECKING:  # alerts reads the parsed schedules; it does not import mediawatch
    from mediawatch.schedules import AppriseChannel


def redact(url: str) -> str:
    """scheme://host only: Apprise URLs carry their tokens in the path or user part."""
    try:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.hostname or '...'}"
    except ValueError:
        return url.split(":", 1)[0] + "://..."


def notify(message: Message, channel: AppriseChannel, *, key: str) -> str:
    import apprise

    urls = channel.resolved_urls()
    if not urls:
        raise PermanentError(
            f"apprise channel {channel.name}: no URL (is {channel.url_env} set in the environment?)"
        )
    sender = apprise.Apprise()
    for url in urls:
        if not sender.add(url):
            raise PermanentError(f"apprise: not a usable Apprise URL: {redact(url)}")
    with apprise.LogCapture(level=logging.WARNING) as logs:
        ok = sender.notify(
            body=message.chat or chat_text(message.subject),
            title=chat_text(message.subject),  # the mail Subject, neutralised for chat
            body_format=apprise.NotifyFormat.TEXT,
        )
    if not ok:
        lines = [
            " ".join(line.split(" - ", 2)[-1].split()) for line in logs.getvalue().splitlines()
        ]
        reason = "; ".join(line for line in lines if line)[-300:] or "notification not accepted"
        raise TransientError(f"apprise {', '.join(redact(u) for u in urls)}: {reason}")
    return f"notified {len(urls)} Apprise URL{'s' if len(urls) > 1 else ''}"

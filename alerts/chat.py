"""The apprise channel: the short chat message to any Apprise URL (Slack, Teams, ntfy, ...).

Apprise only says whether a notification went out; its log lines become the reason, and the HTTP
status they give ("error=404.") is classified by the same rule as the webhook channel's. A failure
without a status (connection refused, timeout) is transient; a URL it cannot parse is permanent.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from mediawatch.alerts.errors import PermanentError, SecretMissing, TransientError, http_failure
from mediawatch.alerts.render import Message
from mediawatch.alerts.sanitize import chat_text

if TYPE_CHECKING:  # types only
    from mediawatch.alerts.config import AppriseChannel


# Apprise's plugins end a failed request's warning with "error=<HTTP status>."
HTTP_STATUS = re.compile(r"\berror=(\d{3})\b")


def redact(url: str) -> str:
    """scheme://host only: Apprise URLs carry their tokens in the path or user part."""
    try:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.hostname or '...'}"
    except ValueError:
        return url.split(":", 1)[0] + "://..."


def notify(message: Message, channel: AppriseChannel, *, key: str) -> str:
    import apprise

    if channel.url_env and not channel.env_urls():
        raise SecretMissing(channel.url_env, f"environment variable {channel.url_env} is not set")
    urls = channel.resolved_urls()
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
        text = f"apprise {', '.join(redact(u) for u in urls)}: {reason}"
        statuses = [int(code) for code in HTTP_STATUS.findall(logs.getvalue())]
        failures = [http_failure(code, text) for code in statuses]
        if failures and all(isinstance(f, PermanentError) for f in failures):
            raise failures[0]
        raise TransientError(text)
    return f"notified {len(urls)} Apprise URL{'s' if len(urls) > 1 else ''}"

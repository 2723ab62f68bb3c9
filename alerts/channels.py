"""deliver(message, channel): one attempt through one channel, and the file channel itself.

Every channel raises TransientError (retry later) or PermanentError (give up now), or returns a
short description of what it did.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from mediawatch.alerts import chat, mail, webhook
from mediawatch.alerts.errors import AlertError, PermanentError, TransientError
from mediawatch.alerts.render import Message

if TYPE_CHECKING:  # types only
    from mediawatch.alerts.config import Channel


def deliver(message: Message, channel: Channel, *, key: str, archive_dir: Path) -> str:
    """Send `message` once through `channel`; `key` is the delivery's stable id."""
    if channel.type == "file":
        return write_files(message, channel.resolve(archive_dir), key=key)
    if channel.type == "email":
        return mail.send(message, channel, key=key)
    if channel.type == "webhook":
        return webhook.post(message, channel, key=key)
    if channel.type == "apprise":
        return chat.notify(message, channel, key=key)
    raise AlertError(f"unknown channel type {getattr(channel, 'type', None)!r}")


def timeout_of(channel: Channel) -> float:
    """How long one attempt may take at most (the outbox lease is longer than this)."""
    return float(getattr(channel, "timeout", 60.0))


def file_stem(message: Message, key: str) -> str:
    stamp = message.created_at.replace("-", "").replace(":", "")
    return f"{stamp}-{message.subscription}-{key}"


def write_files(message: Message, folder: Path, *, key: str) -> str:
    """The digest as .eml (the email it would be), .html (charts inline) and .json (webhook body).

    Same names on a retry, so a repeat overwrites instead of adding files.
    """
    stem = file_stem(message, key)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        email = mail.build_email(message, key=key)
        _write(folder / f"{stem}.eml", bytes(email))
        _write(folder / f"{stem}.html", message.html_inline().encode("utf-8"))
        _write(folder / f"{stem}.json", message.json_body.encode("utf-8"))
    except PermissionError as exc:
        raise PermanentError(f"outbox {folder}: {exc}") from None
    except OSError as exc:  # a full disk may clear up
        raise TransientError(f"outbox {folder}: {exc}") from None
    return str(folder / f"{stem}.html")


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)

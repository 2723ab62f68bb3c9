"""The email channel: multipart/alternative (text + HTML with its charts inline) over SMTP.

Headers are built by email.message.EmailMessage, whose default policy refuses CR/LF in a value,
and every value we put there is folded to one line first: a title cannot add a header.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import TYPE_CHECKING

from mediawatch.alerts.errors import PermanentError, SecretMissing, TransientError, smtp_failure
from mediawatch.alerts.render import Message
from mediawatch.db.connection import parse_iso

if TYPE_CHECKING:  # types only
    from mediawatch.alerts.config import EmailChannel

DEFAULT_SENDER = "mediawatch <mediawatch@localhost>"


def message_id(key: str, sender: str) -> str:
    """Stable across retries, so a receiver can drop a repeat after a crash."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<{key}@{domain}>"


def build_email(
    message: Message,
    *,
    key: str,
    sender: str = DEFAULT_SENDER,
    to: tuple[str, ...] = (),
    list_unsubscribe: str | None = None,
) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = " ".join(message.subject.split())
    mail["From"] = sender
    mail["To"] = ", ".join(to) if to else "undisclosed-recipients:;"
    created = parse_iso(message.created_at)
    if created:
        mail["Date"] = format_datetime(created)
    mail["Message-ID"] = message_id(key, sender)
    mail["Auto-Submitted"] = "auto-generated"
    mail["X-Mediawatch-Subscription"] = message.subscription
    if list_unsubscribe:
        mail["List-Unsubscribe"] = list_unsubscribe
        if "<https://" in list_unsubscribe:
            mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    if message.images:
        html_part = list(mail.iter_parts())[1]
        for cid, data in message.images.items():
            html_part.add_related(data, "image", "png", cid=f"<{cid}>", filename=None)
    return mail


def send(message: Message, channel: EmailChannel, *, key: str) -> str:
    password = ""
    if channel.username:
        secret = os.environ.get(channel.password_env or "")
        if secret is None:
            raise SecretMissing(channel.password_env or "")
        password = secret
    mail = build_email(
        message,
        key=key,
        sender=channel.sender,
        to=channel.to,
        list_unsubscribe=channel.list_unsubscribe,
    )
    context = ssl.create_default_context()
    where = f"{channel.host}:{channel.port}"
    smtp: smtplib.SMTP
    try:
        if channel.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                channel.host, channel.port, timeout=channel.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(channel.host, channel.port, timeout=channel.timeout)
        with smtp:
            smtp.ehlo()
            if channel.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if channel.username:
                smtp.login(channel.username, password)
            refused = smtp.send_message(mail)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(
            f"{rcpt}: {code} {_text(msg)}" for rcpt, (code, msg) in exc.recipients.items()
        )
        if all(400 <= code < 500 for code in codes):
            raise TransientError(f"SMTP {where}: recipients refused for now: {detail}") from None
        raise PermanentError(f"SMTP {where}: recipients refused: {detail}") from None
    except smtplib.SMTPResponseException as exc:
        text = f"SMTP {where}: {exc.smtp_code} {_text(exc.smtp_error)}"
        raise smtp_failure(exc.smtp_code, text) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise PermanentError(f"SMTP {where}: {exc}") from None
    except ssl.SSLCertVerificationError as exc:
        raise PermanentError(
            f"SMTP {where}: certificate not trusted: {exc.verify_message}"
        ) from None
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise TransientError(f"SMTP {where}: {type(exc).__name__}: {exc}") from None
    if refused:
        return f"sent to {len(channel.to) - len(refused)} of {len(channel.to)} recipients"
    return f"sent to {', '.join(channel.to)}"


def _text(raw) -> str:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    return " ".join(str(raw).split())[:300]

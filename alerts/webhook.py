"""The webhook channel: POST the JSON body with Standard Webhooks headers.

webhook-id is the delivery's key (the same on every retry), webhook-timestamp the attempt's time,
webhook-signature "v1,<base64 HMAC-SHA256 of id.timestamp.body>". Redirects are not followed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import os
import ssl
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from mediawatch.alerts.errors import PermanentError, SecretMissing, TransientError, http_failure
from mediawatch.alerts.render import Message

if TYPE_CHECKING:  # types only
    from mediawatch.alerts.config import WebhookChannel

USER_AGENT = "mediawatch-webhook/0.1"


def signing_key(secret: str) -> bytes:
    """Standard Webhooks secrets are "whsec_" + base64; anything else is used as plain bytes."""
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret[len("whsec_") :], validate=True)
        except ValueError:
            raise PermanentError("webhook secret starts with whsec_ but is not base64") from None
    return secret.encode("utf-8")


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def post(message: Message, channel: WebhookChannel, *, key: str) -> str:
    body = message.json_body.encode("utf-8")
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": key,
        "webhook-timestamp": str(timestamp),
    }
    if channel.secret_env:
        secret = os.environ.get(channel.secret_env)
        if not secret:
            raise SecretMissing(channel.secret_env)
        headers["webhook-signature"] = sign(secret, key, timestamp, body)
    parts = urlsplit(channel.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    where = f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}{parts.path}"
    host = parts.hostname
    if not host:  # the config check accepts only http(s) URLs with a host
        raise PermanentError(f"webhook {where}: the URL names no host")
    if parts.scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            host,
            parts.port,
            timeout=channel.timeout,
            context=ssl.create_default_context(),
        )
    else:
        conn = http.client.HTTPConnection(host, parts.port, timeout=channel.timeout)
    try:
        conn.request("POST", target, body=body, headers=headers)
        response = conn.getresponse()
        reply = response.read(2000)
    except ssl.SSLCertVerificationError as exc:
        raise PermanentError(
            f"webhook {where}: certificate not trusted: {exc.verify_message}"
        ) from None
    except (OSError, http.client.HTTPException) as exc:
        raise TransientError(f"webhook {where}: {type(exc).__name__}: {exc}") from None
    finally:
        conn.close()
    status = response.status
    if 200 <= status < 300:
        return f"HTTP {status}"
    text = f"webhook {where}: HTTP {status} {response.reason}"
    excerpt = " ".join(reply.decode("utf-8", "replace").split())[:200]
    if excerpt:
        text += f": {excerpt}"
    if 300 <= status < 400:
        raise PermanentError(f"{text} (redirect to {response.getheader('Location')} not followed)")
    raise http_failure(status, text, retry_after(response.getheader("Retry-After")))


def retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())

"""Typed errors of the alerts package; mediawatch/cli.py reports AlertError as one line."""

from __future__ import annotations


class AlertError(Exception):
    """A digest cannot be built, rendered or recorded (bad template, unknown subscription, ...)."""


class DeliveryError(AlertError):
    """One attempt to deliver through one channel failed."""


class TransientError(DeliveryError):
    """Worth retrying later: connection refused, timeout, SMTP 4xx, HTTP 5xx, 408, 425, 429."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(DeliveryError):
    """Retrying will not help (SMTP 5xx, HTTP 4xx but 408/425/429): marked failed at once."""


class SecretMissing(DeliveryError):
    """The channel's secret (an environment variable) is not set: the delivery waits for it and
    goes out once a process that has it runs (never failed for good, never sent without it)."""

    def __init__(self, variable: str, message: str | None = None):
        super().__init__(message or f"environment variable {variable} is not set")
        self.variable = variable


# The one rule for every channel: a failure the other side may get over is transient (retried
# with backoff until give_up_after), one a retry cannot fix is permanent (failed at once).
HTTP_TRANSIENT = frozenset({408, 425, 429})


def http_failure(status: int, text: str, retry_after: float | None = None) -> DeliveryError:
    """HTTP: 5xx, 408, 425 and 429 are transient; other 4xx (and 3xx, never followed) permanent."""
    if status >= 500 or status in HTTP_TRANSIENT:
        return TransientError(text, retry_after=retry_after)
    return PermanentError(text)


def smtp_failure(code: int, text: str) -> DeliveryError:
    """SMTP: 4xx replies are transient, 5xx permanent (RFC 5321)."""
    if 400 <= code < 500:
        return TransientError(text)
    return PermanentError(text)

"""Typed errors of the alerts package; mediawatch/cli.py reports AlertError as one line."""

from __future__ import annotations


class AlertError(Exception):
    """A digest cannot be built, rendered or recorded (bad template, unknown subscription, ...)."""


class DeliveryError(AlertError):
    """One attempt to deliver through one channel failed."""


class TransientError(DeliveryError):
    """Worth retrying later: connection refused, timeout, SMTP 4xx, HTTP 5xx or 429."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(DeliveryError):
    """Retrying will not help (SMTP 5xx, HTTP 4xx, a missing secret): marked failed at once."""

"""Webhook and Apprise deliveries to real HTTP receivers on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import datetime, timedelta

import pytest
from alerts_helpers import NOW, SEED_TITLE, Receiver, free_port, schedules_from, seeded_archive
from mediawatch.db import deliveries

from mediawatch import alerts

# Apprise imports the deprecated imghdr module on Python 3.11+; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning")

SECRET = "whsec_" + base64.b64encode(b"a-test-signing-key-of-32-bytes!!").decode()

CONFIG = """
channels:
  hook:
    type: webhook
    url: {url}/hooks/mediawatch?team=desk
    secret_env: MW_TEST_WEBHOOK_SECRET
    timeout: {timeout}
  chat:
    type: apprise
    urls: ["json://127.0.0.1:{port}/chat"]
  mail:
    type: email
    host: 127.0.0.1
    port: {dead_port}
    security: none
    from: alerts@mediawatch.test
    to: desk@example.org
    timeout: 2
digests:
  - name: bla-now
    title: BLA alert
    topics: [balochistan, cpec, bla]
    immediate: true
    channels: [{channels}]
"""


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    monkeypatch.setenv("MW_TEST_WEBHOOK_SECRET", SECRET)


def config(tmp_path, receiver, channels="hook", timeout=5):
    text = CONFIG.format(
        url=receiver.url,
        port=receiver.port,
        dead_port=free_port(),
        timeout=timeout,
        channels=channels,
    )
    return schedules_from(text, tmp_path)


def verify(request) -> bool:
    """What a receiver does with the Standard Webhooks headers, written out independently."""
    headers = request["headers"]
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + request["body"]
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    given = [
        s.split(",", 1)[1] for s in headers["webhook-signature"].split() if s.startswith("v1,")
    ]
    return any(hmac.compare_digest(expected, g) for g in given)


def test_webhook_receiver_verifies_the_signature_of_the_digest(tmp_path, receiver):
    archive = seeded_archive(tmp_path)
    (result,) = alerts.send_immediate(archive, config(tmp_path, receiver), NOW)

    assert [a.status for a in result.attempts] == ["sent"]
    (request,) = receiver.requests
    assert request["path"] == "/hooks/mediawatch?team=desk"
    assert request["headers"]["content-type"] == "application/json"
    assert verify(request)
    assert abs(int(request["headers"]["webhook-timestamp"]) - time.time()) < 60
    body = receiver.json()
    assert body["type"] == "digest" and body["subscription"] == "bla-now"
    assert [t["topic"] for t in body["topics"]] == ["balochistan", "cpec", "bla"]
    for topic in body["topics"]:
        (story,) = topic["stories"]
        assert story["title"] == SEED_TITLE and story["outlet"] == "Myind"
        text, ((start, end),) = story["snippets"][0]["text"], story["snippets"][0]["highlights"]
        assert text[start:end] in ("Balochistan", "CPEC", "BLA")
    # a tampered body does not verify
    assert not verify({**request, "body": request["body"].replace(b"Myind", b"Evil")})


def test_a_receiver_failing_three_times_gets_exactly_one_delivery_with_one_id(tmp_path, receiver):
    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path, receiver)
    receiver.script = [(503, {}, 0), (500, {}, 0), (502, {}, 0)]

    alerts.send_immediate(archive, schedules, NOW)
    for hours in (1, 2, 3, 4, 5):
        alerts.send_pending(archive, schedules, NOW + timedelta(hours=hours))

    assert len(receiver.requests) == 4
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1
    assert all(verify(r) for r in receiver.requests)
    (row,) = deliveries.list_deliveries(archive)
    assert row["status"] == "sent" and row["attempts"] == 4
    assert row["key"] == receiver.requests[0]["headers"]["webhook-id"]


def test_retry_after_of_a_429_is_respected(tmp_path, receiver):
    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path, receiver)
    receiver.script = [(429, {"Retry-After": "7200"}, 0)]

    (result,) = alerts.send_immediate(archive, schedules, NOW)

    assert result.attempts[0].next_attempt_at >= "2024-11-21T14:00:00Z"
    assert alerts.send_pending(archive, schedules, NOW + timedelta(hours=1, minutes=59)) == []
    assert len(receiver.requests) == 1
    (attempt,) = alerts.send_pending(archive, schedules, NOW + timedelta(hours=2, minutes=30))
    assert attempt.status == "sent" and len(receiver.requests) == 2


def test_a_4xx_fails_at_once_and_a_redirect_is_not_followed(tmp_path, receiver):
    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path, receiver)
    receiver.script = [(404, {}, 0)]
    (result,) = alerts.send_immediate(archive, schedules, NOW)
    assert result.attempts[0].status == "failed"
    assert "HTTP 404" in deliveries.list_deliveries(archive, status="failed")[0]["error"]

    from alerts_helpers import add_article

    add_article(
        archive,
        url="https://www.dawn.com/news/2",
        title="BLA attack on CPEC convoy",
        text="The BLA attacked a convoy.",
        topics={"bla": "BLA"},
    )
    receiver.script = [(302, {"Location": f"{receiver.url}/elsewhere"}, 0)]
    (result,) = alerts.send_immediate(archive, schedules, NOW)
    assert result.attempts[0].status == "failed"
    assert "redirect" in result.attempts[0].detail and "not followed" in result.attempts[0].detail
    alerts.send_pending(archive, schedules, NOW + timedelta(days=1))
    assert [r["path"] for r in receiver.requests] == ["/hooks/mediawatch?team=desk"] * 2


def test_a_receiver_that_accepts_too_slowly_gets_at_most_one_repeat_with_the_same_id(
    tmp_path, receiver
):
    """The receiver took the request but answered after our timeout (as if we crashed before
    marking it sent): the one repeat carries the same webhook-id, so it can be dropped."""
    archive = seeded_archive(tmp_path)
    # the slow answer comes well after the timeout, and the timeout leaves a loaded machine
    # ample time for the second, immediate answer
    schedules = config(tmp_path, receiver, timeout=3.0)
    receiver.script = [(200, {}, 10.0)]

    (result,) = alerts.send_immediate(archive, schedules, NOW)
    assert result.attempts[0].status == "retry"
    alerts.send_pending(archive, schedules, NOW + timedelta(hours=1))
    alerts.send_pending(archive, schedules, NOW + timedelta(hours=2))

    assert len(receiver.requests) == 2
    assert (
        receiver.requests[0]["headers"]["webhook-id"]
        == receiver.requests[1]["headers"]["webhook-id"]
    )


def test_one_broken_channel_does_not_block_the_others(tmp_path, receiver):
    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path, receiver, channels="mail, hook, outbox")

    (result,) = alerts.send_immediate(archive, schedules, NOW)

    assert {a.channel: a.status for a in result.attempts} == {
        "mail": "retry",
        "hook": "sent",
        "outbox": "sent",
    }
    assert len(receiver.requests) == 1
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    counts = deliveries.delivery_counts(archive)["bla-now"]
    assert counts == {"pending": 1, "sent": 2, "failed": 0}


def test_apprise_json_url_reaches_a_local_receiver(tmp_path, receiver):
    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path, receiver, channels="chat")

    (result,) = alerts.send_immediate(archive, schedules, NOW)

    assert [a.status for a in result.attempts] == ["sent"]
    (request,) = receiver.requests
    assert request["path"] == "/chat"
    body = receiver.json()
    assert body["title"] == f"[mediawatch] BLA alert: {SEED_TITLE}"
    assert "[bla]" in body["message"] and SEED_TITLE in body["message"]
    assert "https://www.myind.net/" in body["message"]


def test_apprise_failure_is_retried_with_the_reason(tmp_path, receiver):
    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path, receiver, channels="chat")
    receiver.script = [(500, {}, 0)]

    (result,) = alerts.send_immediate(archive, schedules, NOW)
    assert result.attempts[0].status == "retry"
    assert "json://127.0.0.1" in result.attempts[0].detail
    (attempt,) = alerts.send_pending(archive, schedules, NOW + timedelta(hours=1))
    assert attempt.status == "sent" and len(receiver.requests) == 2


def test_backoff_doubles_with_jitter_and_the_delivery_gives_up_after_a_day(tmp_path, receiver):
    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path, receiver)
    receiver.script = [(503, {}, 0)] * 10

    (result,) = alerts.send_immediate(archive, schedules, NOW)
    first = datetime.fromisoformat(result.attempts[0].next_attempt_at) - NOW
    (second,) = alerts.send_pending(archive, schedules, NOW + timedelta(hours=1))
    gap = datetime.fromisoformat(second.next_attempt_at) - (NOW + timedelta(hours=1))
    (last,) = alerts.send_pending(archive, schedules, NOW + timedelta(hours=25))

    assert timedelta(seconds=45) <= first <= timedelta(seconds=75)
    assert timedelta(seconds=90) <= gap <= timedelta(seconds=150)
    assert last.status == "failed"
    (row,) = deliveries.list_deliveries(archive, status="failed")
    assert row["error"].startswith("gave up after 3 attempts over 24h: webhook http://127.0.0.1")
    assert "HTTP 503" in row["error"]


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_an_apprise_4xx_fails_at_once_like_a_webhook_4xx(tmp_path, receiver, status):
    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path, receiver, channels="hook, chat")
    receiver.script = [(status, {}, 0), (status, {}, 0)]

    (result,) = alerts.send_immediate(archive, schedules, NOW)

    assert {a.channel: a.status for a in result.attempts} == {"hook": "failed", "chat": "failed"}
    chat = next(a for a in result.attempts if a.channel == "chat")
    assert "json://127.0.0.1" in chat.detail and str(status) in chat.detail
    assert alerts.send_pending(archive, schedules, NOW + timedelta(hours=2)) == []
    assert len(receiver.requests) == 2


@pytest.mark.parametrize("status", [408, 429, 503])
def test_an_apprise_408_429_or_5xx_is_retried_like_a_webhook_one(tmp_path, receiver, status):
    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path, receiver, channels="hook, chat")
    receiver.script = [(status, {}, 0), (status, {}, 0)]

    (result,) = alerts.send_immediate(archive, schedules, NOW)

    assert {a.channel: a.status for a in result.attempts} == {"hook": "retry", "chat": "retry"}
    retried = alerts.send_pending(archive, schedules, NOW + timedelta(hours=2))
    assert sorted(a.status for a in retried) == ["sent", "sent"]


def test_an_unset_webhook_secret_waits_and_the_digest_goes_out_once_it_is_set(
    tmp_path, receiver, monkeypatch
):
    monkeypatch.delenv("MW_TEST_WEBHOOK_SECRET")
    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path, receiver)

    (result,) = alerts.send_immediate(archive, schedules, NOW)
    assert result.attempts[0].status == "waiting"
    assert "MW_TEST_WEBHOOK_SECRET is not set" in result.attempts[0].detail
    assert alerts.send_pending(archive, schedules, NOW + timedelta(days=2)) == []
    assert receiver.requests == []  # never sent unsigned

    monkeypatch.setenv("MW_TEST_WEBHOOK_SECRET", SECRET)
    (attempt,) = alerts.send_pending(archive, schedules, NOW + timedelta(days=2))
    assert attempt.status == "sent"
    (request,) = receiver.requests
    assert verify(request) and receiver.json()["subscription"] == "bla-now"


def test_an_unset_apprise_url_variable_waits_until_it_is_set(tmp_path, receiver, monkeypatch):
    monkeypatch.delenv("MW_TEST_APPRISE_URLS", raising=False)
    archive = seeded_archive(tmp_path)
    text = CONFIG.format(
        url=receiver.url, port=receiver.port, dead_port=free_port(), timeout=5, channels="chat"
    ).replace(
        f'urls: ["json://127.0.0.1:{receiver.port}/chat"]',
        "url_env: MW_TEST_APPRISE_URLS",
    )
    schedules = schedules_from(text, tmp_path)

    (result,) = alerts.send_immediate(archive, schedules, NOW)
    assert result.attempts[0].status == "waiting"

    monkeypatch.setenv("MW_TEST_APPRISE_URLS", f"json://127.0.0.1:{receiver.port}/chat")
    (attempt,) = alerts.send_pending(archive, schedules, NOW + timedelta(minutes=1))
    assert attempt.status == "sent" and receiver.requests[0]["path"] == "/chat"

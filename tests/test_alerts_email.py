"""Email digests to a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alerts_helpers import (
    NOW,
    SEED_TITLE,
    SEED_URL,
    SmtpServer,
    add_article,
    free_port,
    schedules_from,
    seeded_archive,
)
from mediawatch.db import deliveries

from mediawatch import alerts, db

CONFIG = """
channels:
  mail:
    type: email
    host: 127.0.0.1
    port: {port}
    security: none
    from: "mediawatch <alerts@mediawatch.test>"
    to: [desk@example.org, analyst@example.org]
    list_unsubscribe: "<mailto:admin@mediawatch.test?subject=unsubscribe>"
    timeout: 5
{extra}
digests:
  - name: morning
    title: Morning coverage
    topics: [balochistan, cpec, bla]
    cron: "0 7 * * *"
    timezone: Asia/Karachi
    channels: [mail]
  - name: bla-now
    title: BLA alert
    topics: [bla]
    immediate: true
    channels: [mail]
"""


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def config(tmp_path, port, extra=""):
    return schedules_from(CONFIG.format(port=port, extra=extra), tmp_path)


def parts(mail):
    return {part.get_content_type(): part for part in mail.walk()}


def test_smtp_server_receives_a_multipart_digest_with_the_seed_under_three_topics(tmp_path, smtp):
    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path, smtp.port)

    result = alerts.run_digest(archive, schedules, "morning", NOW)

    assert [a.status for a in result.attempts] == ["sent"]
    assert len(smtp.messages) == 1
    sender, recipients, mail = smtp.messages[0]
    assert sender == "alerts@mediawatch.test"
    assert recipients == ["desk@example.org", "analyst@example.org"]
    assert mail["From"] == "mediawatch <alerts@mediawatch.test>"
    assert mail["To"] == "desk@example.org, analyst@example.org"
    assert mail["Subject"].startswith("[mediawatch] Morning coverage: 1 new story")
    assert mail["List-Unsubscribe"] == "<mailto:admin@mediawatch.test?subject=unsubscribe>"
    (row,) = deliveries.list_deliveries(archive)
    assert mail["Message-ID"] == f"<{row['key']}@mediawatch.test>"
    assert mail["Date"] and mail["Auto-Submitted"] == "auto-generated"
    assert mail.get_content_type() == "multipart/alternative"
    found = parts(mail)
    assert {"text/plain", "text/html", "image/png"} <= set(found)
    text = found["text/plain"].get_content()
    html = found["text/html"].get_content()
    for topic in ("balochistan", "cpec", "bla"):
        assert f"## {topic}: 1 story" in text
    assert text.count(SEED_TITLE) == 3 and html.count(SEED_TITLE) == 3
    assert html.count(f'href="{SEED_URL}"') == 3
    assert '<mark style="background:#ffe27a;color:inherit;">BLA</mark>' in html
    # the coverage chart is an attached PNG referenced by its Content-ID
    images = [p for p in mail.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 3
    for image in images:
        assert f'src="cid:{image["Content-ID"].strip("<>")}"' in html
        assert image.get_content().startswith(b"\x89PNG")


def test_the_same_digest_run_again_sends_nothing(tmp_path, smtp):
    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path, smtp.port)
    alerts.run_digest(archive, schedules, "morning", NOW)

    again = alerts.run_digest(archive, schedules, "morning", NOW + timedelta(hours=1))
    tick = alerts.tick(archive, schedules, NOW + timedelta(hours=2))

    assert again.digest.empty and not again.sent
    assert len(smtp.messages) == 2  # the first digest, and the immediate BLA alert from tick
    assert smtp.messages[1][2]["Subject"] == f"[mediawatch] BLA alert: {SEED_TITLE}"
    assert [r.subscription for r in tick if r.sent] == ["bla-now"]
    assert len(deliveries.list_deliveries(archive)) == 2


def test_a_mail_server_that_is_down_gets_the_digest_when_it_comes_back(tmp_path):
    port = free_port()
    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path, port)

    first = alerts.run_digest(archive, schedules, "morning", NOW)

    (attempt,) = first.attempts
    assert attempt.status == "retry" and "ConnectionRefused" in attempt.detail
    (pending,) = deliveries.list_deliveries(archive, status="pending")
    assert pending["next_attempt_at"] > "2024-11-21T12:00:30Z"
    assert alerts.send_pending(archive, schedules, NOW + timedelta(seconds=20)) == []

    server = SmtpServer(port).start()
    try:
        later = alerts.send_pending(archive, schedules, NOW + timedelta(hours=1))
        assert [a.status for a in later] == ["sent"]
        assert len(server.messages) == 1
        assert server.messages[0][2]["Message-ID"] == f"<{pending['key']}@mediawatch.test>"
        assert alerts.send_pending(archive, schedules, NOW + timedelta(hours=5)) == []
        assert len(server.messages) == 1
    finally:
        server.stop()
    (sent,) = deliveries.list_deliveries(archive, status="sent")
    assert sent["attempts"] == 2 and sent["error"] is None


def test_smtp_4xx_is_retried_and_5xx_fails_with_the_reason(tmp_path, smtp):
    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path, smtp.port)
    smtp.reply = "451 4.3.0 Mailbox busy, try later"
    (attempt,) = alerts.run_digest(archive, schedules, "morning", NOW).attempts
    assert attempt.status == "retry" and "451" in attempt.detail

    smtp.reply = "554 5.7.1 Message rejected as spam"
    (attempt,) = alerts.send_pending(archive, schedules, NOW + timedelta(hours=1))
    assert attempt.status == "failed"

    (failed,) = deliveries.list_deliveries(archive, status="failed")
    assert "554" in failed["error"] and "rejected as spam" in failed["error"]
    assert deliveries.delivery_counts(archive)["morning"] == {"pending": 0, "sent": 0, "failed": 1}
    smtp.reply = "250 OK"
    assert alerts.send_pending(archive, schedules, NOW + timedelta(hours=9)) == []
    assert smtp.messages == []


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_digest_waits_for_the_smtp_password_and_goes_out_once_it_is_set(tmp_path, monkeypatch):
    server = SmtpServer(users={"mw": "s3cret"}).start()
    try:
        archive = seeded_archive(tmp_path)
        text = CONFIG.format(port=server.port, extra="").replace(
            "    timeout: 5", "    timeout: 5\n    username: mw\n    password_env: MW_TEST_SMTP_PW"
        )
        schedules = schedules_from(text, tmp_path)
        (attempt,) = alerts.run_digest(archive, schedules, "morning", NOW).attempts
        assert attempt.status == "waiting"
        assert "MW_TEST_SMTP_PW is not set" in attempt.detail
        (row,) = deliveries.list_deliveries(archive, status="problems")
        assert row["status"] == "pending" and row["waiting_for"] == "MW_TEST_SMTP_PW"
        # without the variable nothing is tried again, however late, and nothing gives up
        assert alerts.send_pending(archive, schedules, NOW + timedelta(days=3)) == []

        monkeypatch.setenv("MW_TEST_SMTP_PW", "s3cret")
        (attempt,) = alerts.send_pending(archive, schedules, NOW + timedelta(minutes=5))
        assert attempt.status == "sent"
        ((_, _, mail),) = server.messages
        assert SEED_TITLE in mail.get_body(("plain",)).get_content()
        (row,) = deliveries.list_deliveries(archive)
        assert row["status"] == "sent" and row["waiting_for"] is None
    finally:
        server.stop()


def test_a_title_with_cr_lf_cannot_add_headers_or_recipients(tmp_path, smtp):
    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path, smtp.port)
    alerts.send_immediate(archive, schedules, NOW)  # the seed goes first
    add_article(
        archive,
        url="https://example.org/evil",
        title="BLA claims Quetta blast\r\nBcc: victim@example.org\r\nX-Injected: yes",
        text="The BLA said it carried out the attack.",
        topics={"bla": "BLA"},
    )

    alerts.send_immediate(archive, schedules, NOW)

    sender, recipients, mail = smtp.messages[-1]
    assert recipients == ["desk@example.org", "analyst@example.org"]
    assert mail["Bcc"] is None and mail["X-Injected"] is None
    assert mail["Subject"] == (
        "[mediawatch] BLA alert: BLA claims Quetta blast Bcc: victim@example.org X-Injected: yes"
    )
    text = parts(mail)["text/plain"].get_content()
    assert "* BLA claims Quetta blast Bcc: victim@example.org X-Injected: yes" in text.splitlines()


def test_a_script_in_a_title_is_shown_as_text(tmp_path, smtp):
    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path, smtp.port)
    add_article(
        archive,
        url="javascript:alert(1)",
        title="<script>alert('BLA')</script> attack <b>report</b>",
        outlet="<img src=x onerror=alert(1)>",
        text="A <script>document.cookie</script> BLA snippet & more",
        topics={"bla": "BLA"},
    )

    alerts.run_digest(archive, schedules, "morning", NOW)

    html = parts(smtp.messages[0][2])["text/html"].get_content()
    assert "<script>" not in html and "<img src=x" not in html and "javascript:" not in html
    assert (
        "&lt;script&gt;alert(&#39;BLA&#39;)&lt;/script&gt; attack &lt;b&gt;report&lt;/b&gt;" in html
    )
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert (
        'A &lt;script&gt;document.cookie&lt;/script&gt; <mark style="background:#ffe27a;'
        'color:inherit;">BLA</mark> snippet &amp; more' in html
    )


def test_deliveries_an_older_version_failed_for_a_missing_secret_wait_again(tmp_path, smtp):
    """Before this version a missing secret failed a delivery for good; the upgrade parks those
    deliveries as waiting, so setting the variable sends them."""
    from mediawatch.db.schema import m006_deliveries_waiting_for_secret

    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path, smtp.port)
    (attempt,) = alerts.run_digest(archive, schedules, "morning", NOW).attempts
    assert attempt.status == "sent"
    smtp.messages.clear()
    old_error = "environment variable MW_TEST_OLD_PW is not set"
    with db.write(archive):  # what the older version left behind
        archive.execute(
            "UPDATE deliveries SET status = 'failed', error = ?, sent_at = NULL", [old_error]
        )
    m006_deliveries_waiting_for_secret(archive)
    (row,) = deliveries.list_deliveries(archive, status="problems")
    assert row["status"] == "pending" and row["waiting_for"] == "MW_TEST_OLD_PW"
    assert smtp.messages == []

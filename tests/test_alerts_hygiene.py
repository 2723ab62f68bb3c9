"""Untrusted text in every output: controls and bidi overrides stripped from mail, HTML, webhook
and chat; mentions, Slack commands and Markdown links neutralised in chat. Real counterparts: an
aiosmtpd server, a webhook receiver and an Apprise json:// receiver on 127.0.0.1."""

from __future__ import annotations

import json

import pytest
from alerts_helpers import NOW, Receiver, SmtpServer, add_article, schedules_from

from mediawatch import alerts, db

pytestmark = pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning")

HOSTILE_TITLE = (
    "BLA claims\x00 attack \u202etxt.exe\u2066 near Quetta\x1b[31m "
    "@everyone <!channel> @here [details](javascript:alert(1))"
)
HOSTILE_TEXT = "Officials said the \u202eBLA\u202c carried out the attack.\x07"
HOSTILE_URL = "https://example.org/@everyone/story\u202e"
CONTROLS = ["\x00", "\x07", "\x1b", "\u202e", "\u202c", "\u2066"]

CONFIG = """
channels:
  mail:
    type: email
    host: 127.0.0.1
    port: {smtp}
    security: none
    from: alerts@mediawatch.test
    to: desk@example.org
    timeout: 5
  hook:
    type: webhook
    url: {hook}/hook
  chat:
    type: apprise
    urls: ["json://127.0.0.1:{port}/chat"]
digests:
  - name: bla-now
    title: BLA alert
    topics: [bla]
    immediate: true
    channels: [mail, hook, chat]
"""


@pytest.fixture
def sent(tmp_path):
    """The hostile article sent once, as an immediate alert, to mail, webhook and chat."""
    smtp = SmtpServer().start()
    receiver = Receiver().start()
    try:
        archive = db.connect(tmp_path / "a.db")
        add_article(
            archive,
            url=HOSTILE_URL,
            title=HOSTILE_TITLE,
            text=HOSTILE_TEXT,
            outlet="Dawn\u202e @channel",
            topics={"bla": "BLA"},
        )
        text = CONFIG.format(smtp=smtp.port, hook=receiver.url, port=receiver.port)
        (result,) = alerts.send_immediate(archive, schedules_from(text, tmp_path), NOW)
        assert [a.status for a in result.attempts] == ["sent", "sent", "sent"]
        ((_, _, mail),) = smtp.messages
        by_path = {r["path"]: json.loads(r["body"]) for r in receiver.requests}
        yield mail, by_path["/hook"], by_path["/chat"]
    finally:
        smtp.stop()
        receiver.stop()


def assert_clean(text: str) -> None:
    found = [repr(c) for c in CONTROLS if c in text]
    assert not found, f"{found} in {text!r}"


def test_mail_subject_and_bodies_carry_no_control_or_bidi_characters(sent):
    mail, _, _ = sent
    subject = mail["Subject"]
    assert_clean(subject)
    assert subject.startswith("[mediawatch] BLA alert: BLA claims attack txt.exe near Quetta[31m")
    plain = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert_clean(plain)
    assert_clean(html)
    # the highlight still marks the word it marked before the controls were taken out
    assert "Officials said the <mark" in html and ">BLA</mark> carried out" in html
    assert "Officials said the *BLA* carried out the attack." in plain


def test_webhook_json_carries_no_control_or_bidi_characters(sent):
    _, hook, _ = sent
    raw = json.dumps(hook, ensure_ascii=False)
    assert_clean(raw)
    (story,) = hook["topics"][0]["stories"]
    assert story["outlet"] == "Dawn @channel"  # a program reads this: text, not a ping
    snippet = story["snippets"][0]
    ((start, end),) = snippet["highlights"]
    assert snippet["text"][start:end] == "BLA"
    assert story["url"] == "https://example.org/@everyone/story%E2%80%AE"


def test_chat_text_mentions_nobody_and_links_nowhere_but_the_article(sent):
    _, _, chat = sent
    for part in (chat["title"], chat["message"]):
        assert_clean(part)
        for ping in ("@everyone", "@here", "@channel", "<!channel>", "!channel"):
            assert ping not in part, (ping, part)
        assert "](javascript:" not in part and "](" not in part
        assert "<" not in part and ">" not in part
    # still readable: the same words, with invisible breaks
    message = chat["message"].replace("\u200b", "")
    assert "BLA claims attack txt.exe near Quetta" in message
    assert "@everyone \u2039!channel\u203a @here [details](javascript:alert(1))" in message
    # the article's own link stays one clickable http(s) address
    assert "https://example.org/%40everyone/story%E2%80%AE" in chat["message"]

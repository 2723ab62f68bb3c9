"""`mediawatch digest` and `mediawatch deliveries` as a user runs them."""

from __future__ import annotations

import json

import pytest
from alerts_helpers import SEED_TITLE, Receiver, add_article
from click.testing import CliRunner

from mediawatch import db
from mediawatch.cli import main

SCHEDULES = """
digests:
  - name: desk
    title: Desk digest
    topics: [balochistan, cpec, bla]
    every: 24h
    lookback: 3650d
"""


def setup(tmp_path, schedules=SCHEDULES):
    (tmp_path / "schedules.yaml").write_text(schedules)
    archive = db.connect(tmp_path / "db" / "a.db")
    add_article(
        archive,
        url="https://www.myind.net/seed",
        title=SEED_TITLE,
        text="Pakistan moves against the BLA in Balochistan to protect CPEC.",
        outlet="Myind",
        topics={"balochistan": "Balochistan", "cpec": "CPEC", "bla": "BLA"},
    )
    return ["--config-dir", str(tmp_path), "--db", str(tmp_path / "db" / "a.db")]


def run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_dry_run_with_preview_sends_and_records_nothing(tmp_path):
    base = setup(tmp_path)
    preview = tmp_path / "preview.html"

    result = run([*base, "digest", "desk", "--dry-run", "--preview", str(preview)])

    assert result.exit_code == 0, result.output
    assert "desk: 1 story from 1 article" in result.output
    assert "dry run: nothing sent or recorded (would go to outbox (file))" in result.output
    assert preview.read_text().count(SEED_TITLE) == 3
    assert not (tmp_path / "db" / "outbox").exists()
    assert run([*base, "deliveries"]).output == "no deliveries\n"


def test_digest_sends_to_the_outbox_and_deliveries_lists_it(tmp_path):
    base = setup(tmp_path)

    sent = run([*base, "digest", "desk"])
    again = run([*base, "digest", "desk"])
    listing = run([*base, "deliveries"])
    as_json = run([*base, "deliveries", "--json"])
    failed = run([*base, "deliveries", "--failed"])

    assert sent.exit_code == 0 and "outbox: sent (" in sent.output
    assert len(list((tmp_path / "db" / "outbox").glob("*.html"))) == 1
    assert "nothing new" in again.output and "nothing sent" in again.output
    assert "desk" in listing.output and "outbox (file)  sent" in listing.output
    (row,) = [json.loads(line) for line in as_json.output.splitlines()]
    assert row["status"] == "sent" and row["items"] == 1 and row["subscription"] == "desk"
    assert failed.output == "no deliveries failed or waiting for a retry\n"


def test_since_widens_the_window(tmp_path):
    base = setup(tmp_path, SCHEDULES.replace("3650d", "1h"))
    assert "nothing new" in run([*base, "digest", "desk", "--dry-run"]).output
    wide = run([*base, "digest", "desk", "--dry-run", "--since", "3650d"])
    assert "desk: 1 story" in wide.output
    bad = run([*base, "digest", "desk", "--since", "last tuesday"])
    assert bad.exit_code == 2 and "--since" in bad.output


def test_errors_are_one_line_with_file_line_and_key(tmp_path):
    base = setup(tmp_path, SCHEDULES.replace("every: 24h", "cron: '0 7 * *'"))
    result = CliRunner().invoke(main, [*base, "digest", "desk"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: {tmp_path / 'schedules.yaml'}:6: digests[0].cron: invalid cron expression "
        "'0 7 * *': Wrong number of fields; got 4, expected 5"
    )
    base = setup(tmp_path)
    result = CliRunner().invoke(main, [*base, "digest", "nightly"])
    assert result.exit_code == 1
    assert result.output.startswith("error: no digest named 'nightly'")


HOOKED = """
channels:
  hook:
    type: webhook
    url: {url}/hook
digests:
  - name: desk
    title: Desk digest
    topics: [balochistan, cpec, bla]
    every: 24h
    lookback: 3650d
    channels: [outbox, hook]
"""


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def test_digest_exits_1_when_a_channel_did_not_take_it(tmp_path, receiver):
    base = setup(tmp_path, HOOKED.format(url=receiver.url))
    receiver.script = [(400, {}, 0)]

    result = run([*base, "digest", "desk"])

    assert result.exit_code == 1, result.output
    assert "outbox: sent (" in result.output
    assert "hook: FAILED: webhook http://127.0.0.1" in result.output and "HTTP 400" in result.output


def test_deliveries_failed_shows_those_waiting_for_a_retry_with_their_error(tmp_path, receiver):
    base = setup(tmp_path, HOOKED.format(url=receiver.url))
    receiver.script = [(503, {}, 0)]

    sent = run([*base, "digest", "desk"])
    failed = run([*base, "deliveries", "--failed"])
    as_json = [
        json.loads(line)
        for line in run([*base, "deliveries", "--failed", "--json"]).output.splitlines()
    ]

    assert sent.exit_code == 1 and "hook: not sent yet, retry at" in sent.output
    lines = failed.output.splitlines()
    assert len(lines) == 3, failed.output  # only the hook's delivery, not the outbox's
    assert "hook (webhook)  retrying" in lines[0] and "next try 20" in lines[0]
    assert lines[2].startswith("       error: webhook http://127.0.0.1") and "HTTP 503" in lines[2]
    assert [(r["channel"], r["status"]) for r in as_json] == [("hook", "pending")]


def test_retry_all_queues_every_failed_delivery_again(tmp_path, receiver):
    base = setup(tmp_path, HOOKED.format(url=receiver.url))
    receiver.script = [(404, {}, 0)]
    assert run([*base, "digest", "desk"]).exit_code == 1
    archive = db.connect(tmp_path / "db" / "a.db")
    add_article(
        archive,
        url="https://www.dawn.com/news/3",
        title="CPEC guards doubled in Gwadar",
        text="CPEC security",
        topics={"cpec": "CPEC"},
    )
    receiver.script = [(410, {}, 0)]
    assert run([*base, "digest", "desk"]).exit_code == 1

    queued = run([*base, "deliveries", "--retry", "--all"])
    again = run([*base, "deliveries", "--retry", "--all"])

    assert queued.exit_code == 0
    assert queued.output.startswith("2 deliveries queued again (#2, #4)"), queued.output
    assert again.output == "no failed deliveries to queue again\n"
    pending = [
        json.loads(line)
        for line in run([*base, "deliveries", "--pending", "--json"]).output.splitlines()
    ]
    assert [(r["channel"], r["status"]) for r in pending] == [("hook", "pending")] * 2


def test_a_broken_template_is_one_line_naming_it_not_a_traceback(tmp_path):
    """AlertError from the alerts room reaches the user as the CLI's one-line error."""
    (tmp_path / "mytemplates").mkdir()
    (tmp_path / "mytemplates" / "digest.txt").write_text("{% for story in %}\n")
    base = setup(tmp_path, "templates: mytemplates\n" + SCHEDULES)

    result = CliRunner().invoke(main, [*base, "digest", "desk", "--dry-run"])

    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    template = tmp_path / "mytemplates" / "digest.txt"
    assert result.output.startswith(f"error: template {template}:1: Expected an expression")
    assert result.output.count("\n") == 1
    assert "Traceback" not in result.output

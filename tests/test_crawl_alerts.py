"""`mediawatch crawl` sends the `immediate: true` digests, as the README promises: a real crawl of
the replay site, then a real webhook receiver on 127.0.0.1."""

from __future__ import annotations

import pytest
from alerts_helpers import Receiver

pytestmark = pytest.mark.slow

SCHEDULES = """
channels:
  hook:
    type: webhook
    url: {url}/alerts
digests:
  - name: bla-now
    title: BLA alert
    topics: [bla]
    immediate: true
    lookback: 3650d
    channels: [hook]
"""


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def test_crawl_sends_immediate_digests_of_what_it_stored(workspace, receiver):
    (workspace.config_dir / "schedules.yaml").write_text(SCHEDULES.format(url=receiver.url))

    result = workspace.run("crawl", "myind-reports", check=True)

    assert "alert bla-now: 1 article (hook sent)" in result.stdout, result.stdout
    (request,) = receiver.requests
    assert request["path"] == "/alerts"
    body = receiver.json()
    assert body["subscription"] == "bla-now"
    (topic,) = body["topics"]
    assert topic["topic"] == "bla" and "/myind/Home/viewArticle/" in topic["stories"][0]["url"]
    # a second crawl stores nothing new, so nothing is sent again
    workspace.run("crawl", "myind-reports", check=True)
    assert len(receiver.requests) == 1


def test_crawl_no_alerts_sends_nothing_and_json_output_stays_json(workspace, receiver):
    import json

    (workspace.config_dir / "schedules.yaml").write_text(SCHEDULES.format(url=receiver.url))

    quiet = workspace.run("crawl", "--no-alerts", "myind-reports", check=True)
    assert "alert" not in quiet.stdout and receiver.requests == []

    # what --no-alerts left unsent goes out with the next crawl; --json keeps stdout parseable
    loud = workspace.run("crawl", "--json", "myind-reports", check=True)
    assert [s["source"] for s in json.loads(loud.stdout)] == ["myind-reports"]
    assert "alert bla-now: 1 article (hook sent)" in loud.stderr
    assert len(receiver.requests) == 1

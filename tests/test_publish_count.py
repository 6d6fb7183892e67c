"""`digest publish` says how many digests it publishes — every built one, test builds of
overlapping ranges included — and that --sent-only limits it to those e-mailed to readers."""
from __future__ import annotations

import json

from click.testing import CliRunner

from digest.cli import cli
from digest.config import load_settings
from digest.store import Store

from .conftest import SAMPLE


def test_publish_says_how_many_digests_and_what_sent_only_does(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, ["--home", str(tmp_path), *args], catch_exceptions=False)

    assert run("ingest", str(SAMPLE)).exit_code == 0
    day = json.loads(run("build", "--date", "2025-06-18", "--json").stdout)["digest_id"]
    run("build", "--from", "2025-06-17", "--to", "2025-06-18")  # a test build of an overlapping range
    store = Store(load_settings({"home": str(tmp_path)}, env={}).database_url)
    store.queue_deliveries(day, ["reader@example.org"])
    store.finish_delivery(day, "reader@example.org", "sent", "250 OK")
    res = run("publish", str(tmp_path / "site"), "--base-url", "https://news.example.org")
    assert res.exit_code == 0, res.output
    assert "publishing 2 digest(s)" in res.stderr and "--sent-only" in res.stderr
    assert "overlapping" in res.stderr and "1 e-mailed to readers" in res.stderr
    sent = run("publish", str(tmp_path / "sent"), "--sent-only", "--base-url", "https://news.example.org")
    assert "publishing 1 digest(s)" in sent.stderr and "2 built in all" in sent.stderr
    assert "--sent-only" in run("publish", "--help").output and "overlapping" in run("publish", "--help").output

"""What the commands say (issue 15 item 13): each failure once, clean send output, a new home's inbox,
the first poll of `digest run`, and the end of `make demo`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from digest import pipeline
from digest.config import load_settings

from .conftest import REPO, SAMPLE

DIGEST = Path(sys.executable).with_name("digest")


def test_each_ingest_failure_is_printed_once(tmp_path):
    issue = tmp_path / "2025-06-18"
    shutil.copytree(SAMPLE, issue)
    (issue / "03.txt").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    proc = subprocess.run([str(DIGEST), "--home", str(tmp_path), "ingest", str(issue)], capture_output=True,
                          text=True, env=env, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.count("03.txt") == 1, proc.stderr  # one `error:` line, no log line repeating it
    assert "error: " in proc.stderr and "WARNING" not in proc.stderr


def test_ingest_in_a_new_home_creates_the_inbox_and_says_what_to_do(run, tmp_path):
    res = run("ingest")
    assert res.exit_code == 2
    assert (tmp_path / "inbox").is_dir()
    assert "inbox" in res.output and "created" in res.output and "digest ingest" in res.output
    res = run("ingest")  # now it exists (empty): the ordinary report
    assert "0 issue(s)" in res.output and res.exit_code == 0


def test_send_prints_clean_text_or_clean_json(run, monkeypatch):
    assert run("ingest", str(SAMPLE)).exit_code == 0
    monkeypatch.setenv("DIGEST_TO", "a@example.org, b@example.org")
    monkeypatch.setenv("DIGEST_SMTP_HOST", "smtp.example.org")  # else the dry run says a send would fail: exit 2
    monkeypatch.setenv("DIGEST_FROM", "digest@example.org")
    res = run("send", "--date", "2025-06-18", "--dry-run")
    assert res.exit_code == 0, res.output
    lines = res.stdout.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("a@example.org: dry-run — would send ")
    assert not any(ch in res.stdout for ch in "{}\"")  # no half-JSON
    res = run("send", "--date", "2025-06-18", "--dry-run", "--json")
    data = json.loads(res.stdout)  # the whole stdout is one JSON document
    assert data["outcome"]["b@example.org"]["status"] == "dry-run"


def test_first_poll_does_not_call_ingested_entries_incomplete(tmp_path):
    from digest.scheduler import InboxWatcher, poll_inbox

    settings = load_settings({"home": str(tmp_path)}, env_file=str(tmp_path / "none.env"))
    shutil.copytree(SAMPLE, settings.inbox / SAMPLE.name)
    store = pipeline.open_store(settings)
    assert pipeline.ingest(store, settings, [settings.inbox]).ingested
    watcher = InboxWatcher()  # a new `digest run` process
    outcome, detail = poll_inbox(store, settings, watcher)
    assert outcome == "nothing" and detail == "1 already ingested", detail
    (settings.inbox / "2025-06-19.txt").write_text("本报讯 6月19日，新的一期。", encoding="utf-8")
    outcome, detail = poll_inbox(store, settings, watcher)
    assert detail == "1 new inbox entry: taken at the next poll if unchanged", detail
    outcome, detail = poll_inbox(store, settings, watcher)
    assert "1 issue(s) ingested" in detail and "2025-06-18" not in detail


@pytest.mark.slow
def test_make_demo_ends_by_saying_where_to_look(tmp_path):
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    if not (REPO / ".venv" / ".installed-stamp").exists():
        pytest.skip("no .venv made by `make install` in this checkout (make demo would install it)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env["DIGEST_HOME"] = str(tmp_path)
    proc = subprocess.run(["make", "-s", "demo"], cwd=REPO, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tail = proc.stdout.strip().splitlines()[-6:]
    text = "\n".join(tail)
    assert "digest preview" in text
    html = next(Path(p) for p in proc.stdout.split() if p.endswith(".html"))
    assert html.is_file() and html.is_relative_to(tmp_path)
    assert str(html) in text

"""`digest send` without a digest named: the one built or reused last (said before sending, with
its range and build time); `--dry-run` reports what a real send would fail on (no SMTP host, no
sender) with exit code 2; "nobody to send to" comes with a hint."""
from __future__ import annotations

import json
import shutil

import pytest


from .conftest import SAMPLE


MAIL = {"DIGEST_SMTP_HOST": "smtp.example.org", "DIGEST_FROM": "digest@example.org"}


@pytest.fixture
def two_days(run, tmp_path):
    """Issues of 2025-06-17 and 2025-06-18 (the sample, a sentence added to tell them apart)."""
    other = tmp_path / "2025-06-17"
    shutil.copytree(SAMPLE, other)
    first = sorted(other.iterdir())[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n本报讯 另一天的稿件，用来区分两期。\n", encoding="utf-8")
    assert run("ingest", str(SAMPLE)).exit_code == 0
    assert run("ingest", str(other)).exit_code == 0


def test_send_defaults_to_the_digest_built_or_reused_last(run, two_days):
    day = json.loads(run("build", "--date", "2025-06-18", "--json").stdout)["digest_id"]
    test_range = json.loads(run("build", "--from", "2025-06-17", "--to", "2025-06-18", "--json").stdout)["digest_id"]
    again = json.loads(run("build", "--date", "2025-06-18", "--json").stdout)
    assert again["reused"] and again["digest_id"] == day < test_range  # the highest id is the test range
    run("subscribers", "add", "reader@example.org")
    res = run("send", "--dry-run", "--json", env=MAIL)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["digest_id"] == day
    res = run("send", "--dry-run", env=MAIL)
    assert f"would send digest {day} " in res.stderr and "range 2025-06-18," in res.stderr
    assert "built " in res.stderr and "built or reused last" in res.stderr
    # the other one, built last, becomes the default
    run("build", "--from", "2025-06-17", "--to", "2025-06-18")
    assert json.loads(run("send", "--dry-run", "--json", env=MAIL).stdout)["digest_id"] == test_range


def test_dry_run_says_what_would_fail_and_exits_2(run, two_days):
    run("build", "--date", "2025-06-18")
    run("subscribers", "add", "reader@example.org")
    res = run("send", "--dry-run")
    assert res.exit_code == 2
    assert "no SMTP host" in res.stderr and "DIGEST_SMTP_HOST" in res.stderr
    assert "sender address not set" in res.stderr and "DIGEST_FROM" in res.stderr
    assert "?:587" not in res.output
    data = json.loads(run("send", "--dry-run", "--json").stdout)
    assert len(data["problems"]) == 2 and data["dry_run"] is True
    only_from = run("send", "--dry-run", env={"DIGEST_SMTP_HOST": "smtp.example.org"})
    assert only_from.exit_code == 2 and "sender address not set" in only_from.stderr
    assert "no SMTP host" not in only_from.stderr
    assert run("send", "--dry-run", env=MAIL).exit_code == 0


def test_nobody_to_send_to_has_a_hint(run, two_days):
    run("build", "--date", "2025-06-18")
    res = run("send", "--dry-run", env=MAIL)
    assert res.exit_code == 2
    assert "nobody to send to" in res.stderr
    assert "digest subscribers add ADDR" in res.stderr and "DIGEST_TO" in res.stderr.split("hint:")[1]

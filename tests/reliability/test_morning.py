"""Issue 15, item 3: the morning run covers every issue not yet in a delivered digest.

A manual build, a test send or an empty range never decides what the next morning covers; late
issues and corrections are included; issues older than DIGEST_CATCH_UP_DAYS are left out and
named (log and `digest status`) with the command that sends them. The morning run itself is the
scheduler's digest job body (digest.morning.deliver_digest) on a real store; `build` and
`status` are real subprocesses.
"""
from __future__ import annotations

import datetime as dt
import shutil

import pytest

from digest import pipeline, scheduler
from digest.config import load_settings

from .service import digest, issue_folder, status_json

pytestmark = pytest.mark.slow


def deliver_digest(store, settings):
    """The body of the scheduler's digest job (the morning run)."""
    return scheduler.deliver_digest(store, settings)


def undelivered_issues(store, publication):
    from digest.plan import undelivered_issues as undelivered

    return undelivered(store, publication)


def setup(tmp_path, **more):
    settings = load_settings({"home": str(tmp_path), "jobs": 1, **more}, env={})
    return settings, pipeline.open_store(settings)


def ingest(settings, store, day: str, marker: str = "") -> None:
    folder = issue_folder(settings.home / "incoming", day, marker)
    report = pipeline.ingest(store, settings, [folder], jobs=1)
    assert report.ingested and not report.failures, report.failures
    shutil.rmtree(folder)


def last_digest(store) -> dict:
    return store.list_digests(1)[0]


def dates_in(store, digest_row) -> set[dt.date]:
    """The issue dates of the pages a digest cites (its plain text names each story's page, and
    the repeats of a story in other issues as 另见)."""
    import re

    text = open(digest_row["text_path"], encoding="utf-8").read()
    return {dt.date.fromisoformat(d) for d in re.findall(r"(\d{4}-\d{2}-\d{2})(?: ·)? 第\d+版", text)}


def test_a_manual_range_build_does_not_decide_the_next_morning(tmp_path):
    settings, store = setup(tmp_path)
    ingest(settings, store, "2025-06-18")
    res = digest(tmp_path, "build", "--from", "2025-06-18", "--to", "2025-06-30")  # an editor's look
    assert res.returncode == 0, res.stderr
    ingest(settings, store, "2025-06-19")
    outcome, detail = deliver_digest(store, settings)
    assert outcome == "ok", detail
    d = last_digest(store)
    assert (d["start_date"], d["end_date"]) == (dt.date(2025, 6, 18), dt.date(2025, 6, 19))
    assert undelivered_issues(store, settings.publication) == []
    assert deliver_digest(store, settings)[0] == "nothing"  # and not twice


def test_late_issues_and_corrections_are_included_and_old_ones_named(tmp_path):
    settings, store = setup(tmp_path)
    for day in ("2025-06-18", "2025-06-20"):
        ingest(settings, store, day)
    assert deliver_digest(store, settings)[0] == "ok"  # 06-18..06-20 delivered
    ingest(settings, store, "2025-06-19")  # late: its date was covered before it arrived
    ingest(settings, store, "2025-06-21")  # the new day
    outcome, detail = deliver_digest(store, settings)
    assert outcome == "ok" and "late issue" in detail, detail
    d = last_digest(store)
    assert (d["start_date"], d["end_date"]) == (dt.date(2025, 6, 19), dt.date(2025, 6, 21))
    assert dates_in(store, d) == {dt.date(2025, 6, 19), dt.date(2025, 6, 21)}  # not 06-20 again
    # a correction of a delivered issue (the same file, changed) goes out the next morning
    folder = issue_folder(tmp_path / "incoming", "2025-06-21")
    assert not pipeline.ingest(store, settings, [folder], jobs=1).ingested  # the same bytes: nothing new
    (folder / "01.txt").write_text((folder / "01.txt").read_text(encoding="utf-8") + "\n更正：第1版标题有误。\n",
                                   encoding="utf-8")
    assert pipeline.ingest(store, settings, [folder], jobs=1).ingested
    outcome, detail = deliver_digest(store, settings)
    assert outcome == "ok" and "a correction" in detail, detail
    assert (last_digest(store)["start_date"], last_digest(store)["end_date"]) == (dt.date(2025, 6, 21),) * 2
    # an issue far older than the rest is left out, and said so
    ingest(settings, store, "2025-06-02")
    outcome, detail = deliver_digest(store, settings)
    assert outcome == "nothing" and "DIGEST_CATCH_UP_DAYS" in detail and "2025-06-02" in detail, detail
    assert "`digest send --from 2025-06-02 --to 2025-06-02`" in detail
    data = status_json(tmp_path)
    assert [s["date"] for s in data["morning"]["skipped"]] == ["2025-06-02"]
    assert "issues the morning run leaves out" in digest(tmp_path, "status").stdout


def test_a_test_send_or_an_unsent_build_leaves_the_issues_to_the_morning(tmp_path):
    settings, store = setup(tmp_path)
    ingest(settings, store, "2025-06-18")
    assert digest(tmp_path, "build", "--date", "2025-06-18").returncode == 0
    did = last_digest(store)["id"]
    store.record_test_send(did, "editor@example.org", "sent", 1, "250 OK")
    assert [i["issue_date"] for i in undelivered_issues(store, settings.publication)] == [dt.date(2025, 6, 18)]
    assert deliver_digest(store, settings)[0] == "ok"
    assert last_digest(store)["id"] == did  # the same digest (same content), now dispatched
    assert undelivered_issues(store, settings.publication) == []


def test_issue_date_mode_names_what_it_leaves_out(tmp_path):
    settings, store = setup(tmp_path, digest_range="issue_date")
    for day in ("2025-06-18", "2025-06-19"):
        ingest(settings, store, day)
    outcome, detail = deliver_digest(store, settings)
    assert outcome == "ok" and "DIGEST_DIGEST_RANGE=issue_date" in detail and "2025-06-18" in detail
    d = last_digest(store)
    assert (d["start_date"], d["end_date"]) == (dt.date(2025, 6, 19),) * 2

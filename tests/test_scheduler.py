"""`digest run` / `digest status`: the real APScheduler with 1-second polls and cron times seconds ahead.

In-process tests run `run_service` in a thread (a stop Event instead of a signal); the lock and
signal tests run `digest run` as real subprocesses. Every home is a tmp_path (DIGEST_HOME).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from digest import pipeline, scheduler
from digest.config import load_settings
from tests.conftest import REPO, SAMPLE, SEEDS, needs_shared

pytestmark = pytest.mark.slow
TZ = "Asia/Shanghai"


def make(tmp_path: Path, **over):
    over = {"home": str(tmp_path), "poll_seconds": 1, **over}
    settings = load_settings(over, env={})
    return settings, scheduler.job_args(settings, over, None)


class Service:
    """run_service in a thread; stop() is what SIGTERM does in `digest run`."""

    def __init__(self, settings, args, trigger=None):
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=scheduler.run_service, args=(settings, args, self.stop_event),
                                       kwargs={"digest_trigger": trigger}, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(20)
        assert not self.thread.is_alive(), "the scheduler did not stop"


def far_trigger():
    from apscheduler.triggers.date import DateTrigger

    return DateTrigger(dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1))


def soon(seconds: float):
    """A cron trigger firing `seconds` from now (then every minute) and its fire time."""
    from apscheduler.triggers.cron import CronTrigger

    at = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds)).replace(microsecond=0)
    return CronTrigger(second=at.second, timezone=TZ), at


def runs(store, job=None):
    return list(reversed(store.recent_runs(100, job=job)))


def wait_for(pred, timeout: float, what: str):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = pred()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def ingest_sample(settings):
    store = pipeline.open_store(settings)
    report = pipeline.ingest(store, settings, [SAMPLE], jobs=1)
    assert report.ingested
    return store


# -- inbox --------------------------------------------------------------------------------------

def test_file_written_slowly_is_ingested_once_after_it_is_complete(tmp_path, monkeypatch):
    settings, args = make(tmp_path)
    content = (SAMPLE / "01.txt").read_bytes()
    calls = []
    real = pipeline.ingest

    def spy(store, s, paths, **kw):
        calls.append({str(p): Path(p).read_bytes() for p in paths})
        return real(store, s, paths, **kw)
    monkeypatch.setattr(pipeline, "ingest", spy)
    inbox = settings.inbox
    inbox.mkdir(parents=True)
    (inbox / "2025-06-19.txt.part").write_bytes(content[:100])  # an upload that never finishes
    svc = Service(settings, args, far_trigger())
    try:
        target = inbox / "2025-06-18.txt"
        chunks = [content[i:i + len(content) // 8 + 1] for i in range(0, len(content), len(content) // 8 + 1)]
        with open(target, "wb") as f:
            for chunk in chunks:  # ~3 s of writing; every 1 s poll sees a different size
                f.write(chunk)
                f.flush()
                time.sleep(0.4)
        assert calls == [], "a file still being written was ingested"
        wait_for(lambda: calls, 6, "the complete file to be ingested")
        time.sleep(2.5)  # more polls: the same file is not taken again
    finally:
        svc.stop()
    assert calls == [{str(target): content}]
    store = pipeline.open_store(settings)
    issues = store.list_issues()
    assert len(issues) == 1 and issues[0]["sources"] == ["inbox/2025-06-18.txt"]  # its logical key
    details = [r["detail"] for r in runs(store, "inbox")]
    assert any("still being written" in d for d in details)
    assert sum("1 issue(s) ingested" in d for d in details) == 1


# -- digest job -----------------------------------------------------------------------------------

def test_digest_job_fires_delivers_and_a_restart_does_not_resend(tmp_path, monkeypatch, db_url):
    """On SQLite and on PostgreSQL (db_url)."""
    from digest import deliver
    from tests.fixtures_digest import SMTPServer

    monkeypatch.setattr(deliver, "RETRY_WAIT", (0.01, 0.05))
    with SMTPServer() as smtp:
        settings, args = make(tmp_path, database_url=db_url, deliver_smtp=True, to="reader@example.org", smtp_host="127.0.0.1",
                              smtp_port=smtp.port, smtp_security="none", from_addr="digest@example.org")
        store = ingest_sample(settings)
        for attempt in (1, 2):  # two processes' lifetimes on the same database
            trigger, _ = soon(2)
            svc = Service(settings, args, trigger)
            try:
                wait_for(lambda: len(runs(store, "digest")) >= attempt, 8, f"digest run {attempt}")
            finally:
                svc.stop()
            if attempt == 1:
                eml = sorted(settings.outbox.glob("*.eml"))
                assert [p.name for p in eml] == ["聊城日报_2025-06-18.eml"]
                before = {p: p.stat().st_mtime_ns for p in settings.outbox.iterdir()}
        assert len(smtp.handler.messages) == 1, "the digest was e-mailed twice"
    first, second = runs(store, "digest")
    assert first["outcome"] == "ok" and "1 sent" in first["detail"], first
    assert second["outcome"] == "nothing" and "no new issue" in second["detail"], second
    assert {p: p.stat().st_mtime_ns for p in settings.outbox.iterdir()} == before
    assert len(store.list_digests()) == 1
    assert [d["status"] for d in store.list_digests()[0]["deliveries"]] == ["sent"]


@pytest.mark.parametrize("grace, late, expect", [(30, 1.5, "ok"), (1, 3.0, "missed")])
def test_run_missed_while_down_runs_once_within_grace_else_is_logged_missed(tmp_path, grace, late, expect):
    settings, args = make(tmp_path, misfire_grace_seconds=grace)
    store = ingest_sample(settings)
    trigger, at = soon(3)
    svc = Service(settings, args, trigger)  # persists the job with its next run time ...
    time.sleep(1)
    svc.stop()  # ... and goes down before it is due
    jobs = {j["id"]: j for j in scheduler.scheduled_jobs(settings)}
    assert jobs["digest"]["next_run_time"] == at
    time.sleep(max(0.0, (at - dt.datetime.now(dt.timezone.utc)).total_seconds() + late))
    svc = Service(settings, args, trigger)  # the same schedule comes back up `late` seconds after
    try:
        wait_for(lambda: runs(store, "digest"), 5, "the catch-up run or the missed record")
        time.sleep(1.5)
    finally:
        svc.stop()
    digest_runs = runs(store, "digest")
    assert [r["outcome"] for r in digest_runs] == [expect]
    if expect == "missed":
        assert "late" in digest_runs[0]["detail"] and not list(settings.outbox.glob("*.eml"))
    else:
        assert len(list(settings.outbox.glob("*.eml"))) == 1


def test_no_new_issue_sends_nothing_unless_send_empty(tmp_path):
    settings, _ = make(tmp_path)
    store = pipeline.open_store(settings)
    assert scheduler.deliver_digest(store, settings)[0] == "nothing"
    settings2, _ = make(tmp_path, send_empty=True)
    outcome, detail = scheduler.deliver_digest(store, settings2)
    assert outcome == "ok" and "empty" in detail
    assert scheduler.deliver_digest(store, settings2)[0] == "nothing"  # today's empty digest is not repeated


def test_issue_date_mode_takes_the_newest_issue_only(tmp_path):
    settings, _ = make(tmp_path, digest_range="issue_date")
    store = ingest_sample(settings)
    assert scheduler.plan_range(store, settings, dt.date(2025, 6, 20))[0] == (dt.date(2025, 6, 18),) * 2


# -- the command: lock, signals, status, --once -------------------------------------------------

def digest_cmd(home: Path, *argv: str, **kw):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update(DIGEST_HOME=str(home), DIGEST_POLL_SECONDS="1", DIGEST_SEND_CRON="0 7 1 1 *", PYTHONUNBUFFERED="1")
    return [sys.executable, "-m", "digest.cli", *argv], dict(env=env, cwd=str(REPO), **kw)


def start_run(home: Path) -> subprocess.Popen:
    cmd, kw = digest_cmd(home, "run")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    lock = home / "data" / scheduler.LOCK_NAME
    wait_for(lambda: proc.poll() is not None or (lock.exists() and lock.read_text().strip() == str(proc.pid)),
             20, "digest run to take the lock")
    assert proc.poll() is None, proc.communicate()
    return proc


def test_second_instance_is_refused_and_status_names_the_holder(tmp_path):
    first = start_run(tmp_path)
    try:
        cmd, kw = digest_cmd(tmp_path, "run")
        second = subprocess.run(cmd, capture_output=True, text=True, timeout=30, **kw)
        assert second.returncode == 2, second
        assert "already running" in second.stderr and f"pid {first.pid}" in second.stderr
        cmd, kw = digest_cmd(tmp_path, "status", "--json")
        status = subprocess.run(cmd, capture_output=True, text=True, timeout=30, **kw)
        data = json.loads(status.stdout)
        assert data["running"] and data["pid"] == first.pid
        assert {j["id"] for j in data["jobs"]} == {"inbox", "digest"}
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=20)
    assert first.returncode == 0


def test_sigterm_lets_the_running_ingest_finish_and_exits_0(tmp_path):
    shutil.copytree(SAMPLE, tmp_path / "inbox" / SAMPLE.name)
    proc = start_run(tmp_path)
    store = pipeline.open_store(load_settings({"home": str(tmp_path)}, env={}))
    wait_for(lambda: runs(store, "inbox"), 15, "the first poll")
    time.sleep(1.3)  # the second poll is ingesting now (it takes seconds: segmenting and summarising)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "SIGTERM received" in err and "digest run stopped" in err
    assert err.index("SIGTERM received") < err.index("inbox: ok"), "the signal came after the ingest: " + err
    assert [i["issue_date"] for i in store.list_issues()] == [dt.date(2025, 6, 18)], err  # whole, not half
    assert scheduler.lock_holder(tmp_path / "data" / scheduler.LOCK_NAME) is None


@needs_shared
def test_once_runs_the_seed_corpus_end_to_end(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "inbox" / "seeds")
    cmd, kw = digest_cmd(tmp_path, "run", "--once", "--settle", "0.5")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)
    assert done.returncode == 0, done.stderr
    eml = list((tmp_path / "outbox").glob("*.eml"))
    assert len(eml) == 1, done.stderr
    assert "digest: ok" in done.stderr
    cmd, kw = digest_cmd(tmp_path, "status")
    status = subprocess.run(cmd, capture_output=True, text=True, timeout=30, **kw)
    assert status.returncode == 0 and "not running" in status.stdout and eml[0].name in status.stdout


def test_a_digest_run_killed_midway_runs_again_at_the_next_start(tmp_path, monkeypatch):
    settings, args = make(tmp_path)
    store = ingest_sample(settings)

    class Killed(BaseException):
        """The process dies mid-job: nothing is recorded, the job store already points to the next run."""

    real = scheduler.deliver_digest
    monkeypatch.setattr(scheduler, "deliver_digest", lambda *a: (_ for _ in ()).throw(Killed()))
    trigger, at = soon(2)
    svc = Service(settings, args, trigger)
    try:
        def dispatched():
            jobs = {j["id"]: j for j in scheduler.scheduled_jobs(settings)}
            return "digest" in jobs and jobs["digest"]["next_run_time"] > at
        wait_for(dispatched, 6, "the run to be dispatched")
        time.sleep(0.5)
    finally:
        svc.stop()
    assert runs(store, "digest") == [] and not list(settings.outbox.glob("*.eml"))
    monkeypatch.setattr(scheduler, "deliver_digest", real)
    svc = Service(settings, args, trigger)
    try:
        wait_for(lambda: runs(store, "digest"), 5, "the interrupted run to run again")
        time.sleep(1)
    finally:
        svc.stop()
    assert [r["outcome"] for r in runs(store, "digest")] == ["ok"]
    assert len(list(settings.outbox.glob("*.eml"))) == 1

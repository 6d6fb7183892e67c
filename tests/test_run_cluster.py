"""Two `digest run` services in separate homes (separate "machines") on one PostgreSQL server,
the digest cron firing every 10 seconds (DIGEST_TEST_SEND_SECOND: the production cron syntax
stays five fields), mailing a loopback aiosmtpd server: every recipient gets exactly one e-mail
per run, and when the leader is SIGKILLed mid-run the standby takes over within the lease and
nothing is sent twice."""
from __future__ import annotations

import datetime as dt
import json
import email
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from digest.models import Article, Issue, Page, Summary
from digest.schema import leases, scheduled_runs
from digest.store import Store
from tests.conftest import REPO
from tests.fixtures_digest import SMTPServer

pytestmark = pytest.mark.slow
RECIPIENTS = ("r1@example.org", "r2@example.org", "r3@example.org")
LEASE = 3


def save_day(store: Store, day: dt.date) -> None:
    text = f"{day:%m月%d日}，本市举行活动。"
    page = Page(source=f"inbox/{day}/01.txt", number=1, text=text, sha256=f"p{day}", encoding="utf-8")
    issue = Issue(publication="聊城日报", date=day, date_rule="path", pages=(page,), content_hash=f"h{day}")
    items = [(Article(title=f"{day} 要闻{i}", byline=None, kind="news", paragraphs=(f"{text}第{i}条。",), position=i),
              Summary((f"{text}第{i}条。",), ("活动",)), f"a{day}{i}") for i in range(3)]
    store.save_issue(issue, items)


def service(home: Path, url: str, smtp_port: int, **extra: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update(dict(DIGEST_HOME=str(home), DIGEST_DATABASE_URL=url, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1",
                    DIGEST_DELIVER_SMTP="true", DIGEST_TO=",".join(RECIPIENTS), DIGEST_SMTP_HOST="127.0.0.1",
                    DIGEST_SMTP_PORT=str(smtp_port), DIGEST_SMTP_SECURITY="none", DIGEST_FROM="digest@example.org",
                    DIGEST_SEND_CRON="* * * * *", DIGEST_TEST_SEND_SECOND="*/10", DIGEST_POLL_SECONDS="1",
                    DIGEST_LEADER_LEASE_SECONDS=str(LEASE), DIGEST_SEND_RETRIES="1"), **extra)
    home.mkdir(parents=True, exist_ok=True)
    log = open(home / "run.log", "w")
    return subprocess.Popen([sys.executable, "-m", "digest.cli", "run"], env=env, cwd=str(home),
                            stdout=log, stderr=subprocess.STDOUT, text=True)


def wait_for(pred, timeout: float, what: str):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = pred()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def done_runs(store: Store) -> list:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(scheduled_runs).where(scheduled_runs.c.state != "running")
                            .order_by(scheduled_runs.c.run_at)).all()


def leader(store: Store) -> str | None:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(leases.c.holder, leases.c.expires_at)).first()
    return row.holder if row else None


def test_two_services_send_each_run_once_and_survive_the_leader_being_killed(pg_url, tmp_path):
    store = Store(pg_url)
    day = dt.date(2025, 6, 18)
    save_day(store, day)
    with SMTPServer() as smtp:
        # A leads first and is SIGKILLed (digest.faults) right after claiming its first recipient
        a = service(tmp_path / "hostA", pg_url, smtp.port, DIGEST_CRASH_AT="send:after-claim")
        wait_for(lambda: (leader(store) or "").split(":")[1:2] == [str(a.pid)], 30, "A to lead")
        b = service(tmp_path / "hostB", pg_url, smtp.port)
        procs = [b]
        try:
            a.wait(timeout=40)
            killed_at = time.monotonic()
            assert a.returncode == -signal.SIGKILL, (tmp_path / "hostA" / "run.log").read_text()
            first = wait_for(lambda: done_runs(store), 4 * LEASE + 5, "B to take over and finish the run")
            took = time.monotonic() - killed_at
            assert "resumed the run of" in first[0].detail and f":{a.pid}:" in first[0].detail, first[0].detail
            a2 = service(tmp_path / "hostA", pg_url, smtp.port)  # A comes back, as a standby now
            procs.append(a2)
            for k in range(2, 6):
                day += dt.timedelta(days=1)
                save_day(store, day)
                wait_for(lambda: len(done_runs(store)) >= k, 30, f"run {k}")
            time.sleep(1)
        finally:
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                p.wait(timeout=30)
        logs = {p.pid: Path(p.args and (tmp_path / ("hostB" if p is b else "hostA") / "run.log")).read_text()
                for p in procs}
        assert all(p.returncode == 0 for p in procs), logs
        assert not any("Traceback" in text for text in logs.values()), logs
        runs = done_runs(store)
        assert len(runs) == 5 and all(r.outcome == "ok" for r in runs), [(r.outcome, r.detail) for r in runs]
        assert took <= 2 * LEASE + 4, f"takeover took {took:.1f}s"
        per_rcpt = Counter((rcpt, email.message_from_bytes(m["data"])["Subject"])
                           for m in smtp.handler.messages for rcpt in m["rcpt_tos"])
        subjects = {s for _, s in per_rcpt}
        assert len(subjects) == 5, subjects  # five digests, one per run
        assert all(n == 1 for n in per_rcpt.values()), per_rcpt  # nobody got one twice
        assert {r for r, _ in per_rcpt} == set(RECIPIENTS) and len(per_rcpt) == 5 * len(RECIPIENTS)
        holders = {r.claimed_by.split(":")[1] for r in runs}
        assert str(b.pid) in holders  # the standby did take over


def test_status_on_another_host_shows_liveness_from_the_heartbeat(db_url, tmp_path):
    """Issue 18: `status` on another host said "not running" (it looked at a local lock file)."""
    from tests.test_shared_store import run

    (tmp_path / "hostB").mkdir()
    a = service(tmp_path / "hostA", db_url, 1, DIGEST_SEND_CRON="0 7 1 1 *", DIGEST_TEST_SEND_SECOND="")
    try:
        def alive():
            out = run(tmp_path / "hostB", db_url, "status", "--json")
            data = json.loads(out.stdout) if out.returncode == 0 else {}
            return data if data.get("running") and data.get("leader") else None
        data = wait_for(alive, 40, "A's heartbeat")
        assert data["pid"] is None  # not this home's service ...
        mine = [s for s in data["services"] if s["pid"] == a.pid]
        assert mine and mine[0]["state"] == "alive" and data["leader"]["holder"] == mine[0]["instance"]
        text = run(tmp_path / "hostB", db_url, "status").stdout
        assert "running on another home or host" in text and "(run leader): alive" in text
    finally:
        a.send_signal(signal.SIGKILL)
        a.wait(timeout=20)
    time.sleep(LEASE + 0.5)
    data = json.loads(run(tmp_path / "hostB", db_url, "status", "--json").stdout)
    assert not data["running"] and [s["state"] for s in data["services"] if s["pid"] == a.pid] == ["dead"]
    assert data["leader"]["alive"] is False
    assert "a standby service takes over" in run(tmp_path / "hostB", db_url, "status").stdout

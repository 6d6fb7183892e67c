"""The ingest work queue (digest/queue.py) and `digest worker`, on SQLite and PostgreSQL; the
scale-out test runs 3 worker processes in separate homes on PostgreSQL, one SIGKILLed mid-job."""
from __future__ import annotations

import datetime as dt
import json
import signal
import threading

import pytest
import sqlalchemy as sa

from digest import queue
from digest.config import load_settings
from digest.schema import jobs
from digest.store import Store
from tests.conftest import SAMPLE
from tests.test_shared_store import homes, run, start

TOWNS = ["东昌府", "临清", "茌平", "阳谷", "莘县", "东阿", "冠县", "高唐"]
TOPICS = ["麦收", "供水管网", "夜市", "图书馆", "公交线路", "养老服务", "河道治理", "文化节"]


def write_issues(folder, n: int, start=dt.date(2024, 1, 1)) -> list:
    """n one-page issues named by date (invented text, each different)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        day = start + dt.timedelta(days=i)
        town, topic = TOWNS[i % len(TOWNS)], TOPICS[(i // len(TOWNS)) % len(TOPICS)]
        text = (f"## {town}{topic}工作稳步推进\n\n本报讯（记者 张{i}）{day.month}月{day.day}日，{town}召开{topic}推进会，"
                f"部署第{i + 1}批重点任务。会议要求各部门明确责任，按期完成。\n\n据介绍，今年以来{town}共投入资金{i + 3}千万元，"
                f"惠及群众{i * 7 + 100}户。下一步将继续加大投入，确保{topic}见到实效。\n\n"
                f"## {town}举办第{i + 1}期市民讲堂\n\n本报讯 {day.month}月{day.day}日，{town}市民讲堂开讲，"
                f"主题为{topic}。现场听众{i + 50}人。讲堂每月举办一次，面向全体市民免费开放。\n")
        path = folder / f"{day.isoformat()}.txt"
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


@pytest.fixture
def qsettings(db_url, tmp_path):
    return load_settings({"home": str(tmp_path / "home"), "database_url": db_url, "job_lease_seconds": 2}, env={})


def test_enqueue_is_idempotent_and_skips_what_is_stored(qsettings, tmp_path):
    store = Store(qsettings.database_url)
    write_issues(tmp_path / "in", 3)
    first = queue.enqueue(store, qsettings, [tmp_path / "in"])
    assert len(first.queued) == 3 and first.exit_code == 0
    again = queue.enqueue(store, qsettings, [tmp_path / "in"])
    assert again.queued == [] and [s["reason"] for s in again.skipped] == ["already queued"] * 3
    assert queue.queue_counts(store) == {"queued": 3}
    assert first.queued[0]["sources"] == ["in/2024-01-01.txt"]  # the logical key, not a local path


def test_worker_ingests_from_the_database_alone(qsettings, tmp_path):
    store = Store(qsettings.database_url)
    files = write_issues(tmp_path / "in", 2)
    queue.enqueue(store, qsettings, [tmp_path / "in"])
    for f in files:
        f.unlink()  # the worker needs no access to the files: their bytes are in the job
    counts = queue.run_worker(qsettings, threading.Event(), drain=True)
    assert counts == {"done": 2, "failed": 0}
    issues = store.list_issues()
    assert sorted(i["sources"][0] for i in issues) == ["in/2024-01-01.txt", "in/2024-01-02.txt"]
    assert all(i["articles"] == 2 for i in issues)
    assert queue.queue_counts(store) == {"done": 2}
    assert queue.enqueue(store, qsettings, [SAMPLE]).queued  # a new issue still goes in


def test_expired_lease_is_taken_over_and_a_poison_job_ends_failed(qsettings, tmp_path):
    store = Store(qsettings.database_url)
    write_issues(tmp_path / "in", 1)
    queue.enqueue(store, qsettings, [tmp_path / "in"])
    job = queue.claim(store, "dead-host:1:worker", 60)
    assert job is not None and job.attempts == 1
    assert queue.claim(store, "other:2:worker", 60) is None  # leased: nobody else takes it
    past = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(seconds=1)
    with store.engine.begin() as conn:
        conn.execute(sa.update(jobs).values(lease_until=past))
    status = queue.queue_status(store)
    assert status["running"][0]["lease_expired"]
    again = queue.claim(store, "other:2:worker", 60)
    assert again is not None and again.id == job.id and again.attempts == 2
    with store.engine.begin() as conn:  # it dies again ... and a third time
        conn.execute(sa.update(jobs).values(lease_until=past, attempts=3))
    assert queue.claim(store, "third:3:worker", 60) is None
    failed = queue.queue_status(store)["failed"]
    assert failed and "abandoned 3 times" in failed[0]["result"]


def test_a_store_error_fails_one_job_not_the_worker(qsettings, tmp_path, monkeypatch):
    from digest.errors import StoreError

    store = Store(qsettings.database_url)
    write_issues(tmp_path / "in", 3)
    queue.enqueue(store, qsettings, [tmp_path / "in"])
    real, calls = Store.save_issue, []

    def flaky(self, issue, items, paths=None):
        calls.append(issue.date)
        if len(calls) == 2:
            raise StoreError("database error: disk full", "free some space")
        return real(self, issue, items, paths)
    monkeypatch.setattr(Store, "save_issue", flaky)
    counts = queue.run_worker(qsettings, threading.Event(), drain=True)
    assert counts == {"done": 2, "failed": 1}
    assert len(store.list_issues()) == 2
    assert "disk full" in queue.queue_status(store)["failed"][0]["result"]


@pytest.mark.slow
def test_three_workers_in_separate_homes_ingest_200_issues_exactly_once(pg_url, tmp_path):
    """Issue 18 done-when: 200 queued issues, 3 worker processes ("machines"), one SIGKILLed
    mid-job: every issue ingested once, counts equal to a single-process `digest ingest`."""
    w = homes(tmp_path, 4)
    write_issues(w[0] / "inbox", 200)
    queued = run(w[0], pg_url, "ingest", "--queue", "--json")
    assert queued.returncode == 0, queued.stderr
    assert len(json.loads(queued.stdout)["queued"]) == 200
    lease = {"DIGEST_JOB_LEASE_SECONDS": "3"}
    doomed = start(w[1], pg_url, "worker", env={**lease, "DIGEST_CRASH_AT": "worker:before-save"})
    workers = [start(h, pg_url, "worker", "--drain", "--json", env=lease) for h in w[1:4]]
    doomed.wait(timeout=120)
    assert doomed.returncode == -signal.SIGKILL  # killed holding a job
    results = [(p, *p.communicate(timeout=600)) for p in workers]
    for p, out, err in results:
        assert p.returncode == 0 and "Traceback" not in err, err
    done = sum(json.loads(out)["done"] for _, out, _ in results)
    assert done == 200  # including the dead worker's job, retried after its lease
    store = Store(pg_url)
    with store.engine.connect() as conn:
        retried = conn.execute(sa.select(jobs.c.label, jobs.c.attempts).where(jobs.c.attempts > 1)).all()
        states = dict(conn.execute(sa.select(jobs.c.state, sa.func.count()).group_by(jobs.c.state)).all())
    assert states == {"done": 200} and len(retried) == 1 and retried[0].attempts == 2
    issues = store.list_issues()
    assert len(issues) == 200 and len({i["content_hash"] for i in issues}) == 200
    # the same folder ingested by one process into its own database gives the same counts
    single = run(w[0], f"sqlite:///{tmp_path / 'single.db'}", "ingest", "--jobs", "1", "--json")
    assert single.returncode == 0, single.stderr
    reference = Store(f"sqlite:///{tmp_path / 'single.db'}").list_issues()
    assert sorted((i["issue_date"], i["articles"], tuple(i["sources"])) for i in issues) == \
        sorted((i["issue_date"], i["articles"], tuple(i["sources"])) for i in reference)


def test_inbox_job_queues_for_the_workers(db_url, tmp_path):
    from digest import scheduler

    settings = load_settings({"home": str(tmp_path), "database_url": db_url, "ingest_queue": True}, env={})
    store = Store(db_url)
    write_issues(settings.inbox, 2)
    watcher = scheduler.InboxWatcher()
    scheduler.poll_inbox(store, settings, watcher)  # first look: not complete yet
    outcome, detail = scheduler.poll_inbox(store, settings, watcher)
    assert outcome == "ok" and "2 issue(s) queued for the workers" in detail, detail
    assert store.list_issues() == [] and queue.queue_counts(store) == {"queued": 2}
    assert queue.run_worker(settings, threading.Event(), drain=True) == {"done": 2, "failed": 0}
    assert sorted(i["sources"][0] for i in store.list_issues()) == ["inbox/2024-01-01.txt", "inbox/2024-01-02.txt"]

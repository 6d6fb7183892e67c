"""The ingest work queue: issues queued in the database with their page bytes, ingested by
`digest worker` processes on any number of machines.

    enqueue(store, settings, paths)  files -> one ingest_jobs row per issue (bytes inside)
    run_worker(settings, stop)       claim a job, ingest it, record done/failed; repeat

A job is claimed with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (on SQLite the claim runs
under the database's write lock, BEGIN IMMEDIATE) and carries a lease (DIGEST_JOB_LEASE_SECONDS)
that the worker renews from a heartbeat thread while it works. A worker killed mid-job stops
renewing: once the lease has expired, another worker claims the job again. A job whose workers
died `max_attempts` times is marked failed (a poison job never loops forever). Ingesting is
idempotent (content hash): a job retried after its issue was stored finds it already stored.

Each job holds the issue's files as they were read, so a worker needs no access to the
enqueuing machine's disk: the worker writes them to a private temporary folder, reads them with
the same code as `digest ingest`, and stores the pages under the logical keys computed at enqueue.
"""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from . import db, inputs
from .config import Settings
from .errors import DigestError
from .faults import checkpoint
from .models import Failure
from .outbox import fit_name
from .schema import jobs

log = logging.getLogger("digest.worker")
IDLE_SECONDS = 1.0  # a worker with nothing to do looks again this often


@dataclass
class EnqueueReport:
    queued: list[dict] = field(default_factory=list)  # {"job", "date", "sources"}
    skipped: list[dict] = field(default_factory=list)  # already queued or already ingested
    failures: list[Failure] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if not self.failures:
            return 0
        return 1 if (self.queued or self.skipped) else 2


def enqueue(store: Any, settings: Settings, paths: Sequence[str | os.PathLike], *,
            date: dt.date | None = None, publication: str | None = None) -> EnqueueReport:
    """Queue every issue found under `paths` (read and checked here; summarised by a worker).

    The same issue twice (same content) is queued once; one already in the store is skipped.
    """
    from . import ingest as ingest_mod
    from .pipeline import with_source_keys

    explicit = publication
    max_bytes = int(settings.max_file_mb * 1024 * 1024)
    report = EnqueueReport()
    for raw in paths:
        for item in ingest_mod.discover([raw], inbox=settings.inbox):
            if isinstance(item, Failure):
                report.failures.append(item)
                continue
            publication = ingest_mod.publication_for(item, explicit, settings.publication)  # paper folders
            if isinstance(publication, Failure):
                report.failures.append(publication)
                continue
            issue, fails = ingest_mod.read_issue(item, publication, date, max_bytes)
            report.failures.extend(fails)
            if issue is None:
                continue
            keyed = with_source_keys(issue, raw, settings.inbox)
            keys = {str(Path(p.source.split("#page=")[0])): k.source.split("#page=")[0]
                    for p, k in zip(issue.pages, keyed.pages)}
            files = []
            for f in item.files:
                try:  # the guarded open (digest.inputs): the file checked when it was read above
                    with inputs.open_input(f, item.root) as fh:
                        data, mtime = fh.read(), os.fstat(fh.fileno()).st_mtime
                except DigestError as exc:
                    report.failures.append(Failure(str(f), "read", getattr(exc, "reason", exc.message), exc.hint))
                    continue
                except OSError as exc:
                    report.failures.append(Failure(str(f), "read", f"cannot read: {exc.strerror or exc}",
                                                   "check that it is readable by the digest user"))
                    continue
                files.append({"name": f.name, "key": keys.get(str(f), f.name), "mtime": mtime,
                              "data": base64.b64encode(data).decode("ascii")})
            payload = {"publication": publication, "path_date": item.path_date.isoformat() if item.path_date else None,
                       "date": date.isoformat() if date else None, "files": files,
                       "paths": [os.path.abspath(f) for f in item.files]}
            info = {"date": issue.date.isoformat(), "sources": list(keyed.sources)}
            if store.issue_id_by_hash(issue.content_hash) is not None:
                report.skipped.append({**info, "reason": "already ingested"})
                continue
            job_id = _insert(store, issue.content_hash, publication, issue.date, payload, keyed.sources[0])
            if job_id is None:
                report.skipped.append({**info, "reason": "already queued"})
            else:
                report.queued.append({"job": job_id, **info})
    return report


def _insert(store: Any, content_hash: str, publication: str, day: dt.date, payload: dict, label: str) -> int | None:
    now = db.utcnow()
    try:
        with store._write() as conn:
            if conn.execute(sa.select(jobs.c.id).where(jobs.c.content_hash == content_hash)).first():
                return None
            return conn.execute(sa.insert(jobs).values(
                content_hash=content_hash, publication=publication, issue_date=day, label=label[:500],
                payload=json.dumps(payload, ensure_ascii=False).encode("utf-8"), state="queued", attempts=0,
                enqueued_at=now, updated_at=now, result="")).inserted_primary_key[0]
    except IntegrityError:  # queued by another process at the same moment
        return None


# -- claiming ----------------------------------------------------------------------------------

@dataclass
class Job:
    id: int
    label: str
    attempts: int
    payload: dict


def claim(store: Any, worker: str, lease_seconds: float) -> Job | None:
    """Claim the oldest queued job, or a running one whose lease expired. None when there is none."""
    now = db.utcnow()
    with store._write() as conn:
        while True:
            row = conn.execute(
                sa.select(jobs.c.id, jobs.c.state, jobs.c.attempts, jobs.c.max_attempts, jobs.c.claimed_by)
                .where(sa.or_(jobs.c.state == "queued", sa.and_(jobs.c.state == "running", jobs.c.lease_until < now)))
                .order_by(jobs.c.id).limit(1).with_for_update(skip_locked=True)).first()
            if row is None:
                return None
            if row.state == "running" and row.attempts >= row.max_attempts:
                conn.execute(sa.update(jobs).where(jobs.c.id == row.id).values(
                    state="failed", updated_at=now, lease_until=None,
                    result=f"abandoned {row.attempts} times (last by {row.claimed_by}): a worker died on it each time"))
                continue
            conn.execute(sa.update(jobs).where(jobs.c.id == row.id).values(
                state="running", claimed_by=worker, attempts=row.attempts + 1, updated_at=now,
                lease_until=now + dt.timedelta(seconds=lease_seconds)))
            full = conn.execute(sa.select(jobs.c.label, jobs.c.payload).where(jobs.c.id == row.id)).one()
            return Job(row.id, full.label, row.attempts + 1, json.loads(bytes(full.payload).decode("utf-8")))


def _renew(store: Any, job_id: int, worker: str, lease_seconds: float) -> bool:
    now = db.utcnow()
    with store._write() as conn:
        return conn.execute(sa.update(jobs).where(jobs.c.id == job_id, jobs.c.claimed_by == worker,
                                                  jobs.c.state == "running")
                            .values(lease_until=now + dt.timedelta(seconds=lease_seconds))).rowcount == 1


def _finish(store: Any, job_id: int, worker: str, state: str, result: str, issue_id: int | None = None) -> None:
    with store._write() as conn:
        conn.execute(sa.update(jobs).where(jobs.c.id == job_id, jobs.c.claimed_by == worker).values(
            state=state, result=result[:2000], issue_id=issue_id, updated_at=db.utcnow(), lease_until=None))


def queue_counts(store: Any) -> dict[str, int]:
    """{state: number of jobs} (queued, running, done, failed), by SQL aggregation."""
    with store._read() as conn:
        rows = conn.execute(sa.select(jobs.c.state, sa.func.count()).group_by(jobs.c.state)).all()
    return {state: int(n) for state, n in rows}


def queue_status(store: Any, limit: int = 10) -> dict[str, Any]:
    """Counts, running jobs (with their worker and lease) and recent failures, for `digest status`."""
    cols = [jobs.c.id, jobs.c.label, jobs.c.state, jobs.c.attempts, jobs.c.claimed_by, jobs.c.lease_until,
            jobs.c.updated_at, jobs.c.result]
    with store._read() as conn:
        running = [dict(r._mapping) for r in conn.execute(
            sa.select(*cols).where(jobs.c.state == "running").order_by(jobs.c.id).limit(limit))]
        failed = [dict(r._mapping) for r in conn.execute(
            sa.select(*cols).where(jobs.c.state == "failed").order_by(jobs.c.updated_at.desc()).limit(limit))]
    now = db.utcnow()
    for r in running:
        r["lease_expired"] = bool(r["lease_until"] and r["lease_until"] <= now)
    return {"counts": queue_counts(store), "running": running, "failed": failed}


# -- working ------------------------------------------------------------------------------------

def ingest_job(store: Any, settings: Settings, job: Job) -> tuple[str, str, int | None, list[Failure]]:
    """Ingest one job's issue. Returns (state, result, issue id, failures); raises nothing but
    BaseException (a kill): a store error fails this job, never the worker."""
    from . import ingest as ingest_mod
    from .pipeline import process_issue, _worker_init
    from .store import AlreadyStored

    p = job.payload
    tmp = Path(tempfile.mkdtemp(prefix="digest-job-"))
    try:
        paths, key_of, local_of = [], {}, {}
        originals = p.get("paths") or []
        for i, f in enumerate(p["files"]):
            suffix = Path(f["name"]).suffix if len(Path(f["name"]).suffix) <= 16 else ""
            stem = f["name"][:len(f["name"]) - len(suffix)]
            path = tmp / fit_name(f"{i:04d}_{stem}", 200, suffix)  # any name fits (outbox.fit_name), suffix kept
            path.write_bytes(base64.b64decode(f["data"]))
            os.utime(path, (f["mtime"], f["mtime"]))
            paths.append(path)
            key_of[str(path)] = f["key"]
            local_of[str(path)] = originals[i] if i < len(originals) else None
        source = ingest_mod.IssueSource(tuple(paths), dt.date.fromisoformat(p["path_date"]) if p["path_date"] else None)
        date = dt.date.fromisoformat(p["date"]) if p.get("date") else None
        issue, fails = ingest_mod.read_issue(source, p["publication"], date, int(settings.max_file_mb * 2**20))

        def mapped(s: str, table: dict) -> str | None:
            """s (a temp file, or "file#page=N") with its file replaced through `table`."""
            for k, v in table.items():
                if v is not None and (s == k or s.startswith(k + "#")):
                    return v + s[len(k):]
            return None

        fails = [dataclasses.replace(f, path=mapped(f.path, key_of) or f.path) for f in fails]
        if issue is None:
            return "failed", "; ".join(f"{f.path}: {f.message}" for f in fails) or "no page could be read", None, fails
        local = [mapped(pg.source, local_of) for pg in issue.pages]
        issue = dataclasses.replace(issue, pages=tuple(dataclasses.replace(pg, source=mapped(pg.source, key_of) or pg.source)
                                                       for pg in issue.pages))
        _worker_init(str(settings.data_dir))
        items, more = process_issue(issue, settings.summary_chars_front, settings.summary_chars_other)
        fails += more
        checkpoint("worker:before-save")
        try:
            issue_id = store.save_issue(issue, items, local)
        except AlreadyStored as exc:
            return "done", f"already ingested as issue {exc.issue_id}", exc.issue_id, fails
        except DigestError as exc:
            return "failed", f"store: {exc.message}", None, fails + [Failure(job.label, "store", exc.message, exc.hint)]
        checkpoint("worker:after-save")
        return "done", f"issue {issue_id}: {issue.date} ({issue.date_rule}), {len(items)} articles", issue_id, fails
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_worker(settings: Settings, stop: threading.Event, *, drain: bool = False,
               progress=None) -> dict[str, int]:
    """Claim and ingest jobs until `stop` is set (or, with `drain`, until no job is queued or
    running: a job held by a worker that died is waited for until its lease lets it be retried).

    Returns {"done": n, "failed": n}. Records a heartbeat (services table) and renews the lease
    of the job in hand from a background thread every third of DIGEST_JOB_LEASE_SECONDS.
    """
    from .lease import heartbeat, instance_id, stopped
    from .pipeline import open_store

    store = open_store(settings)
    me = instance_id("worker", settings.home)
    lease = settings.job_lease_seconds
    current: dict[str, Any] = {"job": None}
    counts = {"done": 0, "failed": 0}
    beat_stop = threading.Event()

    def beat() -> None:
        while not beat_stop.wait(max(0.2, lease / 3)):
            try:
                job = current["job"]
                heartbeat(store, me, "worker", str(settings.home), lease,
                          f"job {job.id} {job.label}" if job else "idle")
                if job is not None and not _renew(store, job.id, me, lease):
                    log.warning("job %s: lease lost (another worker may have it)", job.id)
            except DigestError as exc:
                log.warning("heartbeat failed: %s", exc)

    heartbeat(store, me, "worker", str(settings.home), lease, "starting")
    thread = threading.Thread(target=beat, name="digest-worker-heartbeat", daemon=True)
    thread.start()
    try:
        while not stop.is_set():
            job = claim(store, me, lease)
            if job is None:
                if drain and not queue_counts(store).get("running"):
                    break  # nothing queued, nothing in hand anywhere (a dead worker's job comes back)
                stop.wait(IDLE_SECONDS)
                continue
            current["job"] = job
            checkpoint("worker:after-claim")
            t0 = time.monotonic()
            try:
                state, result, issue_id, fails = ingest_job(store, settings, job)
            except Exception as exc:  # noqa: BLE001 - one job fails, the worker goes on
                log.exception("job %s crashed", job.id)
                state, result, issue_id, fails = "failed", f"{exc.__class__.__name__}: {exc}", None, [
                    Failure(job.label, "ingest", f"{exc.__class__.__name__}: {exc}",
                            "the job is marked failed; please report it with the file (the worker goes on)")]
            try:
                _finish(store, job.id, me, state, result, issue_id)
                if fails:
                    store.record_failures(fails)
            except DigestError as exc:
                log.error("job %s: cannot record the outcome: %s", job.id, exc)
            current["job"] = None
            counts[state] = counts.get(state, 0) + 1
            log.info("job %s %s in %.1fs: %s: %s", job.id, state, time.monotonic() - t0, job.label, result)
            if progress:
                progress(job, state, result)
    finally:
        beat_stop.set()
        thread.join(5)
        try:
            stopped(store, me)
        except DigestError:
            pass
    return counts

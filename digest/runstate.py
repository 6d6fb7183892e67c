"""State of the daily service: the per-home lock of `digest run`, and `digest status`.

The lock is an flock on data_dir/digest-run.lock (released by the kernel even on SIGKILL) with the
holder's pid inside: one service per home. Services on other homes or hosts sharing the database
are seen through their heartbeats (services table) and the leader lease (digest/lease.py).
Status reads the persistent job store directly: no scheduler is started.
"""
from __future__ import annotations

import datetime as dt
import re
import fcntl
import os
from pathlib import Path
from typing import Any

from .config import Settings
from .display import PRINTED_RULES, local_time, safe_text, zone_label
from .errors import DigestError

JOB_INBOX, JOB_DIGEST = "inbox", "digest"
JOB_RETRY = "retry"  # owed deliveries of earlier digests (digest/scheduler.py)
DIGEST_EXECUTOR = "digest"  # the scheduler's thread for the digest, resume and retry jobs (inbox: "default")
JOB_SETTINGS = "settings"  # job_runs rows of a failed (or repaired) settings reload of `digest run`
JOBS_TABLE = "apscheduler_jobs"
LOCK_NAME = "digest-run.lock"


# -- single-instance lock ---------------------------------------------------------------------

def lock_path(settings: Settings) -> Path:
    """data_dir/digest-run.lock: one `digest run` per home (several homes may share a database:
    their services agree on a leader through the database, digest/leader.py)."""
    return Path(settings.data_dir) / LOCK_NAME


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip() or 0) or None
    except (OSError, ValueError):
        return None


class RunLock:
    """An exclusive flock on the lock file; the file holds the holder's pid while it runs."""

    def __init__(self, path: Path):
        self.path, self.fd = path, None

    def acquire(self) -> "RunLock":
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = _open_regular(self.path, os.O_RDWR | os.O_CREAT)
        except OSError as exc:
            raise _lock_error(self.path, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            pid = _read_pid(self.path)
            raise DigestError(f"another `digest run` is already running on this database (pid {pid or 'unknown'})",
                              f"stop it first (kill {pid or '<pid>'}); lock file {self.path}") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        os.fsync(fd)
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def _open_regular(path: Path, flags: int) -> int:
    """os.open for the lock file, which must be a regular file: never blocks (a FIFO), never
    follows a symlink; OSError otherwise (IsADirectoryError, "not a regular file" …)."""
    import stat

    fd = os.open(path, flags | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(0, "not a regular file")
    return fd


def _lock_error(path: Path, exc: OSError) -> DigestError:
    return DigestError(f"cannot open the lock file {path}: {exc.strerror or exc}",
                       f"the service's user must be able to read and write it: fix its owner or mode "
                       f"(ls -l {path}), or remove it while no `digest run` is running")


def lock_holder(path: Path) -> int | None:
    """The pid of the running `digest run` (-1 when it is starting), or None when nobody holds the lock.
    Raises DigestError (with a hint) when the lock file cannot be opened."""
    if not path.exists():
        return None
    try:
        fd = _open_regular(path, os.O_RDONLY)
    except OSError as exc:
        raise _lock_error(path, exc) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return _read_pid(path) or -1
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


# -- digest status ------------------------------------------------------------------------------

def scheduled_jobs(settings: Settings) -> list[dict]:
    """The jobs in the persistent job store (read directly: no scheduler is started)."""
    import pickle

    import sqlalchemy as sa

    from .store import make_engine

    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(JOBS_TABLE):
                return []
            t = sa.Table(JOBS_TABLE, sa.MetaData(), autoload_with=conn)
            rows = conn.execute(sa.select(t.c.id, t.c.next_run_time, t.c.job_state).order_by(t.c.id)).all()
    finally:
        engine.dispose()
    out = []
    for r in rows:
        try:
            state = pickle.loads(r.job_state)  # written by our own scheduler into our own database
            trigger, name = str(state["trigger"]), state.get("name", "")
        except Exception:  # noqa: BLE001
            trigger, name = "(unreadable)", ""
        nxt = (dt.datetime.fromtimestamp(r.next_run_time, dt.timezone.utc).astimezone(settings.tz)
               if r.next_run_time is not None else None)
        out.append({"id": r.id, "name": name, "trigger": trigger, "next_run_time": nxt})
    return out


def status_data(settings: Settings, store) -> dict[str, Any]:
    path = lock_path(settings)
    try:
        pid, lock_problem = lock_holder(path), ""
    except DigestError as exc:
        pid, lock_problem = None, str(exc)
    guessed = [{"id": r["id"], "publication": r["publication"], "date": r["issue_date"], "date_rule": r["date_rule"],
                "sources": r["sources"]}
               for r in store.list_issues(exclude_rules=PRINTED_RULES, limit=500)]  # SQL-filtered (scale)
    from .lease import current_holder, list_services
    from .queue import queue_status
    from .lease import recent_runs as scheduled_runs

    services = [s for s in list_services(store) if s["state"] != "stopped" or s["kind"] == "run"][:20]
    leader = current_holder(store)
    jobs = scheduled_jobs(settings)
    jobs += [{"id": JOB_INBOX, "name": f"ingest complete inbox files ({s['instance']})", "trigger": "interval",
              "next_run_time": None, "instance": s["instance"]}
             for s in services if s["kind"] == "run" and s["state"] == "alive"]
    return {
        "timezone": settings.timezone,
        "guessed_dates": sorted(guessed, key=lambda g: (g["date"], g["id"]), reverse=True),
        "running": pid is not None or any(s["kind"] == "run" and s["state"] == "alive" for s in services),
        "pid": pid if pid and pid > 0 else None, "lock_file": str(path), "lock_problem": lock_problem,
        "settings_problems": [str(p) for p in getattr(settings, "problems", ())],
        "service_settings": service_settings_problem(store),
        "services": services, "leader": leader, "scheduled_runs": scheduled_runs(store, 5),
        "queue": queue_status(store),
        "jobs": jobs,
        "runs": store.recent_runs(10),
        "last_digest_runs": store.recent_runs(3, job=JOB_DIGEST),
        "failures": store.recent_failures(5),
        "paper_mismatches": _paper_mismatches(store),
        "deliveries": _owed_notes(store.pending_deliveries(), store, settings),
        "owed": _owed(store, settings),
        "morning": _morning(store, settings),
        "digests": [{k: v for k, v in d.items() if k != "content_hash"} for d in store.list_digests(5)],
    }


def _paper_mismatches(store) -> list[dict]:
    """Recent ingest warnings (failures of stage "paper") of issues filed under DIGEST_PUBLICATION
    whose pages print another paper's name, for issues still in the store."""
    out = []
    for f in store.recent_failures(200):
        m = re.match(r"issue (\d+) ", f["message"]) if f["stage"] == "paper" else None
        row = store.issue_row(int(m.group(1))) if m else None
        if row is not None and ",".join(row["sources"]) == f["path"]:  # still there (ids can be reused)
            out.append({**f, "issue_id": int(m.group(1))})
    return out[:20]


def _owed(store, settings: Settings) -> list[dict]:
    """Digests whose readers are still owed it: [{digest_id, publication, start_date, end_date,
    built_at, queued, sending, retried_until, given_up}] — given_up: built more than
    DIGEST_RETRY_MAX_AGE_HOURS ago, so the service no longer retries it."""
    out = []
    for given_up, rows in ((False, store.owed_digests(settings.retry_max_age_hours)),
                           (True, store.owed_digests(settings.retry_max_age_hours, older=True))):
        for d in rows:
            out.append({"digest_id": d["id"], "publication": d["publication"], "start_date": d["start_date"],
                        "end_date": d["end_date"], "built_at": d["built_at"], "queued": d["queued"],
                        "sending": d["sending"], "superseded": d["superseded"], "given_up": given_up,
                        "retried_until": d["built_at"] + dt.timedelta(hours=settings.retry_max_age_hours)})
    return out


def _owed_notes(rows: list[dict], store, settings: Settings) -> list[dict]:
    """The pending deliveries, a queued one's note saying when `digest run` retries it."""
    built = {d["id"]: d["built_at"] for d in store.owed_digests()} if rows else {}
    limit = dt.timedelta(hours=settings.retry_max_age_hours)
    for d in rows:
        if d["status"] != "queued" or d["digest_id"] not in built:
            continue
        until = built[d["digest_id"]] + limit
        if until > dt.datetime.now(dt.timezone.utc).replace(tzinfo=None):
            d["state_note"] = (f"owed: `digest run` retries it every {settings.retry_seconds}s until "
                               f"{until:%Y-%m-%d %H:%M} UTC (DIGEST_RETRY_MAX_AGE_HOURS="
                               f"{settings.retry_max_age_hours:g})" + ("" if settings.deliver_smtp else
                                                                         "; DIGEST_DELIVER_SMTP is off: "
                                                                         "`digest send` sends it"))
        else:
            d["state_note"] = (f"given up by the service (the digest is older than DIGEST_RETRY_MAX_AGE_HOURS="
                               f"{settings.retry_max_age_hours:g}): `digest send --digest-id {d['digest_id']}` "
                               f"sends it")
    return rows


def _morning(store, settings: Settings) -> dict:
    """What the next morning run would cover (digest.plan): {range, why, issue_ids, late, skipped}."""
    from .plan import plan_digest, skipped_text

    try:
        plan = plan_digest(store, settings, dt.datetime.now(settings.tz).date())
    except DigestError as exc:
        return {"error": str(exc)}
    return {"range": list(plan.range) if plan.range else None, "why": plan.why, "issue_ids": plan.issue_ids,
            "late": [{"id": i["id"], "date": i["issue_date"], "correction": bool(i["correction"])} for i in plan.late],
            "skipped": [{"id": i["id"], "date": i["issue_date"], "reason": r} for i, r in plan.skipped],
            "skipped_text": skipped_text(plan.skipped) if plan.skipped else ""}


def _local(value: Any, tz) -> str:
    """Store times are naive UTC; show them in the configured time zone, with its offset."""
    return local_time(value, tz)


def service_settings_problem(store) -> dict | None:
    """The service's last settings reload if it failed (job_runs, job "settings"): the service runs
    on with its last good settings until the file is fixed. None when the last reload was good."""
    last = store.recent_runs(1, job=JOB_SETTINGS)
    return last[0] if last and last[0]["outcome"] == "failed" else None


def status_text(data: dict[str, Any], settings: Settings) -> list[str]:
    tz, now = settings.tz, dt.datetime.now(settings.tz)
    lines = [line for p in data.get("settings_problems") or ()  # "message\n  hint: …": a line each
             for line in (f"settings: {p}").split("\n")]
    if lines:
        lines.append("  (status shows the defaults in their place; other commands refuse to run until this is fixed)")
    if data.get("lock_problem"):
        lines.append(f"lock file: {data['lock_problem']}")
    bad = data.get("service_settings")
    if bad:
        lines.append(f"settings of the running service: the reload of {_local(bad['started_at'], tz)} failed: "
                     f"{bad['detail']}")
    lines.append(f"digest run: running (pid {data['pid'] or '?'})" if data["pid"]
                 else "digest run: running on another home or host (see services)" if data["running"]
                 else f"digest run: not running (lock file {data['lock_file']})")
    leader = data.get("leader")
    for s in data.get("services", []):
        role = " leader" if leader and leader["holder"] == s["instance"] and leader["alive"] else ""
        lines.append(f"  service {s['instance']} ({s['kind']}{role}): {s['state']}, last heartbeat "
                     f"{_local(s['heartbeat_at'], tz)}" + (f", {s['detail']}" if s.get("detail") else ""))
    q = data.get("queue") or {}
    if q.get("counts"):
        c = q["counts"]
        lines.append("ingest queue: " + ", ".join(f"{c.get(k, 0)} {k}" for k in ("queued", "running", "done", "failed")))
        for j in q["running"]:
            state = "lease expired: another worker retries it" if j["lease_expired"] else \
                f"lease until {_local(j['lease_until'], tz)}"
            lines.append(f"  job {j['id']} {j['label']}: running on {j['claimed_by']} (attempt {j['attempts']}), {state}")
        for j in q["failed"][:5]:
            lines.append(f"  job {j['id']} {j['label']}: failed: {j['result']}")
    if leader and not leader["alive"]:
        lines.append(f"  leader lease of {leader['holder']} expired at {_local(leader['expires_at'], tz)}: "
                     f"a standby service takes over at its next heartbeat")
    lines.append(f"times in {zone_label(tz, settings.timezone)}")
    lines.append("jobs:" if data["jobs"] else "jobs: none scheduled yet (start `digest run`)")
    for j in data["jobs"]:
        if j["id"] == JOB_INBOX and j.get("instance"):
            continue  # each service's inbox job: listed with the services above
        nxt = j["next_run_time"]
        late = " (overdue: runs at the next start if within the grace time)" \
            if j["id"] == JOB_DIGEST and nxt and nxt < now and not data["running"] else ""
        lines.append(f"  {j['id']:7} next {_local(nxt, tz)}  {j['trigger']}{late}")
    runs = {r["id"]: r for r in data["runs"] + data["last_digest_runs"]}
    lines.append("last runs:" if runs else "last runs: none")
    for r in sorted(runs.values(), key=lambda r: r["id"], reverse=True):
        secs = (r["finished_at"] - r["started_at"]).total_seconds() if r["finished_at"] else 0
        lines.append(f"  {_local(r['started_at'], tz)}  {r['job']:7} {r['outcome']:8} {secs:5.1f}s  {r['detail']}")
    misfiled = data.get("paper_mismatches") or []
    if misfiled:
        lines.append("issues filed under another paper than their pages print (`digest issues remove ID`, "
                     "then ingest with --paper NAME or from inbox/NAME/):")
        lines += [f"  {_local(f['created_at'], tz)}  {f['path']}: {f['message']}" for f in misfiled]
    inputs = [f for f in data["failures"] if f["stage"] != "paper"]
    if inputs:
        lines.append("recent input failures:")
        lines += [f"  {_local(f['created_at'], tz)}  {f['path']} ({f['stage']}): {f['message']}" for f in inputs]
    for o in data.get("owed") or ():
        rng = f"{o['start_date']}" if o["start_date"] == o["end_date"] else f"{o['start_date']}..{o['end_date']}"
        state = (f"given up (built more than DIGEST_RETRY_MAX_AGE_HOURS ago): `digest send --digest-id "
                 f"{o['digest_id']}` sends it") if o["given_up"] else \
            f"retried by `digest run` until {_local(o['retried_until'], tz)}"
        lines.append(f"still owed: digest {o['digest_id']} {safe_text(o['publication'])} {rng} to {o['queued'] + o['sending']} "
                     f"reader(s): {state}")
    morning = data.get("morning") or {}
    if morning.get("range"):
        late = morning.get("late") or []
        lines.append(f"next morning run: {morning['why']}" + (
            f"; with {len(late)} late issue(s) or correction(s) ({', '.join(str(x['date']) for x in late[:5])})"
            if late else ""))
    if morning.get("skipped_text"):
        lines.append(f"issues the morning run leaves out: {morning['skipped_text']}")
    lines.append("deliveries not sent:" if data["deliveries"] else "deliveries not sent: none")
    for d in data["deliveries"]:
        lines.append(f"  digest {d['digest_id']} -> {d['recipient']}: {d['status']}, {d['attempts']} attempt(s), "
                     f"{_local(d['updated_at'], tz)}; last reply: {d['last_reply'] or '-'}")
        if d.get("state_note"):
            lines.append(f"      {d['state_note']}")
    guessed = data.get("guessed_dates") or []
    if guessed:
        lines.append(f"issues whose date is a guess (not printed on the page; check them, and re-ingest with "
                     f"--date D if wrong): {len(guessed)}")
        for g in guessed[:10]:
            src = g["sources"][0] if g["sources"] else "?"
            lines.append(f"  #{g['id']} {g['publication']} {g['date']} (guessed: {g['date_rule']})  {src}")
        if len(guessed) > 10:
            lines.append(f"  … and {len(guessed) - 10} more (`digest status --json` lists them all)")
    lines.append("last digests:" if data["digests"] else "last digests: none")
    for d in data["digests"]:
        sent = sum(1 for x in d["deliveries"] if x["status"] == "sent")
        lines.append(f"  #{d['id']} {d['publication']} {d['start_date']}..{d['end_date']}: {d['article_count']} "
                     f"articles, built {_local(d['built_at'], tz)}, sent {sent}/{len(d['deliveries'])}  {d['eml_path']}")
    return [safe_text(line) for line in lines]  # paths, replies and details: no control character goes out raw


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc).isoformat()
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)

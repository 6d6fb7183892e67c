"""`digest run`, the daily service (its commands: digest/cli_run.py).

Three jobs in one APScheduler 3 scheduler, the inbox job on its own thread (a slow SMTP server
never holds up polling) and the others on a second one; the digest job is kept in the project
database (table apscheduler_jobs) by the leader only (several services may share one database,
see leader.py):
  inbox   every DIGEST_POLL_SECONDS: ingest inbox entries that are complete, i.e. whose size and
          mtime did not change between two polls (names ending .part/.tmp or hidden are never taken);
  digest  on DIGEST_SEND_CRON: build the digest of the issues not yet delivered and deliver it
          (outbox always, SMTP when DIGEST_DELIVER_SMTP; digest/morning.py), one digest per paper
          (pipeline.papers: DIGEST_PUBLICATION, then every other publication in the store, e.g.
          inbox/<paper>/…);
  retry   every DIGEST_RETRY_SECONDS, on the leader: the deliveries still owed of digests built
          within DIGEST_RETRY_MAX_AGE_HOURS (digest.deliver.send_owed).
Settings are re-read by every job; a bad edit is recorded and the last good ones used (reload.py).
A run missed while the machine was off or asleep runs once when it is back within
DIGEST_MISFIRE_GRACE_SECONDS, and is recorded as `missed` otherwise. One `digest run` per home
(lock file), any number per database: one leads (a lease in the database), the others stand by;
each scheduled run is claimed once per (publication, run time) (digest/lease.py). The lock and
the status report are in digest/runstate.py.
Job functions are module-level and take one dict of primitives: the job store pickles them.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any, Callable

from . import pipeline
from .config import Settings
from .display import safe_text
from .errors import DigestError
from . import inputs
from .ingest import _candidate_name, paper_folder, survey
from .morning import deliver_digest, plan_range  # noqa: F401 (plan_range: for callers of the old name)
from .reload import job_settings as _settings, remember_settings
from .runstate import (DIGEST_EXECUTOR, JOB_DIGEST, JOB_INBOX, JOB_RETRY, LOCK_NAME,  # noqa: F401
                       lock_holder, scheduled_jobs)

log = logging.getLogger("digest.run")
WAKE_SECONDS = 30.0  # re-check the wall clock this often (timers do not count suspended time)
_STOPS: dict[str, threading.Event] = {}  # service instance -> its stop event: a send stops at once with it


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def job_args(settings: Settings, overrides: dict[str, Any], env_file: str | None) -> dict[str, Any]:
    """What the jobs get: command-line overrides (no secrets) to re-load the settings with."""
    over = {k: (str(v) if isinstance(v, Path) else v) for k, v in overrides.items() if v is not None}
    over["home"] = str(settings.home)
    return {"overrides": over, "env_file": env_file}


# -- the inbox job --------------------------------------------------------------------------

class InboxWatcher:
    """Remembers each inbox entry's (size, mtime) per file; an entry is ready when two polls agree.

    Entries are the inbox's top-level files and folders, and the entries of its paper folders
    (``inbox/<paper>/2025-07-18``): an issue of one paper is taken as soon as it is complete,
    whatever else arrives in that paper's folder. An entry is busy while it holds a file being
    written under a temporary name (.part, .tmp, ...). An entry already taken with the same
    signature is not taken again; a changed one is (the store keeps it as a new version). An entry
    that cannot be read (a link out of the inbox, a loop) has a signature too: it is reported
    once by the ingest, not at every poll. Everything is looked at through digest.inputs: nothing
    outside the inbox is listed or opened.
    """

    def __init__(self) -> None:
        self.seen: dict[Path, tuple] = {}
        self.taken: dict[Path, tuple] = {}
        self.changed: set[Path] = set()  # entries whose signature changed between the last two polls

    @staticmethod
    def signature(path: Path, inbox: Path | None = None) -> tuple | None:
        return survey(path, inbox if inbox is not None else path.parent)

    @staticmethod
    def entries(inbox: Path) -> list[Path]:
        """The entries the watcher follows: top-level entries of the inbox, a paper folder's
        entries instead of the folder (refused entries too: they are reported once)."""
        root = inputs.inbox_root(inbox)
        try:
            top, refused = inputs.scan(inbox, root, keep=_candidate_name)
        except DigestError as exc:
            log.warning("inbox: %s", exc)
            return []
        found = [Path(e.path) for e in refused]
        for e in top:
            if e.is_dir and paper_folder(e.path.name) and not (e.link and root.path.is_relative_to(e.real)):
                try:
                    inner, bad = inputs.scan(e.path, root, keep=_candidate_name)
                except DigestError:
                    found.append(e.path)  # reported by the ingest
                    continue
                found += [x.path for x in inner] + [Path(x.path) for x in bad]
            else:
                found.append(e.path)
        return sorted(found)

    def poll(self, inbox: Path) -> list[Path]:
        current = {}
        for entry in self.entries(inbox):
            if (sig := self.signature(entry, inbox)) is not None:
                current[entry] = sig
        ready = [p for p, sig in current.items() if self.seen.get(p) == sig and self.taken.get(p) != sig]
        self.changed = {p for p, sig in current.items() if p in self.seen and self.seen[p] != sig}
        self.seen = current
        return ready

    def waiting(self) -> int:
        return sum(1 for p, sig in self.seen.items() if self.taken.get(p) != sig)

    def first_seen(self) -> list[Path]:
        """Entries seen for the first time at the last poll (not taken, not changing)."""
        return [p for p, sig in self.seen.items() if self.taken.get(p) != sig and p not in self.changed]

    def mark_taken(self, paths: list[Path]) -> None:
        for p in paths:
            self.taken[p] = self.seen[p]


_watcher = InboxWatcher()  # per process, as the job store only keeps a reference to inbox_job


def poll_inbox(store, settings: Settings, watcher: InboxWatcher) -> tuple[str, str]:
    inbox = Path(settings.inbox)
    inbox.mkdir(parents=True, exist_ok=True)
    ready = watcher.poll(inbox)
    known = [p for p in watcher.first_seen() if p not in ready and pipeline.already_ingested(store, settings, p)]
    watcher.mark_taken(known)  # ingested before this process started: nothing to wait for
    if not ready:
        changing, new = len(watcher.changed), watcher.waiting() - len(watcher.changed)
        parts = []
        if new:
            parts.append(f"{new} new inbox entr{'y' if new == 1 else 'ies'}: taken at the next poll if unchanged")
        if changing:
            parts.append(f"{changing} inbox entr{'y' if changing == 1 else 'ies'} still being written")
        if known:
            parts.append(f"{len(known)} already ingested")
        return "nothing", "; ".join(parts) or "no new file in the inbox"
    if settings.ingest_queue:  # the workers ingest (digest/queue.py)
        from .queue import enqueue

        queued = enqueue(store, settings, ready)
        watcher.mark_taken(ready)
        detail = (f"{len(queued.queued)} issue(s) queued for the workers, {len(queued.skipped)} already known, "
                  f"{len(queued.failures)} failure(s) from {_names(ready, inbox)}") + _failures_text(queued.failures)
        return {0: "ok", 1: "partial"}.get(queued.exit_code, "failed"), detail
    report = pipeline.ingest(store, settings, ready, jobs=settings.jobs or 1)
    watcher.mark_taken(ready)
    outcome = {0: "ok", 1: "partial"}.get(report.exit_code, "failed")
    detail = (f"{len(report.ingested)} issue(s) ingested ({report.articles} articles), {len(report.skipped)} "
              f"already known, {len(report.failures)} failure(s) from {_names(ready, inbox)}")
    if report.ingested:
        detail += "; dates " + ", ".join(sorted({iss.date.isoformat() for _, iss in report.ingested}))
    for issue_id, printed in report.paper_mismatches:  # filed under DIGEST_PUBLICATION, printing another name
        detail += (f"; warning: issue {issue_id} is filed under {safe_text(settings.publication)} but prints "
                   f"{safe_text(printed)} (put its files in inbox/{safe_text(printed)}/)")
    return outcome, detail + _failures_text(report.failures)


def _names(paths: list[Path], inbox: Path | None = None) -> str:
    """Inbox entries for a log line: their paths inside the inbox (大众日报/2025-07-18), control
    characters escaped (safe_text)."""
    def name(p: Path) -> str:
        try:
            return str(p.relative_to(inbox)) if inbox is not None else p.name
        except ValueError:
            return p.name
    return ", ".join(safe_text(name(p)) for p in paths)


def _failures_text(failures: list) -> str:
    """The first three failures for a log line and job_runs (`digest status` lists all)."""
    if not failures:
        return ""
    text = "; " + "; ".join(f"{safe_text(f.path)}: {safe_text(f.message)}" for f in failures[:3])
    if len(failures) > 3:
        text += f"; and {len(failures) - 3} more (digest status lists them)"
    return text


# -- the digest job ---------------------------------------------------------------------------

def _job_settings(args: dict[str, Any], job: str) -> Settings | None:
    """A job's settings, re-read from .env (digest.reload); None (the error logged) when they cannot be."""
    try:
        return _settings(args)
    except DigestError as exc:
        log.error("%s: %s", job, exc)
        return None


def retry_job(args: dict[str, Any]) -> str:
    """Every DIGEST_RETRY_SECONDS on the leader: send the deliveries still owed (digest.deliver.send_owed)."""
    settings = _job_settings(args, JOB_RETRY)
    if settings is None:
        return "failed"
    if not settings.deliver_smtp:
        return "nothing"

    def body(store) -> tuple[str, str]:
        from .deliver import send_owed
        from .lease import current_holder

        holder = current_holder(store)
        instance = args.get("instance")
        if instance and (holder is None or holder["holder"] != instance or not holder["alive"]):
            return "nothing", "standing by: the leader retries owed deliveries"
        return send_owed(store, settings, stop=_STOPS.get(instance or ""))
    return _logged(settings, JOB_RETRY, body, record_nothing=False)


# -- running and recording jobs -----------------------------------------------------------------

def _logged(settings: Settings, job: str, fn: Callable[[Any], tuple[str, str]], *, record_nothing: bool = True) -> str:
    """Run one job body: log its outcome and duration, record it in job_runs. Never raises.
    record_nothing=False: an outcome "nothing" is only logged at debug level (frequent checks)."""
    started, t0 = _utcnow(), time.monotonic()
    store = None
    try:
        store = pipeline.open_store(settings)
        outcome, detail = fn(store)
    except DigestError as exc:
        outcome, detail = "failed", str(exc).replace("\n ", ";")
    except Exception as exc:  # noqa: BLE001 - a job must not take the service down
        log.exception("%s job crashed", job)
        outcome, detail = "failed", f"{exc.__class__.__name__}: {exc}"
    level = logging.WARNING if outcome in ("failed", "partial") else logging.INFO
    if outcome == "nothing" and not record_nothing:
        log.debug("%s: %s in %.1fs: %s", job, outcome, time.monotonic() - t0, detail)
        return outcome
    log.log(level, "%s: %s in %.1fs: %s", job, outcome, time.monotonic() - t0, detail)
    try:
        (store or pipeline.open_store(settings)).log_run(job, started, outcome, detail, _utcnow())
    except DigestError as exc:
        log.error("%s: cannot record the run: %s", job, exc)
    return outcome


def inbox_job(args: dict[str, Any]) -> str:
    settings = _job_settings(args, JOB_INBOX)
    if settings is None:
        return "failed"
    return _logged(settings, JOB_INBOX, lambda store: poll_inbox(store, settings, _watcher))


def digest_job(args: dict[str, Any]) -> str:
    """The cron job: claim this fire time's scheduled run of each paper (one host per run), build
    and deliver one digest per paper."""
    settings = _job_settings(args, JOB_DIGEST)
    if settings is None:
        return "failed"
    run_at = args.get("run_at") or fire_time(args.get("trigger"), settings)
    return _logged(settings, JOB_DIGEST,
                   lambda store: deliver_papers(store, settings, run_at, args.get("instance")))


def fire_time(trigger, settings: Settings, now: dt.datetime | None = None) -> dt.datetime | None:
    """The latest fire time of `trigger` not after now (within the misfire grace), naive UTC."""
    if trigger is None:
        return None
    now = now or dt.datetime.now(settings.tz)
    due = trigger.get_next_fire_time(None, now - dt.timedelta(seconds=settings.misfire_grace_seconds + 60))
    last = None
    for _ in range(100_000):
        if due is None or due > now:
            break
        last, due = due, trigger.get_next_fire_time(due, due + dt.timedelta(microseconds=1))
    return last.astimezone(dt.timezone.utc).replace(tzinfo=None) if last else None


def scheduled_delivery(store, settings: Settings, run_at: dt.datetime | None, holder: str | None) -> tuple[str, str]:
    """deliver_digest once per (publication, run_at) across every host sharing the database.

    The scheduled_runs row is claimed first; a host that finds it done, or running under a live
    lease elsewhere, does nothing. A run left `running` by a host that died is resumed by the
    next leader (digest/lease.py): the digest is reused and recipients already sent are skipped.
    """
    from .lease import claim_run, finish_run

    stop = _STOPS.get(holder or "")
    if run_at is None or holder is None:
        return deliver_digest(store, settings, stop)
    claim, why = claim_run(store, settings.publication, run_at, holder, settings.leader_lease_seconds)
    if claim is None:
        return "nothing", why
    try:
        outcome, detail = deliver_digest(store, settings, stop)
    except Exception as exc:  # recorded, then reported by _logged as usual
        finish_run(store, claim, holder, "failed", f"{exc.__class__.__name__}: {exc}")
        raise
    if claim.taken_over_from:
        detail = f"resumed the run of {claim.taken_over_from} (lease expired); " + detail
    finish_run(store, claim, holder, outcome, detail)
    return outcome, detail


def deliver_papers(store, settings: Settings, run_at: dt.datetime | None, holder: str | None) -> tuple[str, str]:
    """One digest per paper (pipeline.papers: DIGEST_PUBLICATION, then every other publication in
    the store), each claimed, built and delivered on its own (scheduled_delivery): one paper's
    failure never stops the others. Outcome: ok when every paper with something to do succeeded,
    partial when some did, failed when none did, nothing when no paper had anything new."""
    results = []
    for paper in pipeline.papers(store, settings):
        try:
            outcome, detail = scheduled_delivery(store, pipeline.for_paper(settings, paper), run_at, holder)
        except DigestError as exc:
            outcome, detail = "failed", str(exc).replace("\n ", ";")
        except Exception as exc:  # noqa: BLE001 - one paper must not stop the others
            log.exception("digest job crashed for %s", safe_text(paper))
            outcome, detail = "failed", f"{exc.__class__.__name__}: {exc}"
        results.append((paper, outcome, detail))
    if len(results) == 1:
        return results[0][1], results[0][2]
    done = [o for _, o, _ in results if o != "nothing"]
    outcome = ("nothing" if not done else "ok" if all(o == "ok" for o in done)
               else "failed" if all(o == "failed" for o in done) else "partial")
    return outcome, " | ".join(f"{safe_text(p)}: {d}" for p, _, d in results)


def run_once(settings: Settings, settle: float) -> int:
    """`digest run --once`: the inbox (two looks `settle` seconds apart), then the digest. Exit code."""
    watcher = InboxWatcher()
    inbox = Path(settings.inbox)
    inbox.mkdir(parents=True, exist_ok=True)
    if watcher.poll(inbox) or watcher.seen:
        time.sleep(settle)
    from .lease import instance_id

    run_at = _utcnow().replace(second=0, microsecond=0)  # cron on several hosts at 07:00: one of them runs
    holder = instance_id("once", settings.home)
    outcomes = [_logged(settings, JOB_INBOX, lambda store: poll_inbox(store, settings, watcher)),
                _logged(settings, JOB_DIGEST, lambda store: deliver_papers(store, settings, run_at, holder))]
    return 1 if any(o in ("failed", "partial") for o in outcomes) else 0


def make_scheduler(settings: Settings):
    """A scheduler whose default job store is in memory (this host's inbox job). The digest job
    lives in the shared job store (table apscheduler_jobs), attached only while this service is
    the leader (Leadership): two schedulers never use one job store at once."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.background import BackgroundScheduler

    class Executor(ThreadPoolExecutor):
        """One thread; a job due while the service stops is not started (APScheduler would log a
        traceback submitting it to a pool being shut down). The leader that starts next makes up
        a digest run missed this way (_unfinished_run)."""

        closed = False

        def shutdown(self, wait: bool = True) -> None:
            self.closed = True
            super().shutdown(wait)

        def _do_submit_job(self, job, run_times) -> None:
            try:
                if not self.closed:
                    return super()._do_submit_job(job, run_times)
            except RuntimeError:  # the pool was shut down a moment ago
                pass
            log.info("%s: not started: the service is stopping", job.id)

    return BackgroundScheduler(  # a slow send never holds up inbox polling: one thread each
        executors={"default": Executor(1), DIGEST_EXECUTOR: Executor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": settings.misfire_grace_seconds},
        timezone=settings.tz)


def send_trigger(settings: Settings):
    """DIGEST_SEND_CRON as an APScheduler trigger. DIGEST_TEST_SEND_SECOND (tests only, with a
    day-of-week of *) adds a seconds field, so a test's "every minute" fires every few seconds."""
    from apscheduler.triggers.cron import CronTrigger

    second = os.environ.get("DIGEST_TEST_SEND_SECOND")
    if not second:
        return CronTrigger.from_crontab(settings.send_cron, timezone=settings.tz)
    minute, hour, day, month, dow = settings.send_cron.split()
    return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month, timezone=settings.tz)


def _on_event(settings: Settings):
    from apscheduler.events import EVENT_JOB_MISSED

    def listener(event) -> None:
        if event.code != EVENT_JOB_MISSED:
            (log.debug if event.job_id == JOB_INBOX else log.warning)("%s: still running at its next run time; this run is skipped", event.job_id)
            return
        due = event.scheduled_run_time
        detail = (f"run due at {due.astimezone(settings.tz):%Y-%m-%d %H:%M:%S %Z} was more than "
                  f"{settings.misfire_grace_seconds}s late (process down or machine asleep): not run")
        log.warning("%s: missed: %s", event.job_id, detail)
        try:
            pipeline.open_store(settings).log_run(event.job_id, due.astimezone(dt.timezone.utc).replace(tzinfo=None),
                                                  "missed", detail, _utcnow())
        except DigestError as exc:
            log.error("cannot record the missed run: %s", exc)
    return listener


def _unfinished_run(settings: Settings, trigger, next_run: dt.datetime) -> dt.datetime | None:
    """The latest fire time within the grace time that was dispatched but left no record (killed mid-run)."""
    now = dt.datetime.now(settings.tz)
    due, last = trigger.get_next_fire_time(None, now - dt.timedelta(seconds=settings.misfire_grace_seconds)), None
    for _ in range(10000):
        if due is None or due > now:
            break
        last, due = due, trigger.get_next_fire_time(due, due + dt.timedelta(seconds=1))
    if last is None or next_run <= last:
        return None  # nothing due in the window, or it was never dispatched (then it runs anyway)
    since = last.astimezone(dt.timezone.utc).replace(tzinfo=None)
    done = pipeline.open_store(settings).recent_runs(20, job=JOB_DIGEST)
    return None if any(r["started_at"] >= since for r in done) else last


def run_service(settings: Settings, args: dict[str, Any], stop: threading.Event, *, digest_trigger=None) -> None:
    """Run the scheduler until `stop` is set, then let the running job finish. The caller holds
    this home's lock; leadership among the services sharing the database is taken here.

    `digest_trigger` replaces the DIGEST_SEND_CRON trigger (tests use a CronTrigger on seconds).
    """
    from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
    from apscheduler.triggers.interval import IntervalTrigger

    from .leader import Leadership

    remember_settings(args, settings)
    scheduler = make_scheduler(settings)
    scheduler.add_listener(_on_event(settings), EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
    scheduler.start(paused=True)
    leadership = None
    try:
        trigger = digest_trigger or send_trigger(settings)
        scheduler.add_job(inbox_job, IntervalTrigger(seconds=settings.poll_seconds, timezone=settings.tz),
                          args=[args], id=JOB_INBOX, name="ingest complete inbox files", replace_existing=True,
                          next_run_time=dt.datetime.now(settings.tz), misfire_grace_time=None)
        leadership = Leadership(settings, scheduler, args, trigger, job=digest_job, unfinished=_unfinished_run)
        _STOPS[leadership.instance] = stop
        leadership.tick()
        scheduler.add_job(retry_job, IntervalTrigger(seconds=settings.retry_seconds, timezone=settings.tz),
                          args=[{**args, "instance": leadership.instance}], id=JOB_RETRY, executor=DIGEST_EXECUTOR,
                          name="retry owed deliveries", replace_existing=True, misfire_grace_time=None,
                          next_run_time=dt.datetime.now(settings.tz) + dt.timedelta(seconds=1))
        scheduler.resume()
        log.info("digest run started (pid %d, %s): inbox %s every %ss; digest %s%s",
                 os.getpid(), leadership.instance, settings.inbox, settings.poll_seconds, trigger,
                 "" if leadership.leader else f"; standing by (leader: {leadership.holder_text()})")
        beat = max(0.2, settings.leader_lease_seconds / 3)
        next_wake = time.monotonic() + min(WAKE_SECONDS, settings.poll_seconds)
        while not stop.wait(beat):
            leadership.tick()
            if time.monotonic() >= next_wake:
                scheduler.wakeup()
                next_wake = time.monotonic() + min(WAKE_SECONDS, settings.poll_seconds)
        log.info("stopping: waiting for a running job to finish")
    finally:
        stop.set()  # a send in progress leaves its remaining recipients queued
        scheduler.pause()  # no job is submitted any more (APScheduler logs a traceback for one
        with scheduler._jobstores_lock:  # submitted to an executor being shut down); wait for a
            pass  # round of _process_jobs under way to end
        scheduler.shutdown(wait=True)
        if leadership is not None:
            leadership.close()
            _STOPS.pop(leadership.instance, None)
    log.info("digest run stopped")

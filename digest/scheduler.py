"""`digest run` (the daily service) and `digest status`.

Two jobs in one APScheduler 3 scheduler; the digest job is kept in the project database (table
apscheduler_jobs) by the leader only (several services may share one database, see leader.py):
  inbox   every DIGEST_POLL_SECONDS: ingest inbox entries that are complete, i.e. whose size and
          mtime did not change between two polls (names ending .part/.tmp or hidden are never taken);
  digest  on DIGEST_SEND_CRON: build the digest of the issues not yet delivered and deliver it
          (outbox always, SMTP when DIGEST_DELIVER_SMTP), one digest per paper (pipeline.papers:
          DIGEST_PUBLICATION, then every other publication in the store, e.g. inbox/<paper>/…).
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
from .config import Settings, load_settings
from .display import SafeLogFormatter, safe_text
from .errors import DigestError
from . import inputs
from .ingest import _candidate_name, paper_folder, survey
from .runstate import (JOB_DIGEST, JOB_INBOX, JOBS_TABLE, LOCK_NAME, RunLock, _json_default,  # noqa: F401
                       lock_holder, lock_path, scheduled_jobs, status_data, status_text)

log = logging.getLogger("digest.run")
WAKE_SECONDS = 30.0  # re-check the wall clock this often (timers do not count suspended time)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def job_args(settings: Settings, overrides: dict[str, Any], env_file: str | None) -> dict[str, Any]:
    """What the jobs get: command-line overrides (no secrets) to re-load the settings with."""
    over = {k: (str(v) if isinstance(v, Path) else v) for k, v in overrides.items() if v is not None}
    over["home"] = str(settings.home)
    return {"overrides": over, "env_file": env_file}


def _settings(args: dict[str, Any]) -> Settings:
    return load_settings(args.get("overrides") or {}, env_file=args.get("env_file"))


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

def _last_delivered(store, settings: Settings) -> dict | None:
    """The digest the next one continues from: the last one sent by SMTP, or (outbox only) built."""
    if settings.deliver_smtp:
        return store.last_sent_digest(settings.publication)
    return store.last_built_digest(settings.publication)  # one indexed query, not a list of digests


def plan_range(store, settings: Settings, today: dt.date) -> tuple[tuple[dt.date, dt.date] | None, str]:
    """The date range of the next digest, or None and why there is nothing new."""
    pub = settings.publication
    last = _last_delivered(store, settings)
    since = f" since digest {last['id']} ({last['start_date']}..{last['end_date']})" if last else ""
    empty = None if last is not None and today <= last["end_date"] else (today, today)
    _, newest = store.date_bounds(pub)
    if newest is None:
        return (empty if settings.send_empty else None), f"no issue of {pub} in the store"
    if settings.digest_range == "issue_date":
        if last is not None and last["end_date"] >= newest:
            return (empty if settings.send_empty else None), f"no issue of {pub} newer than {newest}{since}"
        return (newest, newest), f"newest issue {newest}"
    if last is not None:
        start = last["end_date"] + dt.timedelta(days=1)
    else:  # nothing delivered yet: from the earliest issue no digest covers (else just the newest day)
        start = store.first_uncovered_date(pub) or newest  # SQL: no issue or digest list is loaded
    if start > newest:
        return (empty if settings.send_empty else None), f"no new issue of {pub}{since}"
    return (start, newest), f"issues {start}..{newest}"


def deliver_digest(store, settings: Settings) -> tuple[str, str]:
    today = dt.datetime.now(settings.tz).date()
    rng, why = plan_range(store, settings, today)
    if rng is None:
        return "nothing", f"{why}: no e-mail sent (DIGEST_SEND_EMPTY is off)" if not settings.send_empty else why
    start, end = rng
    result = pipeline.build(store, settings, start, end, allow_empty=settings.send_empty)
    if result.digest_id is None:
        return "nothing", f"no article of {settings.publication} in {start}..{end}: no e-mail sent"
    d = result.digest
    detail = (f"digest {result.digest_id} {d.publication} {start}..{end}: {d.article_count} articles"
              f"{', empty' if d.is_empty else ''} -> {result.paths['eml']}{' (unchanged)' if result.reused else ''}")
    if not settings.deliver_smtp:
        return "ok", detail + "; SMTP off (DIGEST_DELIVER_SMTP)"
    from .subscribers import counts  # the readers: subscribers of the publication, DIGEST_TO joining them

    if not settings.to and not counts(store, settings.publication)["active"]:
        return "partial", detail + "; not e-mailed: no active subscriber and DIGEST_TO is empty"
    from .deliver import send_digest  # lazily: only the SMTP path needs it

    outcome = send_digest(store, settings, result.digest_id)
    states = [s["status"] if s["status"] != "skipped" else s.get("reply", "skipped") for s in outcome.values()]
    detail += "; smtp: " + ", ".join(f"{states.count(st)} {st}" for st in dict.fromkeys(states))
    if all(st in ("sent", "already sent") for st in states):
        return "ok", detail
    return ("partial" if "sent" in states else "failed"), detail


# -- running and recording jobs -----------------------------------------------------------------

def _logged(settings: Settings, job: str, fn: Callable[[Any], tuple[str, str]]) -> str:
    """Run one job body: log its outcome and duration, record it in job_runs. Never raises."""
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
    log.log(level, "%s: %s in %.1fs: %s", job, outcome, time.monotonic() - t0, detail)
    try:
        (store or pipeline.open_store(settings)).log_run(job, started, outcome, detail, _utcnow())
    except DigestError as exc:
        log.error("%s: cannot record the run: %s", job, exc)
    return outcome


def inbox_job(args: dict[str, Any]) -> str:
    settings = _settings(args)
    return _logged(settings, JOB_INBOX, lambda store: poll_inbox(store, settings, _watcher))


def digest_job(args: dict[str, Any]) -> str:
    """The cron job: claim this fire time's scheduled run of each paper (one host per run), build
    and deliver one digest per paper."""
    settings = _settings(args)
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

    if run_at is None or holder is None:
        return deliver_digest(store, settings)
    claim, why = claim_run(store, settings.publication, run_at, holder, settings.leader_lease_seconds)
    if claim is None:
        return "nothing", why
    try:
        outcome, detail = deliver_digest(store, settings)
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

    return BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(1)},  # one job at a time
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
        leadership.tick()
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
        scheduler.shutdown(wait=True)
        if leadership is not None:
            leadership.close()
    log.info("digest run stopped")


# -- commands (registered on the `digest` group by cli.py) ---------------------------------------

def register(cli) -> None:
    import json
    import signal
    import sys

    import click

    from .context import Fail, pass_ctx

    @cli.command("run")
    @click.option("--once", is_flag=True, help="Poll the inbox and run the digest job once now, then exit (for cron).")
    @click.option("--poll-seconds", type=click.IntRange(min=1), help="Inbox poll interval [DIGEST_POLL_SECONDS; 300].")
    @click.option("--cron", "send_cron", metavar="'M H DOM MON DOW'",
                  help="When to build and send the digest [DIGEST_SEND_CRON; '0 7 * * *'].")
    @click.option("--settle", type=click.FloatRange(min=0), default=2.0, show_default=True,
                  help="With --once: seconds between the two looks at the inbox.")
    @pass_ctx
    def run_cmd(c, once, poll_seconds, send_cron, settle):
        """The daily service: poll the inbox, and build and deliver the digest on a schedule.

        \b
        Jobs (the digest job kept in the database, table apscheduler_jobs, by the leader):
          inbox   every DIGEST_POLL_SECONDS: ingest new issue files and folders from the inbox
                  once complete (same size and mtime on two polls; *.part, *.tmp and hidden names
                  are never taken, so write there and rename for an instant pick-up)
          digest  on DIGEST_SEND_CRON in DIGEST_TIMEZONE: the digest of the issues since the last
                  delivered one (DIGEST_DIGEST_RANGE=since_last) or of the newest issue
                  (issue_date), written to the outbox and, with DIGEST_DELIVER_SMTP, e-mailed;
                  one digest per paper (DIGEST_PUBLICATION and every paper in the store: a
                  top-level inbox folder whose name is not a date is a paper, inbox/大众日报/…).
                  No new issue: no e-mail, unless DIGEST_SEND_EMPTY.
        A digest run missed while the machine was off or asleep runs once on return within
        DIGEST_MISFIRE_GRACE_SECONDS and is logged as missed otherwise. One `digest run` per home
        (lock file data/digest-run.lock); services on several homes or hosts may share a database:
        one leads (DIGEST_LEADER_LEASE_SECONDS) and sends each scheduled run exactly once, the
        others poll their inboxes and take over if it dies. SIGINT/SIGTERM let the running job
        finish, then exit 0. Every run is logged (stderr and DIGEST_LOG_FILE) and shown by
        `digest status`.
        """
        more = {k: v for k, v in (("poll_seconds", poll_seconds), ("send_cron", send_cron)) if v is not None}
        settings = c.settings(**more)
        _setup_logging(settings)
        c.store(settings)  # create or migrate the database now, with a clear error if impossible
        try:
            lock = RunLock(lock_path(settings)).acquire()
        except (DigestError, OSError) as exc:
            raise Fail(str(exc)) from None
        try:
            if once:
                sys.exit(run_once(settings, settle))
            stop = threading.Event()

            def on_signal(signum, _frame):
                log.info("%s received", signal.Signals(signum).name)
                stop.set()
            signal.signal(signal.SIGTERM, on_signal)
            signal.signal(signal.SIGINT, on_signal)
            try:
                run_service(settings, job_args(settings, {**c.overrides, **more}, c.env_file), stop)
            except DigestError as exc:
                raise Fail(str(exc)) from None
            except ValueError as exc:  # a cron expression APScheduler cannot read
                raise Fail(f"setting DIGEST_SEND_CRON: {exc}") from None
        finally:
            lock.release()

    @cli.command("status")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @pass_ctx
    def status_cmd(c, as_json):
        """Show the service: is `digest run` running (pid), next job runs, last runs and failures,
        deliveries not sent (with the server's last reply) and the last digests."""
        settings = c.settings()
        try:
            data = status_data(settings, c.store(settings))
        except DigestError as exc:
            raise Fail(str(exc)) from None
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))
        else:
            click.echo("\n".join(status_text(data, settings)))



def _setup_logging(settings: Settings) -> None:
    """Job runs at INFO on stderr (the cli's handler) and, with DIGEST_LOG_FILE, in that file."""
    logger = logging.getLogger("digest")
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    if settings.log_file:
        from logging.handlers import WatchedFileHandler

        handler = WatchedFileHandler(Path(settings.log_file).expanduser(), encoding="utf-8")
        handler.setFormatter(SafeLogFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        for name in ("digest", "apscheduler"):
            logging.getLogger(name).addHandler(handler)

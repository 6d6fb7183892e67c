"""Leadership among the `digest run` services that share one database.

Every service polls its own inbox. Only the leader schedules the digest job: it holds the lease
`digest-run-leader` (digest/lease.py), renewed every third of DIGEST_LEADER_LEASE_SECONDS from
the service's main thread (never blocked by a running job), and only while leading does its
scheduler have the shared job store (table apscheduler_jobs) attached. A standby service tries
to take the lease at every heartbeat; when the leader stops renewing it (killed, frozen, cut
off) the lease expires and a standby takes over: it attaches the job store, catches up a run
missed within the grace time, and resumes a run the dead leader left unfinished (the scheduled
run's own lease has expired; the digest is reused and recipients already sent are skipped).
A leader that finds its lease taken steps down at once. Both sides record a heartbeat in the
services table, which `digest status` reads on any host.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Callable

from . import pipeline
from .config import Settings
from .errors import DigestError
from .lease import LEADER, Lease, abandoned_runs, current_holder, heartbeat, instance_id, renew_runs, stopped
from .runstate import DIGEST_EXECUTOR, JOB_DIGEST, JOBS_TABLE

log = logging.getLogger("digest.run")
SHARED = "shared"


class Leadership:
    """Heartbeat, leader lease and the shared job store of one `digest run` service."""

    def __init__(self, settings: Settings, scheduler, args: dict[str, Any], trigger, *,
                 job: Callable[[dict], Any], unfinished: Callable[..., dt.datetime | None]):
        """`job` is the digest job function (scheduler.digest_job); `unfinished(settings, trigger,
        next_run)` finds a run that was dispatched but never finished (scheduler._unfinished_run)."""
        self.settings, self.scheduler, self.trigger = settings, scheduler, trigger
        self.job, self.unfinished = job, unfinished
        self.instance = instance_id("run", settings.home)
        self.args = {**args, "instance": self.instance, "trigger": trigger}
        self.store = pipeline.open_store(settings)
        self.lease = Lease(self.store, LEADER, self.instance, settings.leader_lease_seconds)
        self.leader = False

    def holder_text(self) -> str:
        row = current_holder(self.store)
        return f"{row['holder']}, lease until {row['expires_at']:%H:%M:%S} UTC" if row else "none"

    def tick(self) -> None:
        """One heartbeat: record liveness, renew or try to take the lease. Never raises."""
        seconds = self.settings.leader_lease_seconds
        try:
            heartbeat(self.store, self.instance, "run", str(self.settings.home), seconds,
                      "leader" if self.leader else "standby")
            if self.leader:
                if self.lease.renew():
                    renew_runs(self.store, self.instance, seconds)
                    self._resume_abandoned()
                else:
                    log.warning("leader lease lost to %s: standing by", self.holder_text())
                    self._step_down()
            elif self.lease.acquire():
                self._step_up()
        except DigestError as exc:  # the database is unreachable: keep trying; the lease decides
            log.warning("heartbeat failed: %s", exc)

    def _step_up(self) -> None:
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

        from .db import make_engine

        self.leader = True
        self.scheduler.add_jobstore(SQLAlchemyJobStore(engine=make_engine(self.settings.database_url),
                                                       tablename=JOBS_TABLE), SHARED)
        keep: dict[str, Any] = {}
        try:
            old = self.scheduler.get_job(JOB_DIGEST, SHARED)
        except Exception:  # noqa: BLE001 - an unreadable old job is replaced below
            old = None
        if old is not None and repr(old.trigger) == repr(self.trigger) and old.next_run_time is not None:
            keep["next_run_time"] = old.next_run_time  # a run due while nobody led is caught up (or missed)
            cut = self.unfinished(self.settings, self.trigger, old.next_run_time)
            if cut is not None:
                log.warning("digest: the run due at %s never finished (process killed?): running it again", cut)
                keep["next_run_time"] = cut
        self.scheduler.add_job(self.job, self.trigger, args=[self.args], id=JOB_DIGEST, jobstore=SHARED,
                               executor=DIGEST_EXECUTOR, name="build and deliver the digest", replace_existing=True,
                               **keep)
        self._resume_abandoned()
        log.info("leading the digest services (%s); next digest run at %s", self.instance,
                 self.scheduler.get_job(JOB_DIGEST, SHARED).next_run_time)

    def _resume_abandoned(self) -> None:
        """Schedule, once each, the runs a dead holder left `running` (their lease expired)."""
        since = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(
            seconds=self.settings.misfire_grace_seconds)
        for run in abandoned_runs(self.store, None, since):  # of every paper: the job runs them all
            job_id = f"resume-{run['id']}-{run['attempts']}"
            if self.scheduler.get_job(job_id) is not None:
                continue
            log.warning("digest: the run due at %s UTC was left unfinished by %s: resuming it",
                        run["run_at"], run["claimed_by"])
            self.scheduler.add_job(self.job, "date", args=[{**self.args, "run_at": run["run_at"]}],
                                   id=job_id, run_date=dt.datetime.now(self.settings.tz), misfire_grace_time=None,
                                   executor=DIGEST_EXECUTOR)

    def _step_down(self) -> None:
        self.leader = False
        try:
            self.scheduler.remove_jobstore(SHARED, shutdown=True)  # the rows stay for the next leader
        except KeyError:
            pass

    def close(self) -> None:
        """On a clean stop: give the lease up (a standby takes over at its next heartbeat)."""
        try:
            if self.leader:
                self._step_down()
                self.lease.release()
            stopped(self.store, self.instance)
        except DigestError as exc:
            log.warning("could not release the leader lease: %s", exc)

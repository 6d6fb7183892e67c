"""Leases in the database: who leads the `digest run` services, which services are alive, and
which host builds and sends each scheduled run. Shared by every machine on one database.

- `Lease(store, name, holder, seconds)`: a named lease row (leases table). `acquire()` takes it
  when it is free, expired or already ours; `renew()` extends it while we hold it; `release()`
  gives it up. A holder that stops renewing (killed, frozen, cut off) loses it after `seconds`.
- `heartbeat(store, instance, ...)`: the services table, one row per running `digest run` or
  `digest worker`; `status` tells live from dead by the heartbeat.
- `claim_run(store, publication, run_at, holder, seconds)`: the scheduled_runs row of one cron
  fire time. Exactly one holder gets it; another gets it only once the row's lease has expired
  while it was still `running` (its host died mid-run), and never once it is `done`.

All times are naive UTC from the database host's point of view of *this* process (utcnow());
leases tolerate clock skew between hosts up to a small fraction of their length.
"""
from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from .db import utcnow
from .schema import leases, scheduled_runs, services

LEADER = "digest-run-leader"
_HOST = socket.gethostname()


def claimer() -> str:
    """"host:pid": who claims a delivery for sending."""
    return f"{_HOST}:{os.getpid()}"


def claimer_dead(claimed_by: str | None) -> bool:
    """True when the claim was made on this host by a process that no longer exists."""
    host, _, pid = (claimed_by or "").rpartition(":")
    if host != _HOST or not pid.isdigit():
        return False  # another machine's claim, or unknown: cannot tell (its lease decides)
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def instance_id(kind: str, home: str | os.PathLike = "") -> str:
    """This process's name in leases and claims: host:pid:kind@home-tail."""
    tail = os.path.basename(os.path.normpath(str(home))) if home else ""
    return f"{socket.gethostname()}:{os.getpid()}:{kind}{'@' + tail if tail else ''}"[:200]


def _secs(seconds: float) -> dt.timedelta:
    return dt.timedelta(seconds=seconds)


class Lease:
    """A named lease with expiry, held by one holder at a time (see the module docstring)."""

    def __init__(self, store: Any, name: str, holder: str, seconds: float):
        self.store, self.name, self.holder, self.seconds = store, name, holder, seconds

    def acquire(self) -> bool:
        """Take the lease if it is free, expired or ours. True when we hold it now."""
        now = utcnow()
        try:
            with self.store._write() as conn:
                row = conn.execute(sa.select(leases).where(leases.c.name == self.name).with_for_update()).first()
                if row is None:
                    conn.execute(sa.insert(leases).values(name=self.name, holder=self.holder, acquired_at=now,
                                                          heartbeat_at=now, expires_at=now + _secs(self.seconds)))
                    return True
                if row.holder != self.holder and row.expires_at > now:
                    return False
                values = dict(holder=self.holder, heartbeat_at=now, expires_at=now + _secs(self.seconds))
                if row.holder != self.holder:
                    values["acquired_at"] = now
                conn.execute(sa.update(leases).where(leases.c.name == self.name).values(**values))
                return True
        except IntegrityError:  # another holder inserted the row at the same moment
            return False

    def renew(self) -> bool:
        """Extend the lease we hold. False when it is no longer ours (it expired and was taken)."""
        now = utcnow()
        with self.store._write() as conn:
            done = conn.execute(sa.update(leases).where(leases.c.name == self.name, leases.c.holder == self.holder)
                                .values(heartbeat_at=now, expires_at=now + _secs(self.seconds)))
            return done.rowcount == 1

    def release(self) -> None:
        with self.store._write() as conn:
            conn.execute(sa.delete(leases).where(leases.c.name == self.name, leases.c.holder == self.holder))


def current_holder(store: Any, name: str = LEADER) -> dict | None:
    """The lease row ({holder, acquired_at, heartbeat_at, expires_at, alive}) or None."""
    with store._read() as conn:
        row = conn.execute(sa.select(leases).where(leases.c.name == name)).first()
    if row is None:
        return None
    return {**dict(row._mapping), "alive": row.expires_at > utcnow()}


# -- services and their heartbeats -------------------------------------------------------------

def heartbeat(store: Any, instance: str, kind: str, home: str, lease_seconds: float, detail: str = "") -> None:
    """Insert or refresh this service's row (alive until now + lease_seconds)."""
    now = utcnow()
    host, pid = socket.gethostname(), os.getpid()
    with store._write() as conn:
        done = conn.execute(sa.update(services).where(services.c.instance == instance).values(
            heartbeat_at=now, expires_at=now + _secs(lease_seconds), stopped_at=None, detail=detail[:500]))
        if done.rowcount == 0:
            conn.execute(sa.insert(services).values(
                instance=instance, kind=kind, host=host, pid=pid, home=str(home), started_at=now, heartbeat_at=now,
                expires_at=now + _secs(lease_seconds), detail=detail[:500]))


def stopped(store: Any, instance: str) -> None:
    with store._write() as conn:
        conn.execute(sa.update(services).where(services.c.instance == instance).values(stopped_at=utcnow()))


def list_services(store: Any, limit: int = 50) -> list[dict]:
    """Services newest heartbeat first, each with `state`: alive, stopped or dead (missed heartbeats)."""
    now = utcnow()
    with store._read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(
            sa.select(services).order_by(services.c.heartbeat_at.desc()).limit(limit))]
    for r in rows:
        r["state"] = "stopped" if r["stopped_at"] else "alive" if (r["expires_at"] or now) > now else "dead"
    return rows


def claimer_gone(store: Any, claimed_by: str | None) -> bool:
    """True when the claim "host:pid[:…]" belongs to a service whose heartbeat has expired or which stopped."""
    if not claimed_by:
        return False
    host_pid = ":".join(claimed_by.split(":")[:2])
    with store._read() as conn:
        rows = conn.execute(sa.select(services.c.expires_at, services.c.stopped_at)
                            .where(services.c.instance.like(host_pid + ":%"))).all()
    now = utcnow()
    return bool(rows) and all(r.stopped_at is not None or (r.expires_at and r.expires_at <= now) for r in rows)


# -- scheduled runs ------------------------------------------------------------------------------

@dataclass
class RunClaim:
    id: int
    attempts: int
    taken_over_from: str | None  # the holder whose expired run this one resumes


def claim_run(store: Any, publication: str, run_at: dt.datetime, holder: str, seconds: float) -> tuple[RunClaim | None, str]:
    """Claim the scheduled run (publication, run_at). Returns (claim, "") or (None, why not)."""
    now = utcnow()
    for _ in range(3):
        try:
            with store._write() as conn:
                row = conn.execute(sa.select(scheduled_runs).where(
                    scheduled_runs.c.publication == publication, scheduled_runs.c.run_at == run_at)
                    .with_for_update()).first()
                if row is None:
                    rid = conn.execute(sa.insert(scheduled_runs).values(
                        publication=publication, run_at=run_at, state="running", claimed_by=holder,
                        lease_until=now + _secs(seconds), attempts=1, detail="", updated_at=now)).inserted_primary_key[0]
                    return RunClaim(rid, 1, None), ""
                if row.state != "running":
                    return None, f"run {run_at:%Y-%m-%d %H:%M:%S} UTC already {row.state} by {row.claimed_by}"
                if row.claimed_by != holder and row.lease_until > now:
                    return None, f"run {run_at:%Y-%m-%d %H:%M:%S} UTC is being run by {row.claimed_by}"
                conn.execute(sa.update(scheduled_runs).where(scheduled_runs.c.id == row.id).values(
                    claimed_by=holder, lease_until=now + _secs(seconds), attempts=row.attempts + 1, updated_at=now))
                return RunClaim(row.id, row.attempts + 1, row.claimed_by if row.claimed_by != holder else None), ""
        except IntegrityError:
            continue  # another host inserted it at the same moment: read it again
    return None, "could not claim the run (contended)"


def renew_runs(store: Any, holder: str, seconds: float) -> None:
    """Extend the leases of the runs this holder is running (called with the leader heartbeat)."""
    now = utcnow()
    with store._write() as conn:
        conn.execute(sa.update(scheduled_runs).where(scheduled_runs.c.claimed_by == holder,
                                                     scheduled_runs.c.state == "running")
                     .values(lease_until=now + _secs(seconds)))


def finish_run(store: Any, claim: RunClaim, holder: str, outcome: str, detail: str) -> None:
    state = "failed" if outcome == "failed" else "done"
    with store._write() as conn:
        conn.execute(sa.update(scheduled_runs).where(scheduled_runs.c.id == claim.id,
                                                     scheduled_runs.c.claimed_by == holder)
                     .values(state=state, outcome=outcome, detail=detail[:2000], updated_at=utcnow()))


def abandoned_runs(store: Any, publication: str | None, since: dt.datetime) -> list[dict]:
    """Runs since `since` left `running` by a holder whose lease expired (it died mid-run), of
    `publication` (None: of every paper)."""
    q = sa.select(scheduled_runs).where(scheduled_runs.c.state == "running",
                                        scheduled_runs.c.lease_until <= utcnow(), scheduled_runs.c.run_at >= since)
    if publication is not None:
        q = q.where(scheduled_runs.c.publication == publication)
    with store._read() as conn:
        rows = conn.execute(q.order_by(scheduled_runs.c.run_at)).all()
    return [dict(r._mapping) for r in rows]


def recent_runs(store: Any, limit: int = 10) -> list[dict]:
    with store._read() as conn:
        return [dict(r._mapping) for r in conn.execute(
            sa.select(scheduled_runs).order_by(scheduled_runs.c.run_at.desc()).limit(limit))]

"""What the morning run covers: every issue not yet in a delivered digest.

A digest records the issues (versions) it was built from (table digest_issues) and, once it went
to its readers, when (digests.dispatched_at: deliveries queued for the list, or — without SMTP —
written to the outbox by the morning run). An issue is *delivered* when a dispatched digest holds
it. A manual `digest build` or a test send dispatches nothing, so it never decides what the next
morning covers.

plan_digest() takes the live issues not delivered yet (`undelivered_issues`):
  * late issues (ingested after a digest covering their date went out) and corrections (a new
    version of an issue that went out) are included, when dated within DIGEST_CATCH_UP_DAYS
    before the newest issue in the store; older ones are skipped, and the plan says which and why
    (the log and `digest status` show it, with the command that sends them);
  * the digest's range runs from the earliest taken issue to the newest; when issues inside that
    range were delivered already, the digest holds only the undelivered ones (`issue_ids`), so
    nobody gets a story twice;
  * DIGEST_DIGEST_RANGE=issue_date takes only the newest date's undelivered issues.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from .config import Settings
from .schema import digest_issues, digests, issues


def live_issue_ids(store: Any, publication: str, start: dt.date, end: dt.date) -> list[int]:
    """Ids of the live issues of `publication` dated within start..end (SQL)."""
    q = sa.select(issues.c.id).where(issues.c.publication == publication, issues.c.superseded.is_(False),
                                     issues.c.issue_date >= start, issues.c.issue_date <= end)
    with store._read() as conn:
        return list(conn.execute(q).scalars())


def _delivered(issue_id_column) -> Any:
    """SQL: the issue is in a dispatched digest."""
    return sa.exists(sa.select(digest_issues.c.issue_id).join(digests, digests.c.id == digest_issues.c.digest_id)
                     .where(digest_issues.c.issue_id == issue_id_column, digests.c.dispatched_at.is_not(None)))


def undelivered_issues(store: Any, publication: str) -> list[dict]:
    """Live issues of `publication` that no dispatched digest holds, oldest date first:
    [{id, issue_date, version, ingested_at, correction}] — `correction`: an earlier version of the
    same issue went out (this one corrects it)."""
    older = issues.alias("older")
    correction = sa.exists(sa.select(older.c.id).where(
        older.c.publication == issues.c.publication, older.c.issue_date == issues.c.issue_date,
        older.c.source_key == issues.c.source_key, older.c.id != issues.c.id, _delivered(older.c.id)))
    q = (sa.select(issues.c.id, issues.c.issue_date, issues.c.version, issues.c.ingested_at,
                   correction.label("correction"))
         .where(issues.c.publication == publication, issues.c.superseded.is_(False), ~_delivered(issues.c.id))
         .order_by(issues.c.issue_date, issues.c.id))
    with store._read() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def last_dispatched(store: Any, publication: str) -> dict | None:
    """The dispatched digest of `publication` with the latest end date (id, start_date, end_date)."""
    q = (sa.select(digests.c.id, digests.c.start_date, digests.c.end_date, digests.c.dispatched_at)
         .where(digests.c.publication == publication, digests.c.dispatched_at.is_not(None))
         .order_by(digests.c.end_date.desc(), digests.c.id.desc()).limit(1))
    with store._read() as conn:
        r = conn.execute(q).first()
    return dict(r._mapping) if r else None


@dataclass
class Plan:
    """The next morning digest: `range` (None: nothing to send) and, when it must not hold every
    issue of its range, `issue_ids`; `why` for the log; `late` the late issues and corrections it
    takes; `skipped` the undelivered issues it leaves out, each as (issue dict, reason)."""

    range: tuple[dt.date, dt.date] | None
    why: str
    issue_ids: list[int] | None = None
    late: list[dict] = field(default_factory=list)
    skipped: list[tuple[dict, str]] = field(default_factory=list)

    def notes(self) -> str:
        """The late issues taken and the issues skipped, in one line for the log ("" if none)."""
        parts = []
        if self.late:
            parts.append("includes " + ", ".join(
                f"{'a correction' if i['correction'] else 'late issue'} #{i['id']} of {i['issue_date']}"
                for i in self.late[:5]) + (f" and {len(self.late) - 5} more" if len(self.late) > 5 else ""))
        if self.skipped:
            parts.append(skipped_text(self.skipped))
        return "; ".join(parts)


def skipped_text(skipped: list[tuple[dict, str]]) -> str:
    """"N issue(s) not e-mailed (dates a..b): reason; send them with `…`", grouped by reason."""
    by: dict[str, list[dict]] = {}
    for issue, reason in skipped:
        by.setdefault(reason, []).append(issue)
    out = []
    for reason, group in by.items():
        lo, hi = group[0]["issue_date"], group[-1]["issue_date"]
        dates = f"{lo}" if lo == hi else f"{lo}..{hi}"
        out.append(f"{len(group)} undelivered issue(s) of {dates} not e-mailed: {reason}; "
                   f"`digest send --from {lo} --to {hi}` sends them")
    return "; ".join(out)


def plan_digest(store: Any, settings: Settings, today: dt.date) -> Plan:
    """The next morning digest of DIGEST_PUBLICATION (see the module docstring). Reads only."""
    pub = settings.publication
    last = last_dispatched(store, pub)
    since = f" since digest {last['id']} ({last['start_date']}..{last['end_date']})" if last else ""
    empty = None if last is not None and today <= last["end_date"] else (today, today)
    nothing_range = empty if settings.send_empty else None
    pending = undelivered_issues(store, pub)
    _, newest_live = store.date_bounds(pub)
    if newest_live is None:
        return Plan(nothing_range, f"no issue of {pub} in the store")
    if not pending:
        return Plan(nothing_range, f"no new issue of {pub}{since}")
    if settings.digest_range == "issue_date":
        take = [i for i in pending if i["issue_date"] == newest_live]
        skipped = [(i, "DIGEST_DIGEST_RANGE=issue_date sends only the newest issue's date")
                   for i in pending if i["issue_date"] != newest_live]
        if not take:
            return Plan(nothing_range, f"no issue of {pub} newer than {newest_live}{since}", skipped=skipped)
    else:
        floor = newest_live - dt.timedelta(days=settings.catch_up_days)
        take = [i for i in pending if i["issue_date"] >= floor]
        skipped = [(i, f"dated more than DIGEST_CATCH_UP_DAYS ({settings.catch_up_days}) before the newest "
                       f"issue ({newest_live})") for i in pending if i["issue_date"] < floor]
        if not take:
            return Plan(nothing_range, f"no new issue of {pub}{since}", skipped=skipped)
    start, end = take[0]["issue_date"], take[-1]["issue_date"]
    late = [i for i in take if i["correction"] or (last is not None and i["issue_date"] <= last["end_date"])]
    wanted = {i["id"] for i in take}
    whole = set(live_issue_ids(store, pub, start, end)) == wanted
    why = f"issues {start}..{end}" if start != end else f"issue {start}"
    if not whole:
        why += f" ({len(wanted)} not e-mailed yet; the others of the range went out before)"
    return Plan((start, end), why, None if whole else sorted(wanted), late, skipped)


__all__ = ["Plan", "plan_digest", "undelivered_issues", "live_issue_ids", "last_dispatched", "skipped_text"]

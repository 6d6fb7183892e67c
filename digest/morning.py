"""The morning run of `digest run`: the digest of every issue not yet delivered, then the
deliveries still owed of earlier digests.

deliver_digest() plans the digest (digest.plan: late issues and corrections included, old ones
skipped and named), builds it (digest.pipeline), delivers it — the outbox always, SMTP with
DIGEST_DELIVER_SMTP (marking it dispatched either way) — and then retries what earlier digests
still owe their readers (digest.deliver.send_owed). Called by the scheduler's digest job.
"""
from __future__ import annotations

import datetime as dt
import threading

from . import pipeline
from .config import Settings

def plan_range(store, settings: Settings, today: dt.date) -> tuple[tuple[dt.date, dt.date] | None, str]:
    """The date range of the next digest, or None and why there is nothing new (digest.plan)."""
    from .plan import plan_digest

    plan = plan_digest(store, settings, today)
    return plan.range, plan.why


def deliver_digest(store, settings: Settings, stop: threading.Event | None = None) -> tuple[str, str]:
    """The morning run: build the digest of every issue not yet delivered (digest.plan) and
    deliver it (outbox always, SMTP with DIGEST_DELIVER_SMTP), then retry the deliveries still
    owed of earlier digests. `stop`: the service's stop event (a send stops trying at once).
    Returns (outcome, detail) for the log and job_runs."""
    from .plan import plan_digest

    today = dt.datetime.now(settings.tz).date()
    plan = plan_digest(store, settings, today)
    notes = plan.notes()
    if plan.range is None:
        detail = f"{plan.why}: no e-mail sent (DIGEST_SEND_EMPTY is off)" if not settings.send_empty else plan.why
        outcome, detail = "nothing", detail + (f"; {notes}" if notes else "")
        return _and_owed(store, settings, outcome, detail, stop)
    start, end = plan.range
    result = pipeline.build(store, settings, start, end, allow_empty=settings.send_empty, issue_ids=plan.issue_ids)
    if result.digest_id is None:
        return _and_owed(store, settings, "nothing", f"no article of {settings.publication} in {start}..{end}: "
                                                     f"no e-mail sent" + (f"; {notes}" if notes else ""), stop)
    d = result.digest
    detail = (f"digest {result.digest_id} {d.publication} {start}..{end} ({plan.why}): {d.article_count} articles"
              f"{', empty' if d.is_empty else ''} -> {result.paths['eml']}{' (unchanged)' if result.reused else ''}"
              + (f"; {notes}" if notes else ""))
    if not settings.deliver_smtp:
        store.mark_dispatched(result.digest_id)  # the outbox is the delivery: these issues are done
        return "ok", detail + "; SMTP off (DIGEST_DELIVER_SMTP)"
    from .subscribers import counts  # the readers: subscribers of the publication, DIGEST_TO joining them

    if not settings.to and not counts(store, settings.publication)["active"]:
        return "partial", detail + "; not e-mailed: no active subscriber and DIGEST_TO is empty (its issues stay " \
                                   "undelivered: the next run takes them)"
    from .deliver import send_digest  # lazily: only the SMTP path needs it

    outcome = send_digest(store, settings, result.digest_id, stop=stop)
    states = [s["status"] if s["status"] != "skipped" else s.get("reply", "skipped") for s in outcome.values()]
    detail += "; smtp: " + ", ".join(f"{states.count(st)} {st}" for st in dict.fromkeys(states))
    if all(st in ("sent", "already sent") for st in states):
        result_outcome = "ok"
    else:
        result_outcome = "partial" if "sent" in states else "failed"
    return _and_owed(store, settings, result_outcome, detail, stop)


def _and_owed(store, settings: Settings, outcome: str, detail: str, stop: threading.Event | None) -> tuple[str, str]:
    """After the morning digest: the deliveries of earlier digests still owed (with SMTP on).
    The outcome combines both: the worse of the two (nothing < ok < partial < failed), but partial
    when one of them went well."""
    if not settings.deliver_smtp or not settings.smtp_host:
        return outcome, detail
    from .deliver import send_owed

    owed, owed_detail = send_owed(store, settings, stop=stop, publication=settings.publication)
    if owed == "nothing":
        return outcome, detail
    rank = ("nothing", "ok", "partial", "failed")
    combined = max(outcome, owed, key=rank.index)
    if combined == "failed" and "ok" in (outcome, owed):
        combined = "partial"
    return combined, f"{detail}; retried {owed_detail}"

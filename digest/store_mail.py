"""The store's digests and deliveries (mixed into digest.store.Store).

Digests: one *live* digest per (publication, range), enforced by the database (partial unique
index uq_digests_live). A rebuild with other content supersedes the live row; a rebuild with the
content of an older row makes that row live again (its Message-ID and outbox files are reused),
so two builds of one range, at once or one after the other, on one machine or several, never
leave two digests that can both be sent. The message's wire bytes (`eml`) are stored with the
digest, so any host can send or re-send it.

Deliveries: queued -> sending (claimed, with a lease) -> in-data (DATA command issued)
-> sent | failed | queued again. A `sending` claim whose lease has expired, or whose claimer
died on this host, is taken over: that message never reached the server. `in-data` is ambiguous
(the server may have it) and is only released by an operator (`digest send --requeue`).
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from . import db
from .schema import _now, deliveries, digest_issues, digests, meta_table, test_sends

CLAIM_LEASE_SECONDS = 900.0  # default lease of a `sending` claim (DIGEST_CLAIM_LEASE_SECONDS)
_LISTED = [c for c in digests.c if c.name != "eml"]  # listings never carry the message bytes
_LAST_BUILT = "last_built"  # digest_meta key: the digest built or reused last (note_built)


class MailStore:
    """Digest and delivery records. Needs `engine`, `url`, `_read()` and `_write()`."""

    # -- digests -------------------------------------------------------------------------
    def record_digest(self, *, publication: str, start_date: dt.date, end_date: dt.date, subject: str,
                      message_id: str, content_hash: str, article_count: int, eml: bytes | None = None,
                      eml_path: str = "", html_path: str = "", text_path: str = "",
                      issue_ids: Iterable[int] = ()) -> tuple[int, bool]:
        """Make this content the live digest of its range. Returns (digest id, reused).

        reused: a row of this range with the same content existed (live, or superseded and now
        made live again); its Message-ID and bytes stand, the values given here are ignored.
        Safe against concurrent builds: the loser of a race gets the winner's row.
        `issue_ids`: the issues (versions) it was built from, recorded in digest_issues in the same
        transaction (what the morning run counts as delivered once the digest is dispatched).
        """
        members = sorted(set(issue_ids))
        key = (digests.c.publication == publication, digests.c.start_date == start_date,
               digests.c.end_date == end_date)
        for attempt in range(5):
            try:
                with self._write() as conn:
                    live = conn.execute(sa.select(digests.c.id, digests.c.content_hash)
                                        .where(*key, digests.c.superseded.is_(False)).with_for_update()).first()
                    if live is not None and live.content_hash == content_hash:
                        self._add_members(conn, live.id, members)
                        return live.id, True
                    same = conn.execute(sa.select(digests.c.id).where(*key, digests.c.content_hash == content_hash)
                                        .order_by(digests.c.id.desc()).with_for_update()).scalar()
                    if live is not None:
                        conn.execute(sa.update(digests).where(digests.c.id == live.id).values(superseded=True))
                    if same is not None:
                        conn.execute(sa.update(digests).where(digests.c.id == same).values(superseded=False))
                        self._add_members(conn, same, members)
                        return same, True
                    new_id = conn.execute(sa.insert(digests).values(
                        publication=publication, start_date=start_date, end_date=end_date, built_at=_now(),
                        subject=subject, message_id=message_id, eml=eml, eml_path=eml_path, html_path=html_path,
                        text_path=text_path, article_count=article_count, content_hash=content_hash,
                        superseded=False)).inserted_primary_key[0]
                    self._add_members(conn, new_id, members)
                    return new_id, False
            except IntegrityError as exc:  # another build of this range won the race: take its row
                if not db.is_unique_violation(exc) or attempt == 4:
                    raise db.store_error(exc, self.url) from None
        raise AssertionError("unreachable")

    @staticmethod
    def _add_members(conn: Any, digest_id: int, issue_ids: list[int]) -> None:
        if not issue_ids:
            return
        known = set(conn.execute(sa.select(digest_issues.c.issue_id).where(digest_issues.c.digest_id == digest_id))
                    .scalars())
        rows = [dict(digest_id=digest_id, issue_id=i) for i in issue_ids if i not in known]
        if rows:
            conn.execute(sa.insert(digest_issues), rows)

    def add_digest_issues(self, digest_id: int, issue_ids: Iterable[int]) -> None:
        """Record that the digest holds these issues too (a rebuild with the same content)."""
        members = sorted(set(issue_ids))
        if members:
            with self._write() as conn:
                self._add_members(conn, digest_id, members)

    def note_built(self, digest_id: int) -> None:
        """Remember `digest_id` as the digest built (or reused by a build) last, with the time:
        what `digest send` sends when no digest is named (key ``last_built`` of digest_meta)."""
        value = json.dumps({"id": digest_id, "at": _now().isoformat()})
        try:
            with self._write() as conn:
                conn.execute(sa.delete(meta_table).where(meta_table.c.key == _LAST_BUILT))
                conn.execute(sa.insert(meta_table).values(key=_LAST_BUILT, value=value))
        except IntegrityError:  # another build noted its digest at the same moment: either is the last
            pass

    def last_built(self) -> tuple[int, dt.datetime] | None:
        """(digest id, when, UTC naive) of the digest built or reused last (note_built), or None."""
        with self._read() as conn:
            value = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == _LAST_BUILT)).scalar()
        try:
            data = json.loads(value) if value else None
            return (int(data["id"]), dt.datetime.fromisoformat(data["at"])) if data else None
        except (ValueError, KeyError, TypeError):
            return None

    def mark_dispatched(self, digest_id: int) -> None:
        """Record that the digest went to its readers (the first time only): its issues count as
        delivered from now on (digest.plan). Queuing deliveries for the list does it too."""
        with self._write() as conn:
            conn.execute(sa.update(digests).where(digests.c.id == digest_id, digests.c.dispatched_at.is_(None))
                         .values(dispatched_at=_now()))

    def save_digest(self, **values: Any) -> int:
        """Record a digest as the live one of its range (see record_digest); returns its id."""
        return self.record_digest(**values)[0]

    def set_digest_files(self, digest_id: int, *, eml_path: str, html_path: str, text_path: str) -> None:
        with self._write() as conn:
            conn.execute(sa.update(digests).where(digests.c.id == digest_id).values(
                eml_path=eml_path, html_path=html_path, text_path=text_path))

    def digest_row(self, digest_id: int) -> dict | None:
        """The digest with its message bytes (`eml`, None for digests built before schema 5)."""
        with self._read() as conn:
            r = conn.execute(sa.select(digests).where(digests.c.id == digest_id)).first()
            return dict(r._mapping) if r else None

    def find_digest(self, publication: str, start: dt.date, end: dt.date) -> dict | None:
        """The live digest of exactly this range (without its bytes)."""
        with self._read() as conn:
            r = conn.execute(sa.select(*_LISTED).where(
                digests.c.publication == publication, digests.c.start_date == start, digests.c.end_date == end,
                digests.c.superseded.is_(False))).first()
            return dict(r._mapping) if r else None

    def list_digests(self, limit: int = 50, *, publication: str | None = None, offset: int = 0,
                     live_only: bool = False) -> list[dict]:
        """Digests newest first, a page of `limit` from `offset`, each with its deliveries and,
        apart, its test sends (`test_sends`)."""
        q = sa.select(*_LISTED).order_by(digests.c.id.desc()).limit(limit).offset(offset)
        if publication is not None:
            q = q.where(digests.c.publication == publication)
        if live_only:
            q = q.where(digests.c.superseded.is_(False))
        with self._read() as conn:
            out = [dict(r._mapping) for r in conn.execute(q)]
            ids = [d["id"] for d in out]
            by: dict[int, list] = {i: [] for i in ids}
            tests: dict[int, list] = {i: [] for i in ids}
            if ids:
                for r in conn.execute(sa.select(deliveries).where(deliveries.c.digest_id.in_(ids))
                                      .order_by(deliveries.c.id)):
                    by[r.digest_id].append(dict(r._mapping))
                for r in conn.execute(sa.select(test_sends).where(test_sends.c.digest_id.in_(ids))
                                      .order_by(test_sends.c.id)):
                    tests[r.digest_id].append(dict(r._mapping))
            for d in out:
                d["deliveries"] = by[d["id"]]
                d["test_sends"] = tests[d["id"]]  # never deliveries: listed apart
            return out

    def covered_ranges(self, publication: str) -> list[tuple[dt.date, dt.date]]:
        """(start, end) of every live digest of a publication, merged where they touch (SQL-sorted)."""
        q = (sa.select(digests.c.start_date, digests.c.end_date)
             .where(digests.c.publication == publication, digests.c.superseded.is_(False))
             .order_by(digests.c.start_date))
        merged: list[list[dt.date]] = []
        with self._read() as conn:
            for a, b in conn.execute(q):
                if merged and a <= merged[-1][1] + dt.timedelta(days=1):
                    merged[-1][1] = max(merged[-1][1], b)
                else:
                    merged.append([a, b])
        return [(a, b) for a, b in merged]

    def last_built_digest(self, publication: str) -> dict | None:
        """The live digest with the latest end date (ties: the newest)."""
        q = (sa.select(*_LISTED).where(digests.c.publication == publication, digests.c.superseded.is_(False))
             .order_by(digests.c.end_date.desc(), digests.c.id.desc()).limit(1))
        with self._read() as conn:
            r = conn.execute(q).first()
            return dict(r._mapping) if r else None

    def last_sent_digest(self, publication: str) -> dict | None:
        q = (sa.select(*_LISTED).join(deliveries, deliveries.c.digest_id == digests.c.id)
             .where(digests.c.publication == publication, deliveries.c.status == "sent")
             .order_by(digests.c.end_date.desc(), digests.c.id.desc()).limit(1))
        with self._read() as conn:
            r = conn.execute(q).first()
            return dict(r._mapping) if r else None

    # -- deliveries -----------------------------------------------------------------------
    def queue_deliveries(self, digest_id: int, recipients: Iterable[str]) -> None:
        """Queue the digest for each recipient; recipients already queued or sent are left alone.
        The digest counts as dispatched from then on (mark_dispatched): the readers are owed it."""
        wanted = list(dict.fromkeys(recipients))
        for attempt in range(3):
            try:
                with self._write() as conn:
                    known = set(conn.execute(sa.select(deliveries.c.recipient)
                                             .where(deliveries.c.digest_id == digest_id)).scalars())
                    rows = [dict(digest_id=digest_id, recipient=r, status="queued", attempts=0, last_reply="",
                                 updated_at=_now()) for r in wanted if r not in known]
                    if rows:
                        conn.execute(sa.insert(deliveries), rows)
                    if wanted:
                        conn.execute(sa.update(digests).where(digests.c.id == digest_id,
                                                              digests.c.dispatched_at.is_(None))
                                     .values(dispatched_at=_now()))
                return
            except IntegrityError as exc:  # queued by another process at the same moment: fine
                if not db.is_unique_violation(exc) or attempt == 2:
                    raise db.store_error(exc, self.url) from None

    def deliveries(self, digest_id: int, conn: Any = None) -> list[dict]:
        q = sa.select(deliveries).where(deliveries.c.digest_id == digest_id).order_by(deliveries.c.id)
        if conn is not None:
            return [dict(r._mapping) for r in conn.execute(q)]
        with self._read() as c:
            return [dict(r._mapping) for r in c.execute(q)]

    def claim_delivery(self, digest_id: int, recipient: str, lease_seconds: float = CLAIM_LEASE_SECONDS) -> bool:
        """Mark a delivery `sending` (claimed by this process, for `lease_seconds`) before talking
        to the server. Returns False when it cannot be claimed: sent, failed for good, `in-data`
        (ambiguous: the server may have the message), or being sent under a live lease.

        A `sending` claim is taken over when its lease has expired (a dead host, a reused pid), when
        its claimer is a process of this host that no longer exists, or when its claimer is a
        service (`digest run`) whose heartbeat has expired (digest/lease.py).
        """
        from .lease import claimer as _claimer, claimer_dead as _claimer_dead, claimer_gone

        now = _now()
        with self._write() as conn:
            row = conn.execute(sa.select(deliveries.c.status, deliveries.c.claimed_by, deliveries.c.lease_until,
                                         deliveries.c.updated_at).where(
                deliveries.c.digest_id == digest_id, deliveries.c.recipient == recipient).with_for_update()).first()
            if row is None:
                return False
            lease_end = row.lease_until or (row.updated_at + dt.timedelta(seconds=lease_seconds))
            if row.status == "sending" and (_claimer_dead(row.claimed_by) or lease_end <= now
                                            or claimer_gone(self, row.claimed_by)):
                pass
            elif row.status != "queued":
                return False
            conn.execute(sa.update(deliveries).where(
                deliveries.c.digest_id == digest_id, deliveries.c.recipient == recipient,
            ).values(status="sending", claimed_by=_claimer(), attempts=deliveries.c.attempts + 1, updated_at=now,
                     lease_until=now + dt.timedelta(seconds=lease_seconds)))
            return True

    def renew_claim(self, digest_id: int, recipient: str, lease_seconds: float = CLAIM_LEASE_SECONDS) -> bool:
        """Extend this process's `sending` claim (between retries). False when it is no longer ours."""
        from .lease import claimer

        now = _now()
        with self._write() as conn:
            return conn.execute(sa.update(deliveries).where(
                deliveries.c.digest_id == digest_id, deliveries.c.recipient == recipient,
                deliveries.c.status == "sending", deliveries.c.claimed_by == claimer())
                .values(lease_until=now + dt.timedelta(seconds=lease_seconds))).rowcount == 1

    def count_attempt(self, digest_id: int, recipient: str) -> None:
        """One more SMTP try of a claimed delivery (the claim counts the first one): `attempts` is
        the number of times the server was tried for this recipient."""
        with self._write() as conn:
            conn.execute(sa.update(deliveries).where(
                deliveries.c.digest_id == digest_id, deliveries.c.recipient == recipient)
                .values(attempts=deliveries.c.attempts + 1, updated_at=_now()))

    def note_queued(self, digest_id: int, recipients: Iterable[str], reply: str) -> None:
        """Say why deliveries still `queued` were not tried in this send (one UPDATE for all)."""
        names = list(recipients)
        if not names:
            return
        with self._write() as conn:
            conn.execute(sa.update(deliveries).where(
                deliveries.c.digest_id == digest_id, deliveries.c.recipient.in_(names),
                deliveries.c.status == "queued").values(last_reply=reply[:2000], updated_at=_now()))

    def owed_digests(self, max_age_hours: float | None = None, publication: str | None = None,
                     *, older: bool = False) -> list[dict]:
        """Digests with deliveries still owed (`queued`, or `sending` under a claim that may have
        died), oldest first: [{id, publication, start_date, end_date, built_at, superseded, queued,
        sending}]. max_age_hours: only digests built within that many hours (older=True: only
        those built before, which the service no longer retries)."""
        owed = sa.func.count(deliveries.c.id)
        q = (sa.select(digests.c.id, digests.c.publication, digests.c.start_date, digests.c.end_date,
                       digests.c.built_at, digests.c.superseded,
                       owed.filter(deliveries.c.status == "queued").label("queued"),
                       owed.filter(deliveries.c.status == "sending").label("sending"))
             .join(deliveries, deliveries.c.digest_id == digests.c.id)
             .where(deliveries.c.status.in_(("queued", "sending")))
             .group_by(digests.c.id, digests.c.publication, digests.c.start_date, digests.c.end_date,
                       digests.c.built_at, digests.c.superseded)
             .order_by(digests.c.id))
        if publication is not None:
            q = q.where(digests.c.publication == publication)
        if max_age_hours is not None:
            cut = _now() - dt.timedelta(hours=max_age_hours)
            q = q.where(digests.c.built_at < cut) if older else q.where(digests.c.built_at >= cut)
        with self._read() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    # -- test sends (never deliveries of the digest) ------------------------------------------
    def record_test_send(self, digest_id: int, recipient: str, status: str, attempts: int, reply: str = "") -> None:
        """Record one test send (`digest send --test-to`, the preview's "send test"). Test sends
        are kept apart from deliveries: they never count as delivery, never make a digest
        dispatched and never stop the real recipients from getting it."""
        with self._write() as conn:
            conn.execute(sa.insert(test_sends).values(digest_id=digest_id, recipient=recipient, status=status,
                                                      attempts=attempts, last_reply=reply[:2000], created_at=_now()))

    def test_sends(self, digest_id: int | None = None, limit: int = 20) -> list[dict]:
        """Test sends, newest first (of one digest, or of all)."""
        q = sa.select(test_sends).order_by(test_sends.c.id.desc()).limit(limit)
        if digest_id is not None:
            q = q.where(test_sends.c.digest_id == digest_id)
        with self._read() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def delivery_in_data(self, digest_id: int, recipient: str) -> None:
        """Record that the DATA command is about to go out: from here a crash is ambiguous."""
        with self._write() as conn:
            conn.execute(sa.update(deliveries).where(
                deliveries.c.digest_id == digest_id, deliveries.c.recipient == recipient,
                deliveries.c.status == "sending").values(status="in-data", updated_at=_now()))

    def finish_delivery(self, digest_id: int, recipient: str, status: str, reply: str = "") -> None:
        """Record the server's answer: sent, failed (permanent) or queued (temporary, will retry)."""
        assert status in ("sent", "failed", "queued")
        values: dict[str, Any] = dict(status=status, last_reply=reply[:2000], updated_at=_now(), lease_until=None)
        if status == "sent":
            values["sent_at"] = _now()
        with self._write() as conn:
            conn.execute(sa.update(deliveries).where(
                deliveries.c.digest_id == digest_id, deliveries.c.recipient == recipient).values(**values))

    def requeue_delivery(self, digest_id: int, recipient: str) -> tuple[bool, str]:
        """Operator's decision to retry a delivery held `in-data`, `failed`, or `sending` under an
        expired lease. Returns (requeued, why not). A claim under a live lease is not released."""
        with self._write() as conn:
            row = conn.execute(sa.select(deliveries).where(
                deliveries.c.digest_id == digest_id, deliveries.c.recipient == recipient).with_for_update()).first()
            if row is None:
                return False, "not queued for this digest"
            if row.status == "sending" and row.lease_until is not None and row.lease_until > _now():
                return False, (f"being sent by {row.claimed_by} (lease until {row.lease_until:%Y-%m-%d %H:%M:%S} "
                               f"UTC); try again after it")
            if row.status not in ("sending", "in-data", "failed"):
                return False, f"{row.status}: nothing to requeue"
            conn.execute(sa.update(deliveries).where(deliveries.c.id == row.id).values(
                status="queued", last_reply="requeued by operator", updated_at=_now(), lease_until=None))
            return True, ""

    def pending_deliveries(self, limit: int = 200) -> list[dict]:
        """Deliveries not sent (oldest first), each with `state_note`: why it is held and what to do."""
        q = (sa.select(deliveries, digests.c.subject).join(digests, digests.c.id == deliveries.c.digest_id)
             .where(deliveries.c.status.not_in(("sent", "cancelled"))).order_by(deliveries.c.id).limit(limit))
        with self._read() as conn:
            rows = [dict(r._mapping) for r in conn.execute(q)]
        now = _now()
        for d in rows:
            d["state_note"] = explain_delivery(d, now)
        return rows


def explain_delivery(d: dict, now: dt.datetime) -> str:
    """One line for `digest status`: why a delivery is not sent and what happens next."""
    from .lease import claimer_dead as _claimer_dead

    status = d["status"]
    if status == "queued":
        return "waiting: the next send or run sends it"
    if status == "failed":
        return "refused for good (see the reply); `digest send --requeue` after fixing the cause"
    if status == "in-data":
        return ("interrupted while the message was being handed over: the server may have it, so it is "
                "never re-sent automatically; `digest send --requeue` once you know it did not arrive")
    if status == "sending":
        lease = d.get("lease_until")
        if _claimer_dead(d.get("claimed_by")):
            return f"claimed by {d.get('claimed_by')}, a process that is gone: the next send takes it over"
        if lease is not None and lease <= now:
            return f"claimed by {d.get('claimed_by')}, lease expired: the next send (or --requeue) takes it over"
        until = f"{lease:%Y-%m-%d %H:%M:%S} UTC" if lease else "unknown"
        return f"being sent by {d.get('claimed_by')}, lease until {until}"
    return status

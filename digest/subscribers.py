"""The readers of a publication: subscribers in the database, per publication.

A subscriber is one validated address of one publication with a status:

    pending ──confirm──> active ──unsubscribe──> unsubscribed
                           └──────bounce───────> bounced

and every change is kept in `subscriber_events` (when, to which status, from where: `cli`, `import`,
`web`, `one-click`, `DIGEST_TO` …). Addresses are checked on the way in with the email-validator
package, offline (no DNS look-up at run time): the ASCII form is kept (an internationalised
domain becomes punycode; a non-ASCII local part, which needs SMTPUTF8, is refused), and one row is
kept per publication and address, whatever its case.

An unsubscribed or bounced reader is never re-activated by an import or by DIGEST_TO: only an
explicit `digest subscribers add --resubscribe` (or the reader, through the web) does that. When a
reader leaves, their deliveries still queued for that publication are cancelled in the same
transaction, so a digest already queued never reaches them (digest.deliver also checks just before
it claims each delivery).

DIGEST_TO stays a simple default list: its addresses are added as subscribers (source `DIGEST_TO`)
the first time a digest is sent, so they get their own unsubscribe link like everyone else.

Functions take a digest.store.Store (they use its engine); errors are StoreError (database) or
InvalidAddress (a bad address, with the reason).
"""
from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field
from typing import IO, Any, Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from . import db
from .errors import DigestError
from .schema import deliveries, digests, subscriber_events, subscribers

STATUSES = ("pending", "active", "unsubscribed", "bounced")
LEFT = ("unsubscribed", "bounced")  # statuses that only the reader (or --resubscribe) undoes
CSV_FIELDS = ("email", "name", "status", "source", "created_at", "updated_at")
_EMAIL_HEADERS = ("email", "e-mail", "mail", "address", "邮箱", "电子邮件", "邮件地址", "地址")
_NAME_HEADERS = ("name", "姓名", "名字", "称呼")


class InvalidAddress(DigestError):
    """An address that email-validator refuses; `.reason` says why."""

    def __init__(self, address: str, reason: str):
        super().__init__(f"{address!r} is not a valid e-mail address: {reason}",
                         "check the spelling; one address per line or per CSV row")
        self.address, self.reason = address, reason


@dataclass(frozen=True)
class Subscriber:
    id: int
    publication: str
    email: str
    name: str
    status: str
    source: str
    token_nonce: str
    created_at: Any
    updated_at: Any

    @classmethod
    def from_row(cls, r: Any) -> "Subscriber":
        m = r._mapping
        return cls(**{k: m[k] for k in cls.__dataclass_fields__})

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the public fields (never the token nonce)."""
        return {"id": self.id, "publication": self.publication, "email": self.email, "name": self.name,
                "status": self.status, "source": self.source,
                "created_at": self.created_at.isoformat(timespec="seconds") + "Z",
                "updated_at": self.updated_at.isoformat(timespec="seconds") + "Z"}


def normalise(address: str) -> str:
    """The address as it is stored and mailed: validated offline by email-validator, domain in
    lower case and ASCII (punycode). Raises InvalidAddress (with email-validator's reason)."""
    from email_validator import EmailNotValidError, validate_email

    text = (address or "").strip()
    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise InvalidAddress(text, str(exc)) from None
    return checked.ascii_email or checked.normalized


def _key(email: str) -> str:
    return email.lower()


def _nonce() -> str:
    return secrets.token_hex(8)


def _event(conn, sid: int, status: str, source: str, detail: str = "") -> None:
    conn.execute(sa.insert(subscriber_events).values(subscriber_id=sid, at=db.utcnow(), status=status,
                                                     source=source[:200], detail=detail[:2000]))


def _cancel_queued(conn, publication: str, email: str, why: str) -> int:
    """Cancel this reader's deliveries still `queued` for digests of `publication`; returns how many."""
    ids = sa.select(digests.c.id).where(digests.c.publication == publication).scalar_subquery()
    return conn.execute(sa.update(deliveries).where(
        sa.func.lower(deliveries.c.recipient) == _key(email), deliveries.c.status == "queued",
        deliveries.c.digest_id.in_(ids)).values(status="cancelled", last_reply=why[:2000], updated_at=db.utcnow(),
                                                lease_until=None)).rowcount


def cancel_delivery(store: Any, digest_id: int, recipient: str, why: str) -> bool:
    """Cancel one delivery that is still `queued` (or a `sending` claim whose lease expired):
    the reader left. True when it was cancelled."""
    now = db.utcnow()
    with store._write() as conn:
        return conn.execute(sa.update(deliveries).where(
            deliveries.c.digest_id == digest_id, deliveries.c.recipient == recipient,
            sa.or_(deliveries.c.status == "queued",
                   sa.and_(deliveries.c.status == "sending", deliveries.c.lease_until < now))).values(
            status="cancelled", last_reply=why[:2000], updated_at=now, lease_until=None)).rowcount > 0


# -- reading ------------------------------------------------------------------------------------------
def get(store: Any, publication: str, address: str) -> Subscriber | None:
    """The subscriber of `publication` with this address (any case), or None. Raises InvalidAddress."""
    key = _key(normalise(address))
    with store._read() as conn:
        r = conn.execute(sa.select(subscribers).where(subscribers.c.publication == publication,
                                                      subscribers.c.email_key == key)).first()
    return Subscriber.from_row(r) if r else None


def get_by_id(store: Any, sid: int) -> Subscriber | None:
    with store._read() as conn:
        r = conn.execute(sa.select(subscribers).where(subscribers.c.id == sid)).first()
    return Subscriber.from_row(r) if r else None


def list_subscribers(store: Any, publication: str, status: str | None = None, *, limit: int | None = None,
                     offset: int = 0) -> list[Subscriber]:
    """Subscribers of a publication in the order they joined (a page of `limit` from `offset`)."""
    q = sa.select(subscribers).where(subscribers.c.publication == publication).order_by(subscribers.c.id)
    if status:
        q = q.where(subscribers.c.status == status)
    if limit is not None:
        q = q.limit(limit).offset(offset)
    with store._read() as conn:
        return [Subscriber.from_row(r) for r in conn.execute(q)]


def counts(store: Any, publication: str) -> dict[str, int]:
    """{status: number of subscribers} for every status (zeros included)."""
    q = (sa.select(subscribers.c.status, sa.func.count()).where(subscribers.c.publication == publication)
         .group_by(subscribers.c.status))
    with store._read() as conn:
        found = dict(conn.execute(q).all())
    return {s: int(found.get(s, 0)) for s in STATUSES}


def events(store: Any, sid: int) -> list[dict]:
    """The history of one subscriber, oldest first: [{"at", "status", "source", "detail"}]."""
    q = (sa.select(subscriber_events.c.at, subscriber_events.c.status, subscriber_events.c.source,
                   subscriber_events.c.detail).where(subscriber_events.c.subscriber_id == sid)
         .order_by(subscriber_events.c.id))
    with store._read() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def is_active(store: Any, publication: str, email: str) -> bool:
    """True when `email` is an active subscriber of `publication` (checked just before each send)."""
    with store._read() as conn:
        status = conn.execute(sa.select(subscribers.c.status).where(
            subscribers.c.publication == publication, subscribers.c.email_key == _key(email))).scalar()
    return status == "active"


# -- changing ----------------------------------------------------------------------------------------
@dataclass
class AddReport:
    """What an add or an import did, address by address."""

    added: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # already there with that status
    kept_out: list[tuple[str, str]] = field(default_factory=list)  # (address, status): left, not re-added
    invalid: list[tuple[str, str, str]] = field(default_factory=list)  # (where, address, reason)

    @property
    def changed(self) -> int:
        return len(self.added) + len(self.reactivated)

    def as_dict(self) -> dict[str, Any]:
        return {"added": self.added, "reactivated": self.reactivated, "unchanged": self.unchanged,
                "kept_out": [{"email": a, "status": s} for a, s in self.kept_out],
                "invalid": [{"where": w, "address": a, "reason": r} for w, a, r in self.invalid]}


def add_many(store: Any, publication: str, entries: Iterable[tuple[str, str]], *, source: str,
             status: str = "active", resubscribe: bool = False, report: AddReport | None = None) -> AddReport:
    """Add (address, name) pairs to `publication` in one transaction.

    A new address gets `status` (active, or pending for a double opt-in). An address already there
    stays as it is, except that `resubscribe=True` makes an unsubscribed, bounced or pending one
    active again. Invalid addresses are reported (where = the address itself), the rest go on.
    """
    assert status in STATUSES
    report = report or AddReport()
    wanted: dict[str, tuple[str, str]] = {}
    for address, name in entries:
        try:
            email = normalise(address)
        except InvalidAddress as exc:
            report.invalid.append((address, address, exc.reason))
            continue
        wanted.setdefault(_key(email), (email, (name or "").strip()))
    if not wanted:
        return report
    for attempt in range(3):
        try:
            with store._write() as conn:
                _add_in(conn, publication, wanted, source, status, resubscribe, report)
            return report
        except IntegrityError as exc:  # added by another process at the same moment: look again
            if not db.is_unique_violation(exc) or attempt == 2:
                raise db.store_error(exc, store.url) from None
            report.added.clear(), report.reactivated.clear(), report.unchanged.clear(), report.kept_out.clear()
    return report


def _add_in(conn, publication: str, wanted: dict[str, tuple[str, str]], source: str, status: str,
            resubscribe: bool, report: AddReport) -> None:
    keys = list(wanted)
    known: dict[str, Any] = {}
    for i in range(0, len(keys), 500):
        for r in conn.execute(sa.select(subscribers.c.id, subscribers.c.email_key, subscribers.c.status).where(
                subscribers.c.publication == publication, subscribers.c.email_key.in_(keys[i:i + 500]))):
            known[r.email_key] = r
    now = db.utcnow()
    new_rows = []
    for key, (email, name) in wanted.items():
        row = known.get(key)
        if row is None:
            new_rows.append(dict(publication=publication, email=email, email_key=key, name=name, status=status,
                                 source=source[:200], token_nonce=_nonce(), created_at=now, updated_at=now))
        elif row.status == status or (row.status == "active" and status == "pending"):
            report.unchanged.append(email)
        elif resubscribe or (row.status == "pending" and status == "active"):
            conn.execute(sa.update(subscribers).where(subscribers.c.id == row.id).values(
                status="active", source=source[:200], updated_at=now))
            _event(conn, row.id, "active", source, f"was {row.status}")
            report.reactivated.append(email)
        else:
            report.kept_out.append((email, row.status))
    if new_rows:
        conn.execute(sa.insert(subscribers), new_rows)
        new_keys = [r["email_key"] for r in new_rows]
        ids: dict[str, int] = {}
        for i in range(0, len(new_keys), 500):
            ids.update(conn.execute(sa.select(subscribers.c.email_key, subscribers.c.id).where(
                subscribers.c.publication == publication, subscribers.c.email_key.in_(new_keys[i:i + 500]))).all())
        conn.execute(sa.insert(subscriber_events), [
            dict(subscriber_id=ids[r["email_key"]], at=now, status=status, source=source[:200], detail="added")
            for r in new_rows])
        report.added.extend(r["email"] for r in new_rows)


def add(store: Any, publication: str, address: str, *, name: str = "", source: str = "cli",
        status: str = "active", resubscribe: bool = False) -> tuple[Subscriber, str]:
    """Add one address. Returns (subscriber, what happened: added | reactivated | unchanged |
    unsubscribed | bounced — the last two when the reader left and `resubscribe` is False).
    Raises InvalidAddress."""
    email = normalise(address)
    report = add_many(store, publication, [(email, name)], source=source, status=status, resubscribe=resubscribe)
    sub = get(store, publication, email)
    assert sub is not None
    what = ("added" if report.added else "reactivated" if report.reactivated else
            report.kept_out[0][1] if report.kept_out else "unchanged")
    return sub, what


def set_status(store: Any, sub: Subscriber | int, status: str, source: str, detail: str = "") -> Subscriber | None:
    """Change one subscriber's status (recorded as an event). Leaving (unsubscribed, bounced)
    cancels their deliveries still queued for that publication in the same transaction.
    Setting the status it already has records nothing. Returns the subscriber, None if gone."""
    assert status in STATUSES
    sid = sub if isinstance(sub, int) else sub.id
    with store._write() as conn:
        r = conn.execute(sa.select(subscribers).where(subscribers.c.id == sid).with_for_update()).first()
        if r is None:
            return None
        if r.status != status:
            conn.execute(sa.update(subscribers).where(subscribers.c.id == sid).values(
                status=status, source=source[:200], updated_at=db.utcnow()))
            _event(conn, sid, status, source, detail)
        if status in LEFT:
            _cancel_queued(conn, r.publication, r.email, f"cancelled: {status} ({source})")
        r = conn.execute(sa.select(subscribers).where(subscribers.c.id == sid)).first()
    return Subscriber.from_row(r)


def forget(store: Any, sub: Subscriber) -> None:
    """Delete a subscriber and their history (erasure on request). Their queued deliveries are
    cancelled; past delivery records keep the address they were sent to."""
    with store._write() as conn:
        _cancel_queued(conn, sub.publication, sub.email, "cancelled: subscriber deleted")
        conn.execute(sa.delete(subscriber_events).where(subscriber_events.c.subscriber_id == sub.id))
        conn.execute(sa.delete(subscribers).where(subscribers.c.id == sub.id))


def recipients(store: Any, publication: str, default: Sequence[str] = ()) -> list[Subscriber]:
    """The active subscribers of `publication`, in the order they joined, after adding the
    addresses of the default list (DIGEST_TO) that are not subscribers yet (source DIGEST_TO).
    An address of the default list that unsubscribed stays out."""
    if default:
        report = add_many(store, publication, [(a, "") for a in default], source="DIGEST_TO")
        for where, _addr, reason in report.invalid:
            raise InvalidAddress(where, f"{reason} (in DIGEST_TO)")
    return list_subscribers(store, publication, "active")


# -- CSV ---------------------------------------------------------------------------------------------------
def read_csv(stream: IO[str]) -> tuple[list[tuple[int, str, str, str]], list[tuple[str, str, str]]]:
    """Rows of a subscribers CSV: [(line, address, name, status)] and problems [(where, text, reason)].

    With a header row, the address column is `email` (or e-mail, address, 邮箱 …), the optional
    `name` (姓名) and `status` columns are read too; without one, the first column is the address
    and the second the name. Blank lines and lines starting with # are skipped. UTF-8 (a BOM is fine).
    """
    text = stream.read()
    if text.startswith("\ufeff"):
        text = text[1:]
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = next((d for d in ",;\t" if d in first_line), ",")  # Excel in a Chinese locale may use ;
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    out: list[tuple[int, str, str, str]] = []
    problems: list[tuple[str, str, str]] = []
    first = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if first is None:
        return out, problems
    header = [c.strip().lower() for c in rows[first]]
    col_email, col_name, col_status = 0, 1, None
    start = first
    if "@" not in "".join(header):
        found = next((i for i, h in enumerate(header) if h in _EMAIL_HEADERS), None)
        if found is None:
            problems.append((f"line {first + 1}", ",".join(rows[first]), "no e-mail column (name it `email`)"))
            return out, problems
        col_email = found
        col_name = next((i for i, h in enumerate(header) if h in _NAME_HEADERS), None)
        col_status = next((i for i, h in enumerate(header) if h in ("status", "状态")), None)
        start = first + 1
    for n, row in enumerate(rows[start:], start + 1):
        if not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        cell = lambda i: row[i].strip() if i is not None and i < len(row) else ""  # noqa: E731
        status = cell(col_status).lower()
        if status and status not in STATUSES:
            problems.append((f"line {n}", cell(col_email), f"unknown status {status!r} (one of {', '.join(STATUSES)})"))
            continue
        out.append((n, cell(col_email), cell(col_name), status))
    return out, problems


def import_csv(store: Any, publication: str, stream: IO[str], *, source: str = "import",
               resubscribe: bool = False) -> AddReport:
    """Import a CSV (see read_csv) into `publication` in one transaction. Rows without a status, or
    with `active`, subscribe the address (a reader who left stays out unless `resubscribe`); rows
    with `unsubscribed` or `bounced` record that (for a list moved from another tool)."""
    rows, problems = read_csv(stream)
    report = AddReport(invalid=list(problems))
    good: list[tuple[str, str]] = []
    pending: list[tuple[str, str]] = []
    leaving: list[tuple[str, str, str]] = []
    for n, address, name, status in rows:
        try:
            email = normalise(address)
        except InvalidAddress as exc:
            report.invalid.append((f"line {n}", address, exc.reason))
            continue
        if status in LEFT:
            leaving.append((email, name, status))
        elif status == "pending":
            pending.append((email, name))
        else:
            good.append((email, name))
    add_many(store, publication, good, source=source, resubscribe=resubscribe, report=report)
    if pending:
        add_many(store, publication, pending, source=source, status="pending", report=report)
    for status in LEFT:
        group = [(e, n) for e, n, s in leaving if s == status]
        if not group:
            continue
        part = add_many(store, publication, group, source=source, status=status)
        report.kept_out.extend((e, status) for e in part.added)
        report.unchanged.extend(part.unchanged)
        for email, _was in part.kept_out:  # known with another status: record that they left
            sub = get(store, publication, email)
            if sub is not None:
                set_status(store, sub, status, source, "imported")
                report.kept_out.append((email, status))
    return report


def export_csv(store: Any, publication: str, out: IO[str], status: str | None = None) -> int:
    """Write the subscribers of `publication` as CSV (CSV_FIELDS, UTC times); returns the row count.
    The output imports back with import_csv."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    n = 0
    page = 1000
    last = 0
    while True:
        q = (sa.select(subscribers).where(subscribers.c.publication == publication, subscribers.c.id > last)
             .order_by(subscribers.c.id).limit(page))
        if status:
            q = q.where(subscribers.c.status == status)
        with store._read() as conn:
            batch = [Subscriber.from_row(r) for r in conn.execute(q)]
        for s in batch:
            writer.writerow([s.email, s.name, s.status, s.source, s.created_at.isoformat(timespec="seconds") + "Z",
                             s.updated_at.isoformat(timespec="seconds") + "Z"])
        n += len(batch)
        if len(batch) < page:
            return n
        last = batch[-1].id


__all__ = ["STATUSES", "Subscriber", "InvalidAddress", "AddReport", "normalise", "get", "get_by_id",
           "list_subscribers", "counts", "events", "is_active", "add", "add_many", "set_status", "forget",
           "recipients", "cancel_delivery", "read_csv", "import_csv", "export_csv"]

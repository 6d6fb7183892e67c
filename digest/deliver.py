"""The outbox and SMTP delivery.

build_message() makes the MIME message, write_outbox() writes .eml/.html/.txt atomically, and
send_digest() sends the exact .eml bytes of a stored digest to each recipient, once.

Delivery state lives in the store (queued -> sending -> sent | failed | queued):
  * temporary trouble (4xx, refused/dropped connection, timeout before the end of DATA) is retried
    with exponential backoff, then left `queued` with the reason for the next run;
  * permanent refusals (5xx, 535 authentication failure) become `failed` and are not retried;
  * a connection lost AFTER the final "." of DATA was sent is ambiguous: the server may have
    queued the message. It is recorded as `failed` with a reply starting "ambiguous:" so it is
    never re-sent blindly; the operator checks and requeues (store.requeue_delivery) if need be.
    A crash while `sending` is left `sending` by the store for the same reason.
  * configuration trouble (TLS or AUTH unsupported, certificate rejected) stays `queued`, unretried.
The SMTP password is never logged, written to a file or put into an error or a reply.
"""
from __future__ import annotations

import copy
import re
import email.policy
import logging
import os
import threading
import time
from datetime import datetime, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Callable, Sequence

from .config import Settings
from .errors import DeliveryError
from .faults import checkpoint
from .outbox import write_set
from .models import Rendered
from .mailmerge import list_unsubscribe_header as _list_unsubscribe
from .mailmerge import personal_message, readers_for
from .render import one_line
from .smtp import Sender as _Sender, _Final, _Session, _Temporary

log = logging.getLogger(__name__)

# Backoff between attempts: wait_exponential(multiplier=RETRY_WAIT[0], max=RETRY_WAIT[1]) seconds.
# Tests shrink it (in-process, or DIGEST_TEST_RETRY_WAIT="0.05,0.2" for a subprocess); the number
# of attempts is settings.send_retries (at least one).
RETRY_WAIT: tuple[float, float] = tuple(float(x) for x in os.environ["DIGEST_TEST_RETRY_WAIT"].split(",")[:2]) \
    if os.environ.get("DIGEST_TEST_RETRY_WAIT") else (2.0, 120.0)  # type: ignore[assignment]
WIRE = email.policy.SMTP  # CRLF line ends: the .eml holds the bytes that go over the wire


# -- the message --------------------------------------------------------------------------------
def build_message(rendered: Rendered, settings: Settings, *, message_id: str | None = None,
                  date: datetime | None = None, to: Sequence[str] = ()) -> EmailMessage:
    """multipart/alternative (UTF-8 text, then HTML). One recipient goes into To; several (or
    none) give ``To: undisclosed-recipients:;`` and travel only in the SMTP envelope."""
    msg = EmailMessage(policy=email.policy.default)
    domain = settings.from_addr.rpartition("@")[2] or "localhost"
    msg["From"] = Address(display_name=one_line(settings.publication), addr_spec=settings.from_addr)
    recipients = [one_line(a) for a in (to or settings.to) if one_line(a)]
    msg["To"] = recipients[0] if len(recipients) == 1 else "undisclosed-recipients:;"
    msg["Subject"] = one_line(rendered.subject)
    when = date or datetime.now(timezone.utc)
    msg["Date"] = format_datetime(when if when.tzinfo else when.replace(tzinfo=timezone.utc))
    mid = one_line(message_id) if message_id else make_msgid(domain=domain)
    msg["Message-ID"] = mid if mid.startswith("<") else f"<{mid.strip('<>')}>"
    if settings.list_id:
        list_id = one_line(settings.list_id)
        msg["List-Id"] = list_id if "<" in list_id else f"{one_line(settings.publication)} <{list_id}>"
    unsubscribe = _list_unsubscribe(settings.unsubscribe)
    if unsubscribe:
        msg["List-Unsubscribe"] = unsubscribe
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text, subtype="plain", charset="utf-8", cte=_cte(rendered.text))
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8", cte=_cte(rendered.html))
    return msg


def _cte(text: str) -> str:
    """The smaller of quoted-printable and base64 for the whole body. (The email package sniffs only
    the first 10 lines - the ASCII <head> - and so picks QP, tripling every byte of Chinese text.)"""
    data = text.encode("utf-8")
    non_ascii = sum(b > 126 or (b < 32 and b not in (9, 10, 13)) or b == 61 for b in data)
    return "quoted-printable" if len(data) + 2 * non_ascii < len(data) * 4 // 3 else "base64"


_DATE_LINE = re.compile(rb"^Date:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*", re.M | re.I)


def stamp_date(data: bytes, when: datetime | None = None) -> bytes:
    """The message `data` (wire form) with its Date: header set to `when` (default: now, UTC).

    RFC 5322 3.6.1: the origination date is when the message is ready to go, i.e. when it is
    sent, not when the digest was built. Only the header block is touched; the body is the
    outbox's bytes. A message without a Date: header gets one in front.
    """
    when = when or datetime.now(timezone.utc)
    line = b"Date: " + format_datetime(when if when.tzinfo else when.replace(tzinfo=timezone.utc)).encode() + b"\r\n"
    end = data.find(b"\r\n\r\n")
    head, rest = (data[:end + 2], data[end + 2:]) if end >= 0 else (data, b"")
    new_head, n = _DATE_LINE.subn(lambda _m: line, head, count=1)
    return (new_head if n else line + head) + rest


def message_bytes(message: EmailMessage) -> bytes:
    """The wire form (CRLF), never with a Bcc header."""
    if "Bcc" in message:
        message = copy.deepcopy(message)
        del message["Bcc"]
    return message.as_bytes(policy=WIRE)


# -- the outbox ---------------------------------------------------------------------------------------
def write_outbox(outbox: Path, stem: str, rendered: Rendered, message: EmailMessage) -> dict[str, Path]:
    """Write STEM.html, STEM.txt and STEM.eml atomically; returns {"eml", "html", "txt": path}.

    .eml last: it is the message itself, so a complete .eml means a complete set, and a crash
    before it leaves .html/.txt that the next build (same content) reuses and completes.
    """
    return write_set(outbox, one_line(stem), {"html": rendered.html.encode("utf-8"),
                                              "txt": rendered.text.encode("utf-8"), "eml": message_bytes(message)})


# -- sending ------------------------------------------------------------------------------------------
def _read_eml(row: dict) -> bytes:
    """The message bytes: from the database (any host can send), else the outbox file (old rows)."""
    if row.get("eml"):
        return bytes(row["eml"])
    path = Path(row["eml_path"])
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DeliveryError(f"cannot read {path}: {exc.strerror or exc}",
                            "the outbox file is gone; build the digest again") from None


def send_one(settings: Settings, recipient: str, data: bytes) -> str:
    """Send one message (wire bytes) to one address over its own connection, once (no retry: the
    caller decides). Returns the server's reply; raises DeliveryError with the reason. For mail
    that is not a digest (the double opt-in confirmation of `digest web`)."""
    if not settings.smtp_host:
        raise DeliveryError("no SMTP server configured", "set DIGEST_SMTP_HOST")
    session = _Session(settings, time.monotonic() + settings.send_time_limit)
    try:
        return session.send(settings.from_addr, recipient, data)
    except (_Temporary, _Final) as exc:
        raise DeliveryError(f"{recipient}: {exc}", "check the SMTP settings and the server's log") from None
    finally:
        session.drop()


def _sendable(store: Any, digest_id: int, *, superseded_ok: bool = False) -> dict:
    """The digest row to send; DeliveryError when there is none, or it was replaced (unless the
    deliveries already queued for it are being retried: its readers are owed that message)."""
    row = store.digest_row(digest_id)
    if row is None:
        raise DeliveryError(f"no digest with id {digest_id}", "run `digest build` first")
    if row.get("superseded") and not superseded_ok:
        live = store.find_digest(row["publication"], row["start_date"], row["end_date"])
        raise DeliveryError(f"digest {digest_id} was replaced by a later build of the same range"
                            + (f" (digest {live['id']})" if live else ""),
                            f"send digest {live['id']}" if live else "build the range again")
    return row


def would_send(store: Any, settings: Settings, publication: str) -> list[str]:
    """The list a send would go to, read only: the active subscribers and the DIGEST_TO addresses
    that would join them (the dry run writes nothing, so they are not added)."""
    from . import subscribers as subs

    active = [s.email for s in subs.list_subscribers(store, publication, "active")]
    have = {a.lower() for a in active}
    extra = [a for a in settings.to if a.lower() not in have and subs.get(store, publication, a) is None]
    return active + extra


def send_digest(store: Any, settings: Settings, digest_id: int, *, to: Sequence[str] | None = None,
                dry_run: bool = False, progress: Callable[[str], None] | None = None,
                stop: threading.Event | None = None, owed_only: bool = False,
                sender: _Sender | None = None) -> dict[str, dict]:
    """Send digest `digest_id` to its readers: one message per reader, over one SMTP connection,
    at most DIGEST_SEND_RATE messages a second, for at most DIGEST_SEND_TIME_LIMIT seconds.

    `to` None sends to the active subscribers of the digest's publication (DIGEST_TO's addresses
    join them, digest.subscribers.recipients); a list of addresses is a test send (send_test):
    recorded apart, never a delivery of the digest. Each message is the stored one with the
    reader's To:, List-Unsubscribe, List-Unsubscribe-Post (RFC 8058) and 退订 links
    (digest.mailmerge; tokens: digest.tokens). `owed_only`: only the deliveries already queued
    (or left `sending` by a process that died) — the service's retries (send_owed); no reader is
    added. `stop`: set by the service when it stops; nothing new is tried after it.

    Returns {recipient: {"status": sent|failed|queued|skipped|dry-run, "reply": str}}. A recipient
    already sent (or left `in-data`/`failed`) is skipped: nobody gets a digest twice. A reader who
    is no longer active when their turn comes is skipped and their delivery cancelled. After the
    server or the connection failed (refused, timed out, dropped, 421), or when the time is up,
    the remaining recipients are left `queued` with the reason, for the next retry.
    """
    from . import subscribers as subs
    from .mailmerge import MailMerge
    from .tokens import Tokens

    if to is not None:
        return send_test(store, settings, digest_id, to, dry_run=dry_run, progress=progress)
    say = progress or (lambda line: log.info("%s", line))
    row = _sendable(store, digest_id, superseded_ok=owed_only)
    data = _read_eml(row)
    pub = row["publication"]
    if dry_run:
        known = {d["recipient"]: d["status"] for d in store.deliveries(digest_id)}
        wanted = [r for r, st in known.items() if st in ("queued", "sending")] if owed_only \
            else would_send(store, settings, pub)
        where = f"{settings.smtp_host}:{settings.port} ({settings.smtp_security})" if settings.smtp_host \
            else "no SMTP host (DIGEST_SMTP_HOST is not set)"
        outcome = {}
        for r in wanted:
            state = known.get(r)
            skip = state not in (None, "queued")
            reply = f"already {state}" if skip else f"would send {row['eml_path'] or 'the stored message'} " \
                                                    f"({len(data)} bytes) via {where}"
            outcome[r] = dict(status="skipped" if skip else "dry-run", reply=reply)
            say(f"{r}: {reply}")
        return outcome
    if not settings.smtp_host:
        raise DeliveryError("no SMTP server configured", "set DIGEST_SMTP_HOST (or use the outbox files)")
    if owed_only:
        recipients = [d["recipient"] for d in store.deliveries(digest_id) if d["status"] in ("queued", "sending")]
        readers = {r.lower(): sub for r in recipients if (sub := subs.get(store, pub, r)) is not None}
    else:
        recipients, readers = readers_for(store, settings, pub, None)
        if not recipients:
            raise DeliveryError("no recipients", "add subscribers (`digest subscribers add`) or set DIGEST_TO")
        store.queue_deliveries(digest_id, recipients)
    own = sender is None
    sender = sender or _Sender(settings, stop, wait=RETRY_WAIT)
    merge = MailMerge(data)
    tokens = Tokens.for_store(store, settings) if settings.public_url and readers else None
    outcome: dict[str, dict] = {}
    try:
        for i, r in enumerate(recipients):
            why = sender.stopping()
            if why:
                rest = [x for x in recipients[i:]]
                store.note_queued(digest_id, rest, why)
                states = {d["recipient"]: d["status"] for d in store.deliveries(digest_id)}
                for x in rest:
                    if states.get(x) == "queued":
                        outcome[x] = dict(status="queued", reply=why)
                say(f"{sum(1 for x in rest if states.get(x) == 'queued')} recipient(s) left queued: {why}")
                break
            if not subs.is_active(store, pub, r):  # left since the list was read
                subs.cancel_delivery(store, digest_id, r, "cancelled: no longer subscribed")
                outcome[r] = dict(status="skipped", reply="no longer subscribed: not sent")
                say(f"{r}: skipped (no longer subscribed)")
                continue
            if not store.claim_delivery(digest_id, r, settings.claim_lease_seconds):
                state = next((d["status"] for d in store.deliveries(digest_id) if d["recipient"] == r), "?")
                note = f"already {state}" + (" by an interrupted run: it may have been delivered; requeue it "
                                             "to send again" if state == "in-data" else "")
                outcome[r] = dict(status="skipped", reply=note)
                say(f"{r}: skipped ({note})")
                continue
            checkpoint("send:after-claim")
            status, reply = "queued", "interrupted"

            def before_data(r=r):
                store.delivery_in_data(digest_id, r)
                checkpoint("send:before-data")

            try:
                wire = stamp_date(personal_message(settings, merge, tokens, r, readers.get(r.lower())))

                def on_retry(r=r) -> None:  # one more SMTP try; the claim stays ours while retrying
                    store.count_attempt(digest_id, r)
                    store.renew_claim(digest_id, r, settings.claim_lease_seconds)

                status, reply, _tries = sender.attempt(r, wire, before_data, on_retry=on_retry, say=say)
                if status == "sent":
                    checkpoint("send:after-accept")
            except BaseException:
                conn = sender.session.conn
                unsure = conn is not None and conn.data_end_sent
                status = "failed" if unsure else "queued"
                reply = "ambiguous: interrupted after the message was sent" if unsure else "interrupted before sending"
                raise
            finally:
                store.finish_delivery(digest_id, r, status, reply)
                outcome[r] = dict(status=status, reply=reply)
                say(f"{r}: {status} ({reply})")
    finally:
        if own:
            sender.close()
    return outcome


def send_test(store: Any, settings: Settings, digest_id: int, addresses: Sequence[str], *,
              dry_run: bool = False, progress: Callable[[str], None] | None = None) -> dict[str, dict]:
    """A test send (`digest send --test-to`, the preview's "send test") of digest `digest_id` to
    `addresses` (each string may hold several: "a@x.org, 张三 <b@y.org>"; every one is validated
    before anything is sent). Each address gets its own message (To: that address only, never the
    list; a subscriber's own unsubscribe link, anyone else's a link to the page that says how to
    leave), with the usual retries. Recorded in test_sends, never in deliveries: a test send
    never counts as delivery, so the morning run and `digest send` still send the digest to every
    reader. Returns {address: {"status", "reply", "test": True}}. Raises AddressError first."""
    from . import subscribers as subs
    from .addresses import split_addresses
    from .mailmerge import MailMerge
    from .tokens import Tokens

    wanted = list(dict.fromkeys(a for text in addresses for a in split_addresses(text)))
    say = progress or (lambda line: log.info("%s", line))
    row = _sendable(store, digest_id)
    data = _read_eml(row)
    if dry_run:
        out = {a: dict(status="dry-run", reply=f"would send a test of digest {digest_id} ({len(data)} bytes)", test=True)
               for a in wanted}
        for a, o in out.items():
            say(f"{a}: {o['reply']}")
        return out
    if not settings.smtp_host:
        raise DeliveryError("no SMTP server configured", "set DIGEST_SMTP_HOST")
    readers = {a.lower(): sub for a in wanted if (sub := subs.get(store, row["publication"], a)) is not None}
    merge = MailMerge(data)
    tokens = Tokens.for_store(store, settings) if settings.public_url and readers else None
    sender = _Sender(settings, wait=RETRY_WAIT)
    outcome: dict[str, dict] = {}
    try:
        for a in wanted:
            why = sender.stopping()
            if why:
                status, reply, tries = "queued", why, 0
            else:
                wire = stamp_date(personal_message(settings, merge, tokens, a, readers.get(a.lower())))
                status, reply, tries = sender.attempt(a, wire, say=say)
            store.record_test_send(digest_id, a, status, tries, reply)
            outcome[a] = dict(status=status, reply=reply, test=True)
            say(f"{a}: {status} (test) ({reply})")
    finally:
        sender.close()
    return outcome


def send_owed(store: Any, settings: Settings, *, stop: threading.Event | None = None,
              progress: Callable[[str], None] | None = None, publication: str | None = None) -> tuple[str, str]:
    """The service's retries: send every delivery still owed — queued after a temporary failure,
    left by a send that stopped (time limit, a failed server, a stop) or interrupted (a `sending`
    claim whose process died) — of the digests built within DIGEST_RETRY_MAX_AGE_HOURS, oldest
    first, over one connection and within one DIGEST_SEND_TIME_LIMIT (`publication`: only its
    digests; default every paper's). Returns (outcome, detail): outcome nothing (nothing owed),
    ok (all owed sent), partial or failed."""
    owed = store.owed_digests(settings.retry_max_age_hours, publication)
    if not owed:
        return "nothing", "no delivery owed"
    if not settings.smtp_host:
        return "failed", f"{sum(d['queued'] + d['sending'] for d in owed)} deliveries owed but DIGEST_SMTP_HOST is not set"
    sender = _Sender(settings, stop, wait=RETRY_WAIT)
    counts: dict[str, int] = {}
    try:
        for d in owed:
            try:
                outcome = send_digest(store, settings, d["id"], progress=progress, owed_only=True, sender=sender)
            except DeliveryError as exc:
                counts[f"digest {d['id']}: {exc.message}"] = 1
                continue
            for o in outcome.values():
                counts[o["status"]] = counts.get(o["status"], 0) + 1
            if sender.halted:
                break
    finally:
        sender.close()
    digests_named = ", ".join(str(d["id"]) for d in owed)
    detail = f"owed deliveries of digest(s) {digests_named}: " + ", ".join(f"{n} {k}" for k, n in counts.items())
    if sender.halted:
        detail += f"; stopped: {sender.halted}"
    if counts.get("sent") and set(counts) <= {"sent", "skipped"}:
        return "ok", detail
    return ("partial" if counts.get("sent") else "failed"), detail


__all__ = ["build_message", "message_bytes", "stamp_date", "write_outbox", "send_digest", "send_test", "send_owed",
           "send_one", "would_send", "RETRY_WAIT"]

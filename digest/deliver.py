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

import base64
import copy
import re
import email.policy
import logging
import smtplib
import socket
import ssl
import time
from datetime import datetime, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Callable, Sequence

from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from .config import Settings
from .errors import DeliveryError
from .faults import checkpoint
from .outbox import write_set
from .models import Rendered
from .mailmerge import list_unsubscribe_header as _list_unsubscribe
from .mailmerge import personal_message, readers_for
from .render import one_line

log = logging.getLogger(__name__)

# Backoff between attempts: wait_exponential(multiplier=RETRY_WAIT[0], max=RETRY_WAIT[1]) seconds.
# Tests shrink it; the number of attempts is settings.send_retries (at least one).
RETRY_WAIT: tuple[float, float] = (2.0, 120.0)
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


# -- SMTP ----------------------------------------------------------------------------------------------
class _Temporary(Exception):
    """Worth retrying."""


class _Final(Exception):
    """Not worth retrying; `status` is what to record (failed, or queued for config trouble)."""

    def __init__(self, reply: str, status: str = "failed"):
        super().__init__(reply)
        self.status = status


class _Tracking:
    """Remembers whether the final '.' of DATA went out, to tell a lost reply from a lost message."""

    data_end_sent = False
    _in_data = False

    def data(self, msg):  # type: ignore[override]
        self._in_data = True
        try:
            return super().data(msg)  # type: ignore[misc]
        finally:
            self._in_data = False

    def send(self, s):  # type: ignore[override]
        super().send(s)  # type: ignore[misc]
        if self._in_data and isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.data_end_sent = True

    def auth(self, mechanism, authobject, *, initial_response_ok=True):  # type: ignore[override]
        """smtplib.SMTP.auth, but credentials are UTF-8 (RFC 4616/4954), not ASCII-only."""
        def b64(text: str) -> str:
            return base64.b64encode(text.encode("utf-8")).decode("ascii")

        mechanism = mechanism.upper()
        initial = authobject() if initial_response_ok else None
        if initial is not None:
            code, resp = self.docmd("AUTH", f"{mechanism} {b64(initial)}")  # type: ignore[attr-defined]
        else:
            code, resp = self.docmd("AUTH", mechanism)  # type: ignore[attr-defined]
        self._auth_challenge_count = 0 if initial is None else 1
        while code == 334:
            self._auth_challenge_count += 1
            if self._auth_challenge_count > 5:
                break
            code, resp = self.docmd(b64(authobject(base64.decodebytes(resp))))  # type: ignore[attr-defined]
        if code in (235, 503):
            return code, resp
        raise smtplib.SMTPAuthenticationError(code, resp)


class _SMTP(_Tracking, smtplib.SMTP):
    pass


class _SMTP_SSL(_Tracking, smtplib.SMTP_SSL):
    pass


class _Session:
    """One SMTP connection, opened lazily and reused across recipients; dropped on trouble."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.conn: _SMTP | None = None
        self.fatal: _Final | None = None  # e.g. wrong password: do not try again this run

    def scrub(self, text: str) -> str:
        pw = self.settings.smtp_password
        if pw:
            for secret in {pw, base64.b64encode(pw.encode()).decode(),
                           base64.b64encode(f"\0{self.settings.smtp_user}\0{pw}".encode()).decode()}:
                text = text.replace(secret, "***")
        return text

    def open(self) -> _SMTP:
        if self.fatal:
            raise self.fatal
        if self.conn is not None:
            return self.conn
        s = self.settings
        context = ssl.create_default_context()
        conn: Any = None
        try:
            if s.smtp_security == "ssl":
                conn = _SMTP_SSL(s.smtp_host, s.port, timeout=s.smtp_timeout, context=context)
            else:
                conn = _SMTP(s.smtp_host, s.port, timeout=s.smtp_timeout)
            conn.ehlo()
            if s.smtp_security == "starttls":
                conn.starttls(context=context)
                conn.ehlo()
            if s.smtp_user:
                conn.login(s.smtp_user, s.smtp_password)
        except BaseException:
            if conn is not None:
                conn.close()
            raise
        self.conn = conn
        return conn

    def drop(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (smtplib.SMTPException, OSError):
                self.conn.close()
            self.conn = None

    def send(self, sender: str, recipient: str, data: bytes, before_data: Callable[[], None] = lambda: None) -> str:
        """Send once; returns the server's reply or raises _Temporary / _Final.

        `before_data` runs after the server accepted MAIL and RCPT, right before DATA.
        """
        where = f"{self.settings.smtp_host}:{self.settings.port}"
        conn = None
        try:
            conn = self.open()
            conn.data_end_sent = False
            def data_step():
                before_data()
                return conn.data(data)

            for step, expected in ((lambda: conn.mail(sender), (250,)), (lambda: conn.rcpt(recipient), (250, 251)),
                                   (data_step, (250,))):
                code, resp = step()
                if code not in expected:
                    try:  # a server that hung up after refusing must not turn the refusal into a drop
                        conn.rset()
                    except (smtplib.SMTPException, OSError):
                        self.drop()
                    raise smtplib.SMTPResponseException(code, resp)
            return self.scrub(f"{code} {_text(resp)}")
        except smtplib.SMTPAuthenticationError as exc:
            self.drop()
            reply = self.scrub(f"authentication failed: {exc.smtp_code} {_text(exc.smtp_error)}")
            if 400 <= exc.smtp_code < 500:
                raise _Temporary(reply) from None
            self.fatal = _Final(reply + " (check DIGEST_SMTP_USER and DIGEST_SMTP_PASSWORD)")
            raise self.fatal from None
        except smtplib.SMTPResponseException as exc:  # a refusal: MAIL, RCPT, DATA, HELO, greeting
            if exc.smtp_code in (421, -1) or isinstance(exc, (smtplib.SMTPHeloError, smtplib.SMTPConnectError)):
                self.drop()
            reply = self.scrub(f"{exc.smtp_code} {_text(exc.smtp_error)}")
            if 400 <= exc.smtp_code < 500 or exc.smtp_code < 0:
                raise _Temporary(reply) from None
            raise _Final(reply) from None
        except (smtplib.SMTPNotSupportedError, ssl.SSLError, UnicodeError) as exc:
            if isinstance(exc, ssl.SSLError) and self.conn is not None:  # TLS was up: a plain drop
                raise self._lost(exc, conn) from None
            self.drop()
            if isinstance(exc, UnicodeError):  # never echo it: it quotes a character of the offending value
                reason = "the user name, password or an address cannot be encoded for this server"
            elif isinstance(exc, ssl.SSLError):
                reason = f"TLS error: {exc.reason or exc} (check DIGEST_SMTP_SECURITY and the server certificate)"
            else:
                reason = f"{exc} (check DIGEST_SMTP_SECURITY)"
            self.fatal = _Final(f"{where}: {self.scrub(reason)}", status="queued")  # fix settings, run again
            raise self.fatal from None
        except (smtplib.SMTPServerDisconnected, OSError) as exc:  # refused, reset, timeout, DNS
            raise self._lost(exc, conn) from None

    def _lost(self, exc: BaseException, conn: Any) -> Exception:
        """The connection failed: temporary, unless the end of DATA had already gone out."""
        ambiguous = conn is not None and conn.data_end_sent
        if conn is not None:
            conn.close()
        self.conn = None
        reason = self.scrub(f"{self.settings.smtp_host}:{self.settings.port}: {_describe(exc)}")
        if ambiguous:
            return _Final(f"ambiguous: connection lost after the message was sent ({reason}); the server "
                          f"may have accepted it, so it is not re-sent automatically; requeue it if it "
                          f"did not arrive")
        return _Temporary(reason)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return one_line(value)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve host ({exc.strerror})"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"connection closed by the server ({exc})" if str(exc) else "connection closed by the server"
    return f"{exc.__class__.__name__}: {exc.strerror or exc}" if isinstance(exc, OSError) else str(exc)


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
    session = _Session(settings)
    try:
        return session.send(settings.from_addr, recipient, data)
    except (_Temporary, _Final) as exc:
        raise DeliveryError(f"{recipient}: {exc}", "check the SMTP settings and the server's log") from None
    finally:
        session.drop()


def send_digest(store: Any, settings: Settings, digest_id: int, *, to: Sequence[str] | None = None,
                dry_run: bool = False, progress: Callable[[str], None] | None = None) -> dict[str, dict]:
    """Send digest `digest_id`: one message per reader, over one SMTP connection, at most
    DIGEST_SEND_RATE messages a second.

    `to` None sends to the active subscribers of the digest's publication (DIGEST_TO's addresses
    join them, digest.subscribers.recipients); a list sends to exactly those addresses (a test
    send). Each message is the stored one with the reader's To:, List-Unsubscribe and
    List-Unsubscribe-Post (RFC 8058) and 退订 links (digest.mailmerge; tokens: digest.tokens).

    Returns {recipient: {"status": sent|failed|queued|skipped|dry-run, "reply": str}}. A recipient
    already sent (or left `sending`/`failed`) is skipped: nobody gets a digest twice. A reader who
    is no longer active when their turn comes is skipped and their delivery cancelled, even if it
    was queued before they left.
    """
    from . import subscribers as subs
    from .mailmerge import MailMerge
    from .tokens import Tokens

    say = progress or (lambda line: log.info("%s", line))
    row = store.digest_row(digest_id)
    if row is None:
        raise DeliveryError(f"no digest with id {digest_id}", "run `digest build` first")
    if row.get("superseded"):
        live = store.find_digest(row["publication"], row["start_date"], row["end_date"])
        raise DeliveryError(f"digest {digest_id} was replaced by a later build of the same range"
                            + (f" (digest {live['id']})" if live else ""),
                            f"send digest {live['id']}" if live else "build the range again")
    recipients, readers = readers_for(store, settings, row["publication"], to)
    if not recipients:
        raise DeliveryError("no recipients", "add subscribers (`digest subscribers add`), set DIGEST_TO or pass --to")
    data = _read_eml(row)
    where = f"{settings.smtp_host or '?'}:{settings.port} ({settings.smtp_security})"
    known = {d["recipient"]: d for d in store.deliveries(digest_id)}
    outcome: dict[str, dict] = {}
    if dry_run:
        for r in recipients:
            state = known.get(r, {}).get("status")
            status = "skipped" if state and state != "queued" else "dry-run"
            reply = f"already {state}" if status == "skipped" else \
                f"would send {row['eml_path']} ({len(data)} bytes) via {where}"
            outcome[r] = dict(status=status, reply=reply)
            say(f"{r}: {reply}")
        return outcome
    if not settings.smtp_host:
        raise DeliveryError("no SMTP server configured", "set DIGEST_SMTP_HOST (or use the outbox files)")
    store.queue_deliveries(digest_id, recipients)
    session = _Session(settings)
    attempts = max(1, settings.send_retries)
    merge = MailMerge(data)
    tokens = Tokens.for_store(store, settings) if settings.public_url and readers else None
    gap = 1.0 / settings.send_rate if settings.send_rate > 0 else 0.0
    next_at = time.monotonic()
    try:
        for r in recipients:
            if to is None and not subs.is_active(store, row["publication"], r):  # left since the list was read
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
                retrying = Retrying(
                    stop=stop_after_attempt(attempts), reraise=False,
                    wait=wait_exponential(multiplier=RETRY_WAIT[0], max=RETRY_WAIT[1]),
                    retry=retry_if_exception_type(_Temporary),
                    before_sleep=lambda rs, r=r: (
                        store.renew_claim(digest_id, r, settings.claim_lease_seconds),  # still ours while retrying
                        say(f"{r}: attempt {rs.attempt_number} failed ({rs.outcome.exception()}); retrying")))
                wire = stamp_date(personal_message(settings, merge, tokens, r, readers.get(r.lower())))
                if gap:
                    time.sleep(max(0.0, next_at - time.monotonic()))
                    next_at = max(next_at, time.monotonic()) + gap
                reply = retrying(session.send, settings.from_addr, r, wire, before_data)
                status = "sent"
                checkpoint("send:after-accept")
            except RetryError as exc:
                status, reply = "queued", f"{exc.last_attempt.exception()} (after {attempts} attempts)"
            except _Final as exc:
                status, reply = exc.status, str(exc)
            except BaseException:
                conn = session.conn
                unsure = conn is not None and conn.data_end_sent
                status = "failed" if unsure else "queued"
                reply = "ambiguous: interrupted after the message was sent" if unsure else "interrupted before sending"
                raise
            finally:
                store.finish_delivery(digest_id, r, status, reply)
                outcome[r] = dict(status=status, reply=reply)
                say(f"{r}: {status} ({reply})")
    finally:
        session.drop()
    return outcome


__all__ = ["build_message", "message_bytes", "stamp_date", "write_outbox", "send_digest", "send_one", "RETRY_WAIT"]

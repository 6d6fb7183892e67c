"""SMTP sessions for digest.deliver: one connection reused across recipients, every failure
sorted into what to record.

_Session.send() sends one message once and returns the server's reply, or raises
  * _Temporary: worth retrying (4xx, a refused/dropped/timed-out connection before the end of
    DATA); `.server` is True when the server or the connection failed (not one recipient), so
    the rest of the send would fail too;
  * _Final: not worth retrying (5xx, a wrong password, TLS/AUTH not supported: `status` says
    whether to record failed or leave queued), or ambiguous (the connection was lost after the
    final "." of DATA went out: the server may have the message).
Every socket operation waits at most DIGEST_SMTP_TIMEOUT and never past the session's deadline.
The SMTP password never appears in a reply or an error (scrubbed, also in base64).
"""
from __future__ import annotations

import base64
import smtplib
import socket
import ssl
import threading
import time
from typing import Any, Callable

from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_attempt, stop_any, wait_exponential

from .config import Settings
from .render import one_line


class _Temporary(Exception):
    """Worth retrying. `server`: the server or the connection failed (refused, timed out, dropped,
    421, a temporary refusal of the sender or of the login), not this one recipient: the other
    recipients of the send would meet the same trouble."""

    def __init__(self, reply: str, server: bool = False):
        super().__init__(reply)
        self.server = server


class _Final(Exception):
    """Not worth retrying; `status` is what to record (failed, or queued for config trouble)."""

    def __init__(self, reply: str, status: str = "failed"):
        super().__init__(reply)
        self.status = status


class _Tracking:
    """Remembers whether the final '.' of DATA went out, to tell a lost reply from a lost message,
    and gives every socket operation the time left (`op_timeout`: set by the session)."""

    data_end_sent = False
    _in_data = False
    op_timeout: Callable[[bool], float] | None = None

    def _bound(self) -> None:
        if self.op_timeout is not None and getattr(self, "sock", None) is not None:
            self.sock.settimeout(self.op_timeout(self._in_data))  # type: ignore[attr-defined]

    def getreply(self):  # type: ignore[override]
        self._bound()
        return super().getreply()  # type: ignore[misc]

    def data(self, msg):  # type: ignore[override]
        self._in_data = True
        try:
            return super().data(msg)  # type: ignore[misc]
        finally:
            self._in_data = False

    def send(self, s):  # type: ignore[override]
        self._bound()
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

    def __init__(self, settings: Settings, deadline: float | None = None):
        """`deadline`: a time.monotonic() value; no socket operation waits past it (each waits at
        most DIGEST_SMTP_TIMEOUT, and never longer than what is left)."""
        self.settings = settings
        self.deadline = deadline
        self.conn: _SMTP | None = None
        self.pending: _SMTP | None = None  # a connection being opened
        self.aborted = False  # abort() closed the connection: the service is stopping
        self.fatal: _Final | None = None  # e.g. wrong password: do not try again this run

    def timeout(self) -> float:
        """Seconds a socket operation may wait now: DIGEST_SMTP_TIMEOUT, cut to the deadline."""
        limit = self.settings.smtp_timeout
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise _Temporary(f"not tried: the send time limit (DIGEST_SEND_TIME_LIMIT="
                                 f"{self.settings.send_time_limit:g}s) was reached", server=True)
            limit = min(limit, max(0.5, left))
        return limit

    def op_timeout(self, in_data: bool = False) -> float:
        """The timeout of the next socket operation: DIGEST_SMTP_TIMEOUT, cut to what is left before
        the deadline (half a second at least) — except inside DATA: a message that is going out is
        given its whole timeout, since cutting it there would leave it ambiguous (maybe delivered)."""
        limit = self.settings.smtp_timeout
        if self.deadline is not None and not in_data:
            limit = min(limit, max(0.5, self.deadline - time.monotonic()))
        return limit

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
        timeout = self.timeout()
        try:
            conn = _SMTP_SSL(timeout=timeout, context=context) if s.smtp_security == "ssl" else _SMTP(timeout=timeout)
            conn.op_timeout = self.op_timeout
            conn._host = s.smtp_host  # what SMTP(host) would set: the name TLS checks the certificate against
            self.pending = conn  # abort() can close it while it waits for the greeting
            code, msg = conn.connect(s.smtp_host, s.port)
            if code != 220:
                raise smtplib.SMTPConnectError(code, msg)
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
        finally:
            self.pending = None
        self.conn = conn
        return conn

    def abort(self) -> None:
        """Called from another thread when the service stops: close a connection that is waiting
        for the server (connecting, greeting, a command), so the send ends now instead of after
        DIGEST_SMTP_TIMEOUT. A message inside DATA is left to finish (cutting it would leave it
        ambiguous)."""
        conn = self.pending or self.conn
        sock = getattr(conn, "sock", None)
        if conn is None or sock is None or conn._in_data:
            return
        self.aborted = True
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

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
        stage = "connect"
        try:
            conn = self.open()
            conn.data_end_sent = False
            def data_step():
                before_data()
                return conn.data(data)

            for stage, step, expected in (("MAIL", lambda: conn.mail(sender), (250,)),
                                          ("RCPT", lambda: conn.rcpt(recipient), (250, 251)),
                                          ("DATA", data_step, (250,))):
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
                raise _Temporary(reply, server=True) from None
            self.fatal = _Final(reply + " (check DIGEST_SMTP_USER and DIGEST_SMTP_PASSWORD)")
            raise self.fatal from None
        except smtplib.SMTPResponseException as exc:  # a refusal: MAIL, RCPT, DATA, HELO, greeting
            closing = exc.smtp_code in (421, -1) or isinstance(exc, (smtplib.SMTPHeloError, smtplib.SMTPConnectError))
            if closing:
                self.drop()
            reply = self.scrub(f"{exc.smtp_code} {_text(exc.smtp_error)}")
            if 400 <= exc.smtp_code < 500 or exc.smtp_code < 0:  # the sender refused (MAIL): so is everyone
                raise _Temporary(reply, server=closing or stage in ("connect", "MAIL")) from None
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
        what = "stopped waiting for the server: the service is stopping" if self.aborted else _describe(exc)
        reason = self.scrub(f"{self.settings.smtp_host}:{self.settings.port}: {what}")
        if ambiguous:
            return _Final(f"ambiguous: connection lost after the message was sent ({reason}); the server "
                          f"may have accepted it, so it is not re-sent automatically; requeue it if it "
                          f"did not arrive")
        return _Temporary(reason, server=True)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return one_line(value)


def _describe(exc: BaseException) -> str:
    """What went wrong with the connection, in words. smtplib reports a socket error while reading
    a reply (a timeout, a reset) as SMTPServerDisconnected; the socket error it stems from
    (__context__) says what really happened: a timeout is a timeout, not a closed connection."""
    cause = exc.__context__ if isinstance(exc, smtplib.SMTPServerDisconnected) else None
    if isinstance(cause, OSError):
        exc = cause
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timed out (no answer within DIGEST_SMTP_TIMEOUT, or the send time limit)"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve host ({exc.strerror})"
    if isinstance(exc, ConnectionResetError):
        return "connection reset by the server"
    if isinstance(exc, BrokenPipeError):
        return "the server closed the connection while the message was going out (broken pipe)"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "connection closed by the server"
    return f"{exc.__class__.__name__}: {exc.strerror or exc}" if isinstance(exc, OSError) else str(exc)


class Sender:
    """One send: an SMTP session under a deadline (DIGEST_SEND_TIME_LIMIT), retries with backoff,
    the message rate, and — once the server or the connection failed, the time is up or the service
    is stopping — why the rest of the send is left queued (`halted`)."""

    def __init__(self, settings: Settings, stop: threading.Event | None = None,
                 wait: tuple[float, float] = (2.0, 120.0)):
        """`wait`: the backoff between tries, wait_exponential(multiplier=wait[0], max=wait[1])
        seconds (digest.deliver.RETRY_WAIT)."""
        self.settings, self.stop, self.wait = settings, stop, wait
        self.deadline = time.monotonic() + settings.send_time_limit
        self.session = _Session(settings, self.deadline)
        self.halted = ""
        self.gap = 1.0 / settings.send_rate if settings.send_rate > 0 else 0.0
        self.next_at = time.monotonic()
        self._done = threading.Event()
        if stop is not None:  # a stop closes a connection that waits for the server at once
            threading.Thread(target=self._watch, name="smtp-stop-watch", daemon=True).start()

    def _watch(self) -> None:
        while not self._done.wait(0.2):
            if self.stop is not None and self.stop.is_set():
                self.session.abort()
                return

    def stopping(self) -> str:
        """Why nothing more is tried in this send ("" while it goes on)."""
        if not self.halted and self.stop is not None and self.stop.is_set():
            self.halted = "not tried: the service is stopping; the next retry sends it"
        if not self.halted and time.monotonic() >= self.deadline:
            self.halted = (f"not tried: the send time limit (DIGEST_SEND_TIME_LIMIT={self.settings.send_time_limit:g}s) "
                           f"was reached; the next retry sends it")
        return self.halted

    def sleep(self, seconds: float) -> None:
        """Wait, but never past the deadline, and wake up at once when the service stops."""
        seconds = max(0.0, min(seconds, self.deadline - time.monotonic()))
        if self.stop is not None:
            self.stop.wait(seconds)
        else:
            time.sleep(seconds)

    def attempt(self, recipient: str, wire: bytes, before_data: Callable[[], None] = lambda: None,
                on_retry: Callable[[], None] = lambda: None,
                say: Callable[[str], None] = lambda line: None) -> tuple[str, str, int]:
        """Send to one recipient with up to DIGEST_SEND_RETRIES tries: (status, reply, tries).
        status: sent, failed (permanent or ambiguous) or queued (temporary; `halted` is set when
        the server itself failed). `on_retry` runs before every try after the first."""
        if self.gap:
            self.sleep(self.next_at - time.monotonic())
            self.next_at = max(self.next_at, time.monotonic()) + self.gap
        tries = 0

        def before(rs) -> None:
            nonlocal tries
            tries = rs.attempt_number
            if tries > 1:
                on_retry()

        retrying = Retrying(
            stop=stop_any(stop_after_attempt(max(1, self.settings.send_retries)), lambda _rs: bool(self.stopping())),
            wait=wait_exponential(multiplier=self.wait[0], max=self.wait[1]), sleep=self.sleep,
            retry=retry_if_exception_type(_Temporary), reraise=False, before=before,
            before_sleep=lambda rs: say(f"{recipient}: attempt {rs.attempt_number} failed "
                                        f"({rs.outcome.exception()}); retrying"))
        try:
            return "sent", retrying(self.session.send, self.settings.from_addr, recipient, wire, before_data), tries
        except RetryError as exc:
            last = exc.last_attempt.exception()
            reply = f"{last} (after {tries} attempt{'s' if tries != 1 else ''})"
            if getattr(last, "server", False) and not self.halted:
                self.halted = f"not tried: the server failed for an earlier recipient ({last}); the next retry sends it"
            return "queued", reply, tries
        except _Final as exc:
            return exc.status, str(exc), tries

    def close(self) -> None:
        self._done.set()
        self.session.drop()

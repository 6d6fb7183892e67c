"""Outbox files and SMTP delivery against real aiosmtpd servers on 127.0.0.1."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import re
import errno
import os
import shutil
import smtplib
import socket
import ssl
import subprocess
from pathlib import Path

import pytest

from digest import deliver, outbox
from digest.deliver import build_message, send_digest, write_outbox
from digest.errors import DeliveryError
from digest.render import render_digest
from digest.store import Store
from tests.fixtures_digest import (DropMidData, Recorder, SMTPServer, free_port, large_digest, login_authenticator,
                                   make_settings, sample_digest)

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

DATE = dt.datetime(2025, 3, 26, 23, 0, tzinfo=dt.timezone.utc)
PASSWORD = "s3cret-Pässwort"


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    monkeypatch.setattr(deliver, "RETRY_WAIT", (0.01, 0.05))


def build(tmp_path: Path, settings, digest=None, stem: str = "2025-03-26") -> tuple[Store, int, dict]:
    """Render, write the outbox and record the digest, as the build step does."""
    digest = digest or sample_digest()
    rendered = render_digest(digest, settings)
    msg = build_message(rendered, settings, message_id="<digest-1@example.org>", date=DATE)
    paths = write_outbox(settings.outbox, stem, rendered, msg)
    store = Store(f"sqlite:///{tmp_path / 'digest.db'}")
    digest_id = store.save_digest(
        publication=digest.publication, start_date=digest.start, end_date=digest.end, subject=rendered.subject,
        message_id=msg["Message-ID"], eml_path=str(paths["eml"]), html_path=str(paths["html"]),
        text_path=str(paths["txt"]), article_count=digest.article_count, content_hash="h")
    return store, digest_id, paths


def status(store: Store, digest_id: int) -> dict[str, tuple[str, str]]:
    return {d["recipient"]: (d["status"], d["last_reply"]) for d in store.deliveries(digest_id)}


def body(msg, subtype: str) -> str:
    """A part's text. Quoted-printable carries line breaks as CRLF (MIME canonical form)."""
    return msg.get_body((subtype,)).get_content().replace("\r\n", "\n")


# -- message and outbox ------------------------------------------------------------------------------
def test_message_headers_and_parts(tmp_path):
    settings = make_settings(tmp_path)
    rendered = render_digest(sample_digest(), settings)
    raw = deliver.message_bytes(build_message(rendered, settings, message_id="abc@example.org", date=DATE))
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # headers are pure ASCII (RFC 2047)
    assert "Subject: =?utf-8?" in head
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == "聊城日报 每日摘要 2025-03-26"
    assert msg["To"] == "reader@example.org"
    assert msg["From"].addresses[0].addr_spec == "digest@example.org"
    assert msg["From"].addresses[0].display_name == "聊城日报"
    assert msg["Message-ID"] == "<abc@example.org>"
    assert msg["Date"] == "Wed, 26 Mar 2025 23:00:00 +0000"
    assert msg["List-Id"] == "聊城日报 <liaocheng.digest.example.org>"
    assert msg["List-Unsubscribe"].strip() == "<mailto:unsubscribe@example.org>, <https://digest.example.org/unsubscribe>"
    assert msg.get_content_type() == "multipart/alternative"
    assert body(msg, "plain") == rendered.text
    assert body(msg, "html") == rendered.html
    assert "Bcc" not in msg


def test_several_recipients_are_undisclosed(tmp_path):
    settings = make_settings(tmp_path, to=("a@example.org", "b@example.org"))
    msg = build_message(render_digest(sample_digest(), settings), settings, date=DATE)
    msg["Bcc"] = "a@example.org, b@example.org"
    raw = deliver.message_bytes(msg)
    assert b"To: undisclosed-recipients:;" in raw
    assert b"Bcc" not in raw and b"a@example.org" not in raw


def test_header_injection_through_publication_and_subject(tmp_path):
    settings = make_settings(tmp_path, publication="聊城日报\r\nBcc: evil@example.com", list_id="x\r\nX-Evil: 1")
    digest = sample_digest(publication="聊城日报\r\nBcc: evil@example.com\nX-Injected: yes")
    rendered = render_digest(digest, settings)
    assert "\r" not in rendered.subject and "\n" not in rendered.subject
    raw = deliver.message_bytes(build_message(rendered, settings, date=DATE))
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert "Bcc" not in msg and "X-Injected" not in msg and "X-Evil" not in msg
    assert set(msg.keys()) == {"From", "To", "Subject", "Date", "Message-ID", "List-Id", "List-Unsubscribe",
                               "Auto-Submitted", "MIME-Version", "Content-Type"}
    assert "Bcc: evil" in msg["Subject"]  # harmless text inside the one-line subject


def test_outbox_reuses_identical_and_never_overwrites(tmp_path):
    settings = make_settings(tmp_path)
    rendered = render_digest(sample_digest(), settings)
    msg = build_message(rendered, settings, message_id="<m@x>", date=DATE)
    first = write_outbox(settings.outbox, "2025-03-26", rendered, msg)
    assert {p.name for p in first.values()} == {"2025-03-26.eml", "2025-03-26.html", "2025-03-26.txt"}
    assert first["html"].read_text("utf-8") == rendered.html
    assert first["html"].stat().st_mode & 0o777 == 0o666 & ~outbox._UMASK
    assert first["eml"].read_bytes() == deliver.message_bytes(msg)
    again = write_outbox(settings.outbox, "2025-03-26", rendered, msg)
    assert again == first
    other = build_message(rendered, settings, message_id="<other@x>", date=DATE)
    second = write_outbox(settings.outbox, "2025-03-26", rendered, other)
    assert second["eml"].name == "2025-03-26-2.eml"
    assert first["eml"].read_bytes() == deliver.message_bytes(msg)  # untouched
    assert sorted(p.name for p in settings.outbox.iterdir()) == sorted(
        p.name for p in list(first.values()) + list(second.values()))  # no temp files left


def test_outbox_disk_full_leaves_nothing(tmp_path, monkeypatch):
    settings = make_settings(tmp_path)
    rendered = render_digest(sample_digest(), settings)
    msg = build_message(rendered, settings, date=DATE)
    real_fsync, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 2:  # the second file (.txt; files are written html, txt, eml) hits a full disk
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(DeliveryError) as err:
        write_outbox(settings.outbox, "d", rendered, msg)
    assert "d.txt" in err.value.message and "No space left" in err.value.message
    assert "disk is full" in err.value.hint
    assert list(settings.outbox.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_outbox_permission_error(tmp_path):
    settings = make_settings(tmp_path)
    settings.outbox.mkdir()
    settings.outbox.chmod(0o500)
    rendered = render_digest(sample_digest(), settings)
    try:
        with pytest.raises(DeliveryError, match=str(settings.outbox)):
            write_outbox(settings.outbox, "d", rendered, build_message(rendered, settings))
    finally:
        settings.outbox.chmod(0o700)


# -- SMTP ---------------------------------------------------------------------------------------------------
def test_normal_delivery_then_nothing_twice(tmp_path):
    with SMTPServer() as server:
        settings = make_settings(tmp_path, smtp_port=server.port)
        store, digest_id, paths = build(tmp_path, settings)
        out = send_digest(store, settings, digest_id)
        assert out["reader@example.org"]["status"] == "sent"
        assert status(store, digest_id)["reader@example.org"][0] == "sent"
        [got] = server.handler.messages
        assert got["rcpt_tos"] == ["reader@example.org"] and got["mail_from"] == "digest@example.org"
        eml = paths["eml"].read_bytes()
        sent, stored = (email.message_from_bytes(m, policy=email.policy.default) for m in (got["data"], eml))
        for name in ("From", "Subject", "Message-ID", "List-Id", "Auto-Submitted"):
            assert sent[name] == stored[name]  # the outbox's message ...
        assert sent["To"] == "reader@example.org"  # ... for this reader, with their own unsubscribe link
        token = re.search(r"<https://digest\.example\.org/unsubscribe/([\w.-]+)>", sent["List-Unsubscribe"]).group(1)
        assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "mailto:unsubscribe@example.org" in sent["List-Unsubscribe"]
        for kind in ("html", "plain"):
            assert body(sent, kind) == body(stored, kind).replace("UNSUBSCRIBE_TOKEN", token)
        sent_at = email.utils.parsedate_to_datetime(email.message_from_bytes(got["data"])["Date"])
        built_at = email.utils.parsedate_to_datetime(email.message_from_bytes(eml)["Date"])
        assert built_at == DATE  # the .eml keeps the build time ...
        assert abs((sent_at - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 120  # ... the mail says when it was sent
        msg = email.message_from_bytes(got["data"], policy=email.policy.default)
        assert body(msg, "html") == paths["html"].read_text("utf-8").replace("UNSUBSCRIBE_TOKEN", token)
        assert body(msg, "plain") == paths["txt"].read_text("utf-8").replace("UNSUBSCRIBE_TOKEN", token)
        again = send_digest(store, settings, digest_id)
        assert again["reader@example.org"]["status"] == "skipped"
        assert len(server.handler.messages) == 1


def test_to_override_and_several_recipients(tmp_path):
    with SMTPServer() as server:
        settings = make_settings(tmp_path, smtp_port=server.port, to=("a@example.org", "b@example.org"))
        store, digest_id, _ = build(tmp_path, settings)
        out = send_digest(store, settings, digest_id, to=["test@example.org"])
        assert list(out) == ["test@example.org"]
        assert [m["rcpt_tos"] for m in server.handler.messages] == [["test@example.org"]]
        out = send_digest(store, settings, digest_id)
        assert {r: o["status"] for r, o in out.items()} == {"a@example.org": "sent", "b@example.org": "sent"}
        assert [m["rcpt_tos"] for m in server.handler.messages][1:] == [["a@example.org"], ["b@example.org"]]


def test_temporary_failure_is_retried_and_sent_once(tmp_path):
    with SMTPServer(Recorder(data_replies=["451 4.3.0 try again later"])) as server:
        settings = make_settings(tmp_path, smtp_port=server.port)
        store, digest_id, _ = build(tmp_path, settings)
        lines: list[str] = []
        out = send_digest(store, settings, digest_id, progress=lines.append)
        assert out["reader@example.org"]["status"] == "sent"
        assert server.handler.data_calls == 2 and len(server.handler.messages) == 1
        assert any("451" in line and "retrying" in line for line in lines)


def test_permanent_failure_is_not_retried(tmp_path):
    with SMTPServer(Recorder(data_replies=["554 5.7.1 message rejected"] * 5)) as server:
        settings = make_settings(tmp_path, smtp_port=server.port)
        store, digest_id, _ = build(tmp_path, settings)
        out = send_digest(store, settings, digest_id)
        assert out["reader@example.org"]["status"] == "failed"
        assert server.handler.data_calls == 1
        assert status(store, digest_id)["reader@example.org"] == ("failed", "554 5.7.1 message rejected")
        assert send_digest(store, settings, digest_id)["reader@example.org"]["status"] == "skipped"
        assert server.handler.data_calls == 1


def test_recipient_refused(tmp_path):
    with SMTPServer(Recorder(rcpt_reply="550 5.1.1 no such user")) as server:
        settings = make_settings(tmp_path, smtp_port=server.port)
        store, digest_id, _ = build(tmp_path, settings)
        out = send_digest(store, settings, digest_id)
        assert out["reader@example.org"] == {"status": "failed", "reply": "550 5.1.1 no such user"}


@pytest.mark.parametrize("reply, expected, calls", [("550 5.7.1 sender not allowed", "failed", 1),
                                                    ("451 4.7.1 greylisted", "queued", 2)])
def test_sender_refused(tmp_path, reply, expected, calls):
    handler = Recorder(mail_reply=reply)
    with SMTPServer(handler) as server:
        settings = make_settings(tmp_path, smtp_port=server.port, send_retries=2)
        store, digest_id, _ = build(tmp_path, settings)
        out = send_digest(store, settings, digest_id)
        assert out["reader@example.org"]["status"] == expected and reply in out["reader@example.org"]["reply"]
        assert handler.data_calls == 0


def test_left_in_data_by_a_crash_is_not_resent(tmp_path):
    with SMTPServer() as server:
        settings = make_settings(tmp_path, smtp_port=server.port)
        store, digest_id, _ = build(tmp_path, settings)
        store.queue_deliveries(digest_id, ["reader@example.org"])
        assert store.claim_delivery(digest_id, "reader@example.org")
        store.delivery_in_data(digest_id, "reader@example.org")  # then the process died mid-DATA
        out = send_digest(store, settings, digest_id)
        assert out["reader@example.org"]["status"] == "skipped" and "requeue" in out["reader@example.org"]["reply"]
        assert server.handler.data_calls == 0


def test_claim_of_a_dead_process_before_data_is_taken_over(tmp_path):
    import socket

    import sqlalchemy as sa

    from digest.store import deliveries

    with SMTPServer() as server:
        settings = make_settings(tmp_path, smtp_port=server.port)
        store, digest_id, _ = build(tmp_path, settings)
        store.queue_deliveries(digest_id, ["reader@example.org"])
        assert store.claim_delivery(digest_id, "reader@example.org")
        assert not store.claim_delivery(digest_id, "reader@example.org")  # a live claim is respected
        with store.engine.begin() as conn:  # the claimer died before DATA (pid 2**22+1 cannot exist)
            conn.execute(sa.update(deliveries).values(claimed_by=f"{socket.gethostname()}:{2**22 + 1}"))
        out = send_digest(store, settings, digest_id)
        assert out["reader@example.org"]["status"] == "sent"
        assert server.handler.data_calls == 1


def test_temporary_failure_stays_queued_when_retries_run_out(tmp_path):
    with SMTPServer(Recorder(data_replies=["452 4.3.1 mailbox full"] * 10)) as server:
        settings = make_settings(tmp_path, smtp_port=server.port, send_retries=3)
        store, digest_id, _ = build(tmp_path, settings)
        out = send_digest(store, settings, digest_id)
        assert out["reader@example.org"]["status"] == "queued"
        assert server.handler.data_calls == 3
        state, reply = status(store, digest_id)["reader@example.org"]
        assert state == "queued" and "452 4.3.1 mailbox full" in reply and "3 attempts" in reply


def test_connection_refused_stays_queued(tmp_path):
    settings = make_settings(tmp_path, smtp_port=free_port(), send_retries=2)
    store, digest_id, _ = build(tmp_path, settings)
    out = send_digest(store, settings, digest_id)
    assert out["reader@example.org"]["status"] == "queued"
    state, reply = status(store, digest_id)["reader@example.org"]
    assert state == "queued" and "connection refused" in reply


def _small_send_buffer(monkeypatch):
    """A slow link: the client cannot hand the whole message to the kernel at once."""
    real = socket.create_connection

    def create_connection(*args, **kwargs):
        sock = real(*args, **kwargs)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        return sock

    monkeypatch.setattr(smtplib.socket, "create_connection", create_connection)


def test_drop_mid_data_is_temporary(tmp_path, monkeypatch):
    _small_send_buffer(monkeypatch)
    with DropMidData(rcvbuf=4096) as server:
        settings = make_settings(tmp_path, smtp_port=server.port, send_retries=2)
        store, digest_id, paths = build(tmp_path, settings, large_digest())
        assert paths["eml"].stat().st_size > 100_000
        out = send_digest(store, settings, digest_id)
        assert out["reader@example.org"]["status"] == "queued"
        assert server.connections == 2  # retried: the final "." never left the client
        assert "reader@example.org" in status(store, digest_id)
        assert "closed the connection" in status(store, digest_id)["reader@example.org"][1]


def test_drop_mid_data_unseen_by_client_is_ambiguous(tmp_path):
    """With big socket buffers the client has written the whole message (final "." included)
    before the server's close reaches it: it cannot tell, so it must not send again."""
    with DropMidData() as server:
        settings = make_settings(tmp_path, smtp_port=server.port, send_retries=3)
        store, digest_id, _ = build(tmp_path, settings)
        out = send_digest(store, settings, digest_id)
        assert out["reader@example.org"]["status"] == "failed"
        assert out["reader@example.org"]["reply"].startswith("ambiguous:")
        assert server.connections == 1


def test_drop_after_end_of_data_is_ambiguous_and_not_resent(tmp_path):
    with SMTPServer(Recorder(data_replies=["DROP"])) as server:
        settings = make_settings(tmp_path, smtp_port=server.port)
        store, digest_id, _ = build(tmp_path, settings)
        out = send_digest(store, settings, digest_id)
        assert out["reader@example.org"]["status"] == "failed"
        assert out["reader@example.org"]["reply"].startswith("ambiguous:")
        assert server.handler.data_calls == 1
        send_digest(store, settings, digest_id)
        assert server.handler.data_calls == 1  # not re-sent without the operator
        store.requeue_delivery(digest_id, "reader@example.org")
        assert send_digest(store, settings, digest_id)["reader@example.org"]["status"] == "sent"


def _auth_server():
    return SMTPServer(authenticator=login_authenticator("digest", PASSWORD), auth_required=True,
                      auth_require_tls=False, auth_exclude_mechanism=["PLAIN"])


def test_auth_login_right_password(tmp_path):
    with _auth_server() as server:
        settings = make_settings(tmp_path, smtp_port=server.port, smtp_user="digest", smtp_password=PASSWORD)
        store, digest_id, paths = build(tmp_path, settings)
        assert send_digest(store, settings, digest_id)["reader@example.org"]["status"] == "sent"
        assert len(server.handler.messages) == 1
        for p in paths.values():
            assert PASSWORD.encode() not in p.read_bytes()


def test_auth_wrong_password_fails_without_leaking(tmp_path, caplog):
    with _auth_server() as server:
        settings = make_settings(tmp_path, smtp_port=server.port, smtp_user="digest", smtp_password="wrong-pw-42",
                                 to=("a@example.org", "b@example.org"))
        store, digest_id, _ = build(tmp_path, settings)
        lines: list[str] = []
        with caplog.at_level("DEBUG"):
            out = send_digest(store, settings, digest_id, progress=lines.append)
        assert {o["status"] for o in out.values()} == {"failed"}
        assert "535" in out["a@example.org"]["reply"]
        assert not server.handler.messages
        blob = repr(out) + repr(store.deliveries(digest_id)) + "\n".join(lines) + caplog.text
        assert "wrong-pw-42" not in blob


def test_dry_run_connects_to_nothing(tmp_path):
    settings = make_settings(tmp_path, smtp_port=free_port())
    store, digest_id, paths = build(tmp_path, settings)
    lines: list[str] = []
    out = send_digest(store, settings, digest_id, dry_run=True, progress=lines.append)
    assert out["reader@example.org"]["status"] == "dry-run"
    assert str(paths["eml"]) in lines[0]
    assert store.deliveries(digest_id) == []


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make a test certificate")
@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_with_self_signed_certificate(tmp_path, monkeypatch, security):
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    tls = dict(tls_context=context, require_starttls=True) if security == "starttls" else dict(ssl_context=context)
    with SMTPServer(**tls) as server:
        settings = make_settings(tmp_path, smtp_port=server.port, smtp_security=security, send_retries=1)
        store, digest_id, _ = build(tmp_path, settings)
        out = send_digest(store, settings, digest_id)  # the client does not trust the certificate
        assert out["reader@example.org"]["status"] == "queued"
        assert "TLS" in out["reader@example.org"]["reply"] and not server.handler.messages
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # now it does
        assert send_digest(store, settings, digest_id)["reader@example.org"]["status"] == "sent"
        assert len(server.handler.messages) == 1


def test_stamp_date_replaces_only_the_date_header():
    from digest.deliver import stamp_date

    data = b"From: a@example.org\r\nDate: Wed, 26 Mar 2025 23:00:00 +0000\r\nSubject: x\r\n\r\nDate: body line\r\n"
    when = dt.datetime(2025, 3, 27, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    out = stamp_date(data, when)
    assert out == (b"From: a@example.org\r\nDate: Thu, 27 Mar 2025 07:00:00 +0800\r\nSubject: x\r\n\r\n"
                   b"Date: body line\r\n")
    assert stamp_date(b"Subject: x\r\n\r\nbody", when).startswith(b"Date: Thu, 27 Mar 2025 07:00:00 +0800\r\nSubject")


def test_outbox_race_lost_keeps_the_files_another_writer_relies_on(tmp_path, monkeypatch):
    """Issue 17 item 8: the loser of a race for an outbox name deleted the .html/.txt it had
    published, which the winner (same bytes, so it reused them) relied on."""
    real = outbox._publish

    def racing(tmp, final):
        if final.name == "d.eml" and not final.exists():
            final.write_bytes(b"the other writer's message")  # the other process takes the name first
        return real(tmp, final)

    monkeypatch.setattr(outbox, "_publish", racing)
    paths = outbox.write_set(tmp_path, "d", {"html": b"<p>same</p>", "txt": b"same", "eml": b"mine"})
    assert paths["eml"].name == "d-2.eml" and paths["eml"].read_bytes() == b"mine"
    assert (tmp_path / "d.html").read_bytes() == b"<p>same</p>"  # the other writer's set is whole
    assert (tmp_path / "d.txt").read_bytes() == b"same"
    assert (tmp_path / "d.eml").read_bytes() == b"the other writer's message"

"""One message per subscriber over one SMTP connection, each with its own signed unsubscribe link,
against a real aiosmtpd server on 127.0.0.1 (SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import time

import pytest

from digest import deliver
from digest import subscribers as subs
from digest.deliver import build_message, message_bytes, send_digest
from digest.render import render_digest
from digest.store import Store
from digest.tokens import Tokens, subscriber_for
from tests.fixtures_digest import Recorder, SMTPServer, make_settings, sample_digest

PUB = "聊城日报"
WEB = "https://news.example.org"


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    monkeypatch.setattr(deliver, "RETRY_WAIT", (0.01, 0.05))


class PeerRecorder(Recorder):
    """Records each message with the TCP peer of its session: one peer = one connection reused."""

    on_data = None

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if self.messages and "peer" not in self.messages[-1]:
            self.messages[-1]["peer"] = session.peer
        if self.on_data:
            self.on_data(len(self.messages))
        return reply


def newsletter(tmp_path, db_url, port, day=dt.date(2025, 3, 26), **more):
    settings = make_settings(tmp_path, smtp_port=port, to=(), **{"web_url": WEB, **more})
    store = Store(db_url)
    digest = sample_digest(start=day, end=day)
    rendered = render_digest(digest, settings)
    msg = build_message(rendered, settings, message_id=f"<digest-{day}@example.org>")
    digest_id = store.save_digest(publication=PUB, start_date=day, end_date=day, subject=rendered.subject,
                                  message_id=msg["Message-ID"], eml=message_bytes(msg), content_hash=str(day),
                                  article_count=digest.article_count)
    return settings, store, digest_id


def parse(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


def text_of(msg, kind: str) -> str:
    return msg.get_body((kind,)).get_content()


def test_one_message_per_subscriber_over_one_connection(tmp_path, db_url):
    with SMTPServer(PeerRecorder()) as server:
        settings, store, digest_id = newsletter(tmp_path, db_url, server.port)
        subs.add(store, PUB, "a@example.org", name="张三")
        subs.add(store, PUB, "b@example.org")
        subs.add(store, PUB, "c@example.org")
        out = send_digest(store, settings, digest_id)
        assert {r: o["status"] for r, o in out.items()} == {f"{x}@example.org": "sent" for x in "abc"}
        got = server.handler.messages
        assert [m["rcpt_tos"] for m in got] == [["a@example.org"], ["b@example.org"], ["c@example.org"]]
        assert len({m["peer"] for m in got}) == 1  # one SMTP connection for all three
        tokens = Tokens.for_store(store, settings)
        seen = set()
        for m in got:
            msg, rcpt = parse(m["data"]), m["rcpt_tos"][0]
            assert msg["To"].addresses[0].addr_spec == rcpt  # their own To:, never the list
            header = msg["List-Unsubscribe"]
            token = re.fullmatch(rf"<{WEB}/unsubscribe/([\w.-]+)>, <mailto:unsubscribe@example\.org>", header).group(1)
            assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            assert subscriber_for(store, *tokens.read_unsubscribe(token)).email == rcpt  # the right reader's token
            assert rcpt not in header and rcpt.split("@")[0] + "@" not in token
            html, text = text_of(msg, "html"), text_of(msg, "plain")
            assert f'href="{WEB}/unsubscribe/{token}"' in html and "点此退订" in html  # the visible 退订 link
            assert f"退订：{WEB}/unsubscribe/{token}" in text
            assert "UNSUBSCRIBE_TOKEN" not in html + text
            seen.add(token)
        assert len(seen) == 3
        assert parse(got[0]["data"])["To"].addresses[0].display_name == "张三"


def test_a_reader_who_leaves_never_gets_the_next_digest_even_if_queued(tmp_path, db_url):
    with SMTPServer(PeerRecorder()) as server:
        settings, store, first = newsletter(tmp_path, db_url, server.port)
        for x in "abcd":
            subs.add(store, PUB, f"{x}@example.org")
        send_digest(store, settings, first)
        assert len(server.handler.messages) == 4
        # the next digest is queued for everyone, then b leaves (e.g. clicks 退订 in the first one)
        _, _, second = newsletter(tmp_path, db_url, server.port, day=dt.date(2025, 3, 27))
        store.queue_deliveries(second, [f"{x}@example.org" for x in "abcd"])
        subs.set_status(store, subs.get(store, PUB, "b@example.org"), "unsubscribed", "one-click")
        assert {d["recipient"]: d["status"] for d in store.deliveries(second)}["b@example.org"] == "cancelled"
        # and d leaves while the digest is going out (after the first message was accepted)
        server.handler.on_data = lambda n: n == 5 and subs.set_status(store, subs.get(store, PUB, "d@example.org"),
                                                                      "unsubscribed", "one-click")
        out = send_digest(store, settings, second)
        assert [m["rcpt_tos"][0] for m in server.handler.messages[4:]] == ["a@example.org", "c@example.org"]
        assert "b@example.org" not in out  # left before the send began: not even listed
        assert out["d@example.org"]["status"] == "skipped"
        states = {d["recipient"]: d["status"] for d in store.deliveries(second)}
        assert states == {"a@example.org": "sent", "b@example.org": "cancelled", "c@example.org": "sent",
                          "d@example.org": "cancelled"}
        assert not [d for d in store.pending_deliveries() if d["status"] == "cancelled"]  # not "owed"
        # a bounced reader is left out the same way
        subs.set_status(store, subs.get(store, PUB, "c@example.org"), "bounced", "cli")
        _, _, third = newsletter(tmp_path, db_url, server.port, day=dt.date(2025, 3, 28))
        assert list(send_digest(store, settings, third)) == ["a@example.org"]


def test_default_list_readers_get_their_own_links_and_a_test_send_carries_none(tmp_path, db_url):
    with SMTPServer(PeerRecorder()) as server:
        settings, store, digest_id = newsletter(tmp_path, db_url, server.port)
        settings = make_settings(tmp_path, smtp_port=server.port, to=("reader@example.org",), web_url=WEB)
        send_digest(store, settings, digest_id, to=["editor@example.org"])  # a test send to a non-subscriber
        msg = parse(server.handler.messages[0]["data"])
        assert msg["To"] == "editor@example.org" and "List-Unsubscribe-Post" not in msg
        assert f'href="{WEB}/unsubscribe/"' in text_of(msg, "html")  # the page that says how to leave
        assert subs.get(store, PUB, "editor@example.org") is None  # a test send subscribes nobody
        send_digest(store, settings, digest_id)
        msg = parse(server.handler.messages[1]["data"])
        assert msg["To"] == "reader@example.org" and f"{WEB}/unsubscribe/" in msg["List-Unsubscribe"]
        assert subs.get(store, PUB, "reader@example.org").source == "DIGEST_TO"


def test_send_rate_spaces_the_messages(tmp_path, db_url):
    with SMTPServer(PeerRecorder()) as server:
        settings, store, digest_id = newsletter(tmp_path, db_url, server.port, send_rate=10.0)
        for x in "abcd":
            subs.add(store, PUB, f"{x}@example.org")
        t0 = time.monotonic()
        send_digest(store, settings, digest_id)
        assert time.monotonic() - t0 >= 0.3  # 4 messages at 10 a second: 3 gaps of 0.1 s
        assert len(server.handler.messages) == 4

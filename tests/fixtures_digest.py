"""Shared test data for the rendering and delivery tests: fixed digests built straight from the
model (no pipeline), settings, and real aiosmtpd servers on 127.0.0.1.

Import from a test module: ``from tests.fixtures_digest import sample_digest, SMTPServer, ...``
(tests/ is a package; tests/conftest.py belongs to the lead).
"""
from __future__ import annotations

import datetime as dt
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from digest.config import Settings
from digest.models import Article, Digest, DigestItem, Section, StoredArticle, Summary, Trend

GENERATED = dt.datetime(2025, 3, 26, 23, 0, tzinfo=dt.timezone.utc)  # 07:00 in Asia/Shanghai
DAY = dt.date(2025, 3, 26)
BASE_URL = "https://digest.example.org"


def make_item(aid: int, title: str | None, body: str, *, sentences: tuple[str, ...] = (),
              keywords: tuple[str, ...] = (), byline: str | None = None, page: int = 1,
              kind: str = "news", date: dt.date = DAY, repeats: tuple[str, ...] = (),
              url: str | None = "auto", publication: str = "聊城日报", main_title: str | None = None) -> DigestItem:
    article = Article(title=title, byline=byline, kind=kind, paragraphs=tuple(body.split("\n")),
                      position=aid % 7, page=page, source=f"{date.isoformat()}/{page:02d}.txt", main_title=main_title)
    stored = StoredArticle(id=aid, issue_id=1, publication=publication, issue_date=date, article=article,
                           summary=Summary(sentences=sentences, keywords=keywords))
    link = f"{BASE_URL}/article/{aid}" if url == "auto" else url
    return DigestItem(stored=stored, score=1.0 / aid, repeats=repeats, url=link)


def sample_digest(**overrides: Any) -> Digest:
    """A small, fixed daily digest: 3 front-page stories (the first with 引题, 主题 and 副题), 2 sections."""
    front = (
        make_item(101, "千年古城焕新颜 | 水城老街改造完工 | ——东关街区“修旧如旧”见闻", "东关老街改造工程全面完工。",
                  main_title="水城老街改造完工",
                  sentences=("6月17日，历时八个月的东关老街改造工程全面完工，沿街四十余家老字号重新开门迎客。",
                             "改造工程坚持“修旧如旧”，保留了青石板路面和明清院落格局，同时更新了地下管网、消防设施和照明系统。"),
                  keywords=("老街", "改造", "非遗工坊"), byline="李明远 王小禾",
                  repeats=("2025-03-26 第2版",)),
        make_item(102, "全市春耕生产有序推进", "各地抢抓农时。",
                  sentences=("眼下正值春耕关键期，全市各地抢抓农时，组织农机具下田作业，确保小麦稳产增产。",),
                  keywords=("春耕", "小麦", "农机"), byline="赵晓峰", kind="news"),
        make_item(103, "让“书香聊城”成为城市名片", "评论员文章。",
                  sentences=("阅读是一座城市的底气，也是市民生活品质的标尺。",),
                  keywords=("阅读", "书香聊城"), kind="commentary", url=None),
    )
    sections = (
        Section("2025-03-26 · 第2版", (
            make_item(201, "东昌府区新建口袋公园12处", "居民出门即可见绿。",
                      sentences=("今年以来，东昌府区利用边角地新建口袋公园12处，居民出门即可见绿。",), page=2),
            make_item(202, None, "本报讯 聊城市图书馆将于4月1日起延长开放时间，工作日开放至晚上九点。", page=2),
        )),
        Section("2025-03-26 · 第3版", (
            make_item(301, "运河号子响起来 | 临清运河文化节开幕", "文化节持续三天。",
                      sentences=("第五届临清运河文化节昨日开幕，来自全国的两百余家非遗传承人参展，活动持续三天。",),
                      page=3),
        )),
    )
    values: dict[str, Any] = dict(
        publication="聊城日报", start=DAY, end=DAY, front_page=front, sections=sections,
        generated_at=GENERATED,
        archive_url=f"{BASE_URL}/digest/2025-03-26",
    )
    values.update(overrides)
    return Digest(**values)


WEEK_START = DAY - dt.timedelta(days=6)


def week_digest(**overrides: Any) -> Digest:
    """sample_digest's stories as a seven-day digest (2025-03-20..26) with rising keywords."""
    values: dict[str, Any] = dict(
        start=WEEK_START, trend_since=DAY - dt.timedelta(days=1),
        trending=(Trend("春耕", 6, 20, 1, 40, 12.5), Trend("运河", 3, 20, 0, 40, 8.1), Trend("老街", 2, 20, 1, 40, 2.2)),
        archive_url=f"{BASE_URL}/digest?from=2025-03-20&to=2025-03-26")
    values.update(overrides)
    return sample_digest(**values)


def large_digest(sections: int = 30, per_section: int = 25) -> Digest:
    """A digest far over Gmail's clipping size, to exercise the size guard."""
    secs = []
    for s in range(sections):
        items = tuple(
            make_item(1000 + s * 100 + i, f"第{s + 1}版第{i + 1}条：市区道路改造工程进展顺利，多条主干道恢复通行",
                      "正文。", sentences=("据了解，本次改造涉及道路十二条，总长约三十公里，计划年底前全部完工，"
                                         "届时城区交通将更加顺畅，市民出行更加便利。",), page=s % 8 + 1)
            for i in range(per_section))
        secs.append(Section(f"2025-03-26 · 第{s + 1}版", items))
    return sample_digest(sections=tuple(secs))


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(home=tmp_path, publication="聊城日报", from_addr="digest@example.org",
                                  to=("reader@example.org",), smtp_host="127.0.0.1", smtp_security="none",
                                  smtp_timeout=5.0, send_retries=3, list_id="liaocheng.digest.example.org",
                                  unsubscribe=f"mailto:unsubscribe@example.org,{BASE_URL}/unsubscribe",
                                  base_url=BASE_URL)
    values.update(overrides)
    return Settings(**values)


# -- SMTP servers -----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Recorder:
    """An aiosmtpd handler that records messages and answers DATA from a script.

    `data_replies`: replies to give, in order, before accepting ("451 ..." / "554 ..." / "DROP",
    which closes the connection after the final '.'). `rcpt_reply`: refuse every RCPT with it.
    """

    data_replies: list[str] = field(default_factory=list)
    rcpt_reply: str | None = None
    mail_reply: str | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    data_calls: int = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_calls += 1
        if self.data_replies:
            reply = self.data_replies.pop(0)
            if reply == "DROP":
                server.transport.abort()
                return "250 never seen"
            return reply
        self.messages.append(dict(mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos),
                                  data=envelope.original_content))
        return "250 2.0.0 OK queued as 42"


class SMTPServer:
    """An aiosmtpd Controller on a free port of 127.0.0.1 (start/stop, or use as a context manager)."""

    def __init__(self, handler: Recorder | None = None, **controller_kwargs: Any):
        from aiosmtpd.controller import Controller

        self.handler = handler or Recorder()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **controller_kwargs)

    def __enter__(self) -> "SMTPServer":
        self.controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.controller.stop()


def login_authenticator(user: str, password: str) -> Callable:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        return AuthResult(success=ok, handled=False)

    return authenticate


class DropMidData:
    """A scripted server that accepts the envelope, answers DATA with 354, reads a few bytes of the
    message and then closes the connection before the final '.' (a real mid-DATA drop)."""

    def __init__(self, rcvbuf: int = 0) -> None:
        self.port = free_port()
        self.connections = 0
        self._sock = socket.socket()
        if rcvbuf:  # set before listen(): accepted sockets inherit it
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self._sock.bind(("127.0.0.1", self.port))
        self._sock.listen()
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(5)
                f = conn.makefile("rb")
                conn.sendall(b"220 drop.test ESMTP\r\n")
                for line in f:
                    cmd = line[:4].upper()
                    if cmd in (b"EHLO", b"HELO"):
                        conn.sendall(b"250 drop.test\r\n")
                    elif cmd == b"DATA":
                        conn.sendall(b"354 go ahead\r\n")
                        f.read(200)
                        break
                    elif cmd == b"QUIT":
                        conn.sendall(b"221 bye\r\n")
                        break
                    else:
                        conn.sendall(b"250 OK\r\n")
                conn.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> "DropMidData":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()



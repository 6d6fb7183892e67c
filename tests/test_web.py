"""`digest web`: the public app served for real by waitress on 127.0.0.1, unsubscribe links POSTed
as a mailbox provider sends them (RFC 8058), the double opt-in, security headers, and that nothing
of the preview is exposed. The unsubscribe tests run on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from digest import deliver, pipeline
from digest import subscribers as subs
from digest.config import load_settings
from digest.deliver import send_digest
from digest.store import Store
from digest.web import create_app
from tests.conftest import SAMPLE
from tests.fixtures_digest import Recorder, SMTPServer
from tests.test_newsletter_send import newsletter

PUB = "聊城日报"


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    monkeypatch.setattr(deliver, "RETRY_WAIT", (0.01, 0.05))


class Waitress:
    """The app served by waitress (as `digest web` does) on a free loopback port, in a thread.
    bind() first (the port goes into DIGEST_WEB_URL), then start(app)."""

    def __init__(self):
        self.server = None
        self.app = None

    def bind(self) -> str:
        from waitress import create_server

        self.server = create_server(lambda env, start: self.app(env, start), host="127.0.0.1", port=0, threads=4)
        return f"http://127.0.0.1:{self.server.effective_port}"

    def start(self, app) -> None:
        self.app = app

        def run():
            try:
                self.server.run()
            except OSError:  # closed under its select() by close(): waitress has no other way to stop
                pass

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def close(self) -> None:
        if self.server is not None:
            self.server.close()


def http(method: str, url: str, data: bytes | None = None, headers: dict | None = None):
    """(status, headers, body text) of one request without cookies, as a mail provider's fetcher makes it."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers, resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode("utf-8")


def unsubscribe_url(message: bytes) -> str:
    msg = email.message_from_bytes(message, policy=email.policy.default)
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return re.match(r"<(https?://[^>]+)>", msg["List-Unsubscribe"]).group(1)


@pytest.fixture
def served():
    w = Waitress()
    yield w
    w.close()


def test_one_click_post_unsubscribes_and_the_next_send_skips_the_reader(tmp_path, db_url, served):
    base = served.bind()
    with SMTPServer(Recorder()) as smtp:
        settings, store, first = newsletter(tmp_path, db_url, smtp.port, web_url=base)
        for x in "abc":
            subs.add(store, PUB, f"{x}@example.org")
        served.start(create_app(settings, store))
        send_digest(store, settings, first)
        urls = {m["rcpt_tos"][0]: unsubscribe_url(m["data"]) for m in smtp.handler.messages}
        assert all(u.startswith(f"{base}/unsubscribe/") for u in urls.values())
        # GET (a link scanner, or the reader clicking) only shows the confirm page
        status, _, page = http("GET", urls["b@example.org"])
        assert status == 200 and "确定退订" in page and 'method="post"' in page and "b•••@example.org" in page
        assert subs.get(store, PUB, "b@example.org").status == "active"
        # RFC 8058: a POST with List-Unsubscribe=One-Click, no cookie, no CSRF token, urlencoded ...
        status, headers, page = http("POST", urls["b@example.org"], b"List-Unsubscribe=One-Click",
                                     {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200 and "您已退订" in page
        assert headers["Cache-Control"] == "no-store" and headers["Referrer-Policy"] == "no-referrer"
        # ... or multipart/form-data, as some providers send it
        boundary = "----digest"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n"
                f"--{boundary}--\r\n").encode()
        status, _, _ = http("POST", urls["c@example.org"], body,
                            {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        assert status == 200
        for x in "bc":
            sub = subs.get(store, PUB, f"{x}@example.org")
            assert sub.status == "unsubscribed" and sub.source == "one-click"
        assert http("POST", urls["b@example.org"], b"List-Unsubscribe=One-Click")[0] == 200  # twice: still fine
        _, _, second = newsletter(tmp_path, db_url, smtp.port, day=dt.date(2025, 3, 27), web_url=base)
        out = send_digest(store, settings, second)
        assert list(out) == ["a@example.org"]
        assert [m["rcpt_tos"] for m in smtp.handler.messages[3:]] == [["a@example.org"]]


def test_a_forged_or_altered_token_is_refused(tmp_path, db_url, served):
    base = served.bind()
    with SMTPServer(Recorder()) as smtp:
        settings, store, first = newsletter(tmp_path, db_url, smtp.port, web_url=base)
        subs.add(store, PUB, "a@example.org")
        subs.add(store, PUB, "b@example.org")
        served.start(create_app(settings, store))
        send_digest(store, settings, first)
        url = unsubscribe_url(smtp.handler.messages[0]["data"])
        token = url.rsplit("/", 1)[1]
        payload, signature = token.rsplit(".", 1)
        other = unsubscribe_url(smtp.handler.messages[1]["data"]).rsplit("/", 1)[1]
        for bad in (payload + "." + signature[::-1],  # signature altered
                    other.rsplit(".", 1)[0] + "." + signature,  # b's payload under a's signature
                    "WzIsImFiYyJd.forgedforgedforgedforged",  # made up
                    token + "x"):
            for method in ("GET", "POST"):
                status, _, page = http(method, f"{base}/unsubscribe/{bad}", b"List-Unsubscribe=One-Click"
                                       if method == "POST" else None)
                assert status == 400 and "链接无效" in page
        assert [s.status for s in subs.list_subscribers(store, PUB)] == ["active", "active"]


@pytest.fixture(scope="module")
def sample_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    settings = load_settings({"home": str(home), "base_url": "https://news.example.org"}, env={})
    store = pipeline.open_store(settings)
    assert pipeline.ingest(store, settings, [SAMPLE], jobs=1).ingested
    pipeline.build(store, settings, dt.date(2025, 6, 18), dt.date(2025, 6, 18))
    return settings, store


def test_archive_pages_in_chinese_with_security_headers(sample_home):
    settings, store = sample_home
    c = create_app(settings, store).test_client()
    index = c.get("/")
    assert index.status_code == 200 and "摘要存档" in index.text and 'href="/digest/2025-06-18/"' in index.text
    h = index.headers
    assert "script-src" not in h["Content-Security-Policy"] and "default-src 'none'" in h["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in h["Content-Security-Policy"] and h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "DENY" and h["Referrer-Policy"] == "no-referrer"
    digest = c.get("/digest/2025-06-18/")
    assert digest.status_code == 200 and "头版要闻" in digest.text
    aid = re.search(r'href="/article/(\d+)/"', digest.text).group(1)
    article = c.get(f"/article/{aid}/")
    assert article.status_code == 200 and "收录于" in article.text
    assert c.get(f"/article/{aid}").status_code == 200  # the e-mail's 阅读全文 link (no slash)
    assert c.get("/digest?from=2025-06-18&to=2025-06-18").headers["Location"].endswith("/digest/2025-06-18/")
    assert c.get("/year/2025/").status_code == 200 and c.get("/year/1999/").status_code == 404
    assert c.get("/feed.xml").headers["Content-Type"].startswith("application/atom+xml")
    assert "https://news.example.org/article/" in c.get("/sitemap.xml").text
    assert c.get("/healthz").text == "ok\n"
    for path in ("/digest/2025-06-19/", "/article/999999/", "/article/99999999999999999999999/", "/digest/x/"):
        assert c.get(path).status_code == 404, path


def test_nothing_of_the_preview_is_exposed(sample_home):
    settings, store = sample_home
    c = create_app(settings, store).test_client()
    issue = store.list_issues()[0]["id"]
    for path in ("/digest/email.html?from=2025-06-18&to=2025-06-18", f"/issue/{issue}", "/outbox/x.eml",
                 f"/issue/{issue}/page/1/source", "/digest/send-test", "/subscribe", "/static/../digest.db"):
        assert c.get(path, follow_redirects=True).status_code == 404, path
    assert c.post("/digest/send-test", data={"to": "x@example.org"}).status_code in (400, 404, 405)
    assert c.post("/").status_code in (400, 405)


def test_subscribe_with_double_opt_in(tmp_path, db_url):
    with SMTPServer(Recorder()) as smtp:
        settings, store, _ = newsletter(tmp_path, db_url, smtp.port, web_url="https://news.example.org",
                                        web_subscribe=True)
        c = create_app(settings, store).test_client()
        form = c.get("/subscribe")
        assert form.status_code == 200 and "订阅" in form.text and form.headers["Cache-Control"] == "no-store"
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        assert c.post("/subscribe", data={"email": "new@example.org"}).status_code == 400  # no CSRF token
        assert subs.get(store, PUB, "new@example.org") is None
        bad = c.post("/subscribe", data={"email": "a@b", "csrf_token": csrf})
        assert bad.status_code == 400 and "无法接收邮件" in bad.text
        c.post("/subscribe", data={"email": "bot@example.org", "website": "http://spam", "csrf_token": csrf})
        assert subs.get(store, PUB, "bot@example.org") is None and not smtp.handler.messages  # the honeypot
        done = c.post("/subscribe", data={"email": "New@Example.org", "csrf_token": csrf})
        assert done.status_code == 200 and "请查收邮件" in done.text
        assert subs.get(store, PUB, "new@example.org").status == "pending"
        c.post("/subscribe", data={"email": "new@example.org", "csrf_token": csrf})  # again at once: no 2nd mail
        [mail] = smtp.handler.messages
        assert mail["rcpt_tos"] == ["New@example.org"]
        text = email.message_from_bytes(mail["data"], policy=email.policy.default).get_content()
        link = re.search(r"https://news\.example\.org(/subscribe/confirm/\S+)", text).group(1)
        page = c.get(link)
        assert page.status_code == 200 and "确认订阅" in page.text
        assert subs.get(store, PUB, "new@example.org").status == "pending"  # a GET confirms nothing
        csrf2 = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        ok = c.post(link, data={"csrf_token": csrf2})
        assert ok.status_code == 200 and "订阅成功" in ok.text
        sub = subs.get(store, PUB, "new@example.org")
        assert sub.status == "active" and subs.events(store, sub.id)[-1]["detail"] == "confirmed (double opt-in)"
        assert c.post(link.replace("confirm/", "confirm/x"), data={"csrf_token": csrf2}).status_code == 400

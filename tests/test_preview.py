"""`digest preview` with Flask's test client: pages, escaping, dates, outbox files, send-test, speed.

Stores live under tmp_path homes (never the repo's data/). The sample issue goes through the real
pipeline.ingest; hostile and year-long archives are written with Store.save_issue directly.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import random
import re
import socket
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from digest import pipeline
from digest.config import load_settings
from digest.models import Article, Issue, Page, Summary
from digest.preview import EMAIL_CSP, create_app
from tests.conftest import SAMPLE

DAY = dt.date(2025, 6, 18)
RANGE = "from=2025-06-18&to=2025-06-18"
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>{{ 7*7 }}"


def make_settings(home: Path, **more):
    return load_settings({"home": str(home), **more}, env={})


def ingest_sample(home: Path):
    settings = make_settings(home)
    store = pipeline.open_store(settings)
    report = pipeline.ingest(store, settings, [SAMPLE], jobs=1)
    assert report.ingested and not report.failures, report.failures
    return settings, store


def add_issue(store, day: dt.date, articles: list[dict], page_text: str = "", publication: str = "聊城日报",
              source: str = "01.txt") -> int:
    """One single-page issue written straight to the store (no segmenter, no summariser)."""
    text = page_text or "\n\n".join(f"{a['title']}\n{a['body']}" for a in articles)
    page = Page(source=f"{day.isoformat()}/{source}", number=1, text=text, sha256=hashlib.sha256(text.encode()).hexdigest())
    issue = Issue(publication, day, "option", (page,), hashlib.sha256(f"{day}{text}".encode()).hexdigest())
    items = []
    for n, a in enumerate(articles):
        art = Article(title=a["title"], byline=a.get("byline"), kind=a.get("kind", "news"),
                      paragraphs=tuple(a["body"].split("\n")), position=n, page=1, source=page.source,
                      dateline=a.get("dateline"))
        summ = Summary(tuple(a.get("sentences", ())), tuple(a.get("keywords", ())))
        items.append((art, summ, hashlib.sha256(f"{day}{n}{a['body']}".encode()).hexdigest()))
    return store.save_issue(issue, items)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    settings, store = ingest_sample(tmp_path_factory.mktemp("home"))
    return settings, store, create_app(settings, store)


@pytest.fixture
def client(sample):
    return sample[2].test_client()


def body(resp) -> str:
    return resp.get_data(as_text=True)


# -- pages on the ingested sample ------------------------------------------------------------------------------
def test_index_lists_issues_digests_and_a_prefilled_range_form(client, sample):
    settings, store, _ = sample
    resp = client.get("/")
    assert resp.status_code == 200
    page = body(resp)
    issue = store.list_issues()[0]
    assert "聊城日报" in page and "2025-06-18" in page
    assert f'<td class="num" data-label="文章数">{issue["articles"]}</td>' in page
    assert issue["date_rule"] in page
    assert 'name="from" id="from" value="2025-06-18"' in page and 'name="to" id="to" value="2025-06-18"' in page
    assert f'/issue/{issue["id"]}/page/2/source' in page
    assert "<script" not in page
    assert "script-src" not in resp.headers["Content-Security-Policy"]  # default-src 'none': no script at all


def test_digest_page_frames_the_email_and_switches_to_text(client, sample):
    settings, store, _ = sample
    page = body(client.get(f"/digest?{RANGE}"))
    assert '<iframe id="email-frame"' in page
    assert f'src="/digest/email.html?{html.escape(RANGE)}"' in page
    digest = pipeline.make_digest(store, settings, DAY, DAY)
    for item in digest.front_page:
        assert html.escape(item.article.display_title) in page  # the front-page list beside the frame
    mail = client.get(f"/digest/email.html?{RANGE}")
    assert mail.status_code == 200 and mail.mimetype == "text/html"
    assert mail.headers["Content-Security-Policy"] == EMAIL_CSP
    assert body(mail).startswith("<!DOCTYPE html>") and 'style="' in body(mail)  # the inlined e-mail
    from digest.render import render_digest

    expected = render_digest(digest, settings)
    stamp = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")  # generation time may differ by a minute
    assert stamp.sub("T", body(mail)) == stamp.sub("T", expected.html)
    text = client.get(f"/digest/email.txt?{RANGE}")
    assert text.mimetype == "text/plain" and "charset=utf-8" in text.headers["Content-Type"]
    assert stamp.sub("T", body(text)) == stamp.sub("T", expected.text)
    tab = body(client.get(f"/digest?{RANGE}&view=text"))
    assert '<pre class="plain" id="plain-text">' in tab and "<iframe" not in tab
    assert html.escape(digest.front_page[0].article.display_title) in tab


def test_digest_without_dates_redirects_to_the_latest_issue(client):
    resp = client.get("/digest")
    assert resp.status_code == 302 and "from=2025-06-18&to=2025-06-18" in resp.headers["Location"]
    only_from = client.get("/digest?from=2025-06-18")
    assert only_from.status_code == 302 and "to=2025-06-18" in only_from.headers["Location"]


@pytest.mark.parametrize("query, words", [
    ("from=2025-13-01&to=2025-06-18", "不是日期"),
    ("from=yesterday&to=2025-06-18", "不是日期"),
    ("from=2025-06-18&to=18.06.2025", "不是日期"),
    ("from=2025-06-19&to=2025-06-18", "晚于"),
    ("from=2025-6-1&to=2025-06-18", "YYYY-MM-DD"),
])
def test_bad_dates_are_400_with_a_helpful_message(client, query, words):
    for path in ("/digest", "/digest/email.html", "/digest/email.txt"):
        resp = client.get(f"{path}?{query}")
        assert resp.status_code == 400, path
        assert words in body(resp) and "Traceback" not in body(resp)


def test_a_range_without_articles_shows_the_empty_digest(client):
    resp = client.get("/digest?from=2020-01-01&to=2020-01-02")
    assert resp.status_code == 200 and "之间没有《聊城日报》的文章" in body(resp)


def test_article_page_marks_the_summary_and_links_neighbours(client, sample):
    settings, store, _ = sample
    arts = store.issue_articles(store.list_issues()[0]["id"])
    with_summary = [s for s in arts if s.summary.sentences]
    assert with_summary, "the sample should give summaries"
    s = with_summary[0]
    at = [a.id for a in arts].index(s.id)
    page = body(client.get(f"/article/{s.id}"))
    marks = re.findall(r"<mark>(.*?)</mark>", page, re.S)
    assert marks and all(html.unescape(m) in s.article.body for m in marks)
    assert any(sent in html.unescape(" ".join(marks)) for sent in s.summary.sentences)
    for kw in s.summary.keywords:
        assert html.escape(kw) in page
    assert f'/issue/{s.issue_id}/page/{s.article.page}/source' in page
    if at + 1 < len(arts):
        assert f'rel="next" href="/article/{arts[at + 1].id}"' in page
    if at > 0:
        assert f'rel="prev" href="/article/{arts[at - 1].id}"' in page
    first, last = body(client.get(f"/article/{arts[0].id}")), body(client.get(f"/article/{arts[-1].id}"))
    assert 'rel="prev"' not in first and 'rel="next"' not in last


def test_source_view_shows_the_split_beside_the_raw_text(client, sample):
    settings, store, _ = sample
    issue = store.list_issues()[0]
    for number, pg in enumerate(store.issue_pages(issue["id"]), 1):
        page = body(client.get(f"/issue/{issue['id']}/page/{number}/source"))
        parse = pipeline.analyse_page_text(pg["text"], source=pg["source"], page=number)
        for line in pg["text"].split("\n"):
            assert html.escape(line, quote=False) in page
        for art in parse.articles:
            from digest.headline import headline

            if not art.title:
                assert "（无标题）" in page
                continue
            parts = headline(art).parts
            assert all(f">{html.escape(p)}</span>" in page for p in parts), parts
        for furniture in parse.furniture:
            assert f"<s>{html.escape(furniture)}</s>" in page
    assert body(client.get(f"/issue/{issue['id']}")).count("/article/") >= issue["articles"]


def test_source_view_labels_every_line_with_its_reason(client, sample):
    """The editor sees why the page was split as it was: the same labels as `digest segment --explain`."""
    settings, store, _ = sample
    issue = store.list_issues()[0]
    pg = store.issue_pages(issue["id"])[0]
    page = body(client.get(f"/issue/{issue['id']}/page/1/source"))
    parse = pipeline.analyse_page_text(pg["text"], source=pg["source"], page=1)
    zh = {"headline": "标题", "byline": "作者", "body": "正文", "furniture": "版面装饰", "caption": "图片说明",
          "subhead": "小标题", "dateline": "电头", "brief": "简讯", "credit": "署名", "editor's note": "编者按",
          "source": "出处", "jump": "转版", "duplicate": "重复"}  # the interface is in Chinese
    for lb in parse.labels:
        assert f'<td class="label">{zh[lb.label]}</td>' in page
        assert f'title="{html.escape(lb.reason)}"' in page


@pytest.mark.parametrize("path", ["/article/999999", "/issue/999999", "/issue/999999/page/1/source",
                                  "/issue/1/page/99/source", "/article/abc", "/article/-1", "/nowhere"])
def test_unknown_ids_are_404_pages(client, path):
    resp = client.get(path)
    assert resp.status_code == 404 and "Traceback" not in body(resp)
    assert "返回存档" in body(resp)


def test_several_publications_each_get_their_digest(tmp_path):
    settings = make_settings(tmp_path)
    store = pipeline.open_store(settings)
    add_issue(store, DAY, [dict(title="聊城本地新闻", body="聊城本地新闻正文。", sentences=("聊城本地新闻正文。",))])
    add_issue(store, dt.date(2025, 6, 17), [dict(title="大众日报的报道", body="大众日报的报道正文。")],
              publication="大众日报")
    c = create_app(settings, store).test_client()
    index = body(c.get("/"))
    assert "大众日报" in index and '<option value="聊城日报" selected>' in index
    other = c.get("/digest?pub=大众日报")
    assert other.status_code == 302 and "from=2025-06-17" in other.headers["Location"]
    page = body(c.get(other.headers["Location"]))
    assert "大众日报的报道" in page and "聊城本地新闻" not in page
    assert "聊城本地新闻" in body(c.get(f"/digest?{RANGE}"))
    assert c.get("/digest?pub=不存在的报纸").status_code == 404


def test_failures_give_an_error_page_never_a_traceback(tmp_path, monkeypatch):
    from digest.errors import StoreError

    settings = make_settings(tmp_path)
    store = pipeline.open_store(settings)
    c = create_app(settings, store).test_client()
    assert "还没有导入任何期次" in body(c.get("/"))
    assert c.get("/digest").status_code == 404  # no issue: no range to guess

    def boom(*a, **k):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(store, "list_issues", boom)
    resp = c.get("/")
    assert resp.status_code == 500 and "Traceback" not in body(resp) and "secret internals" not in body(resp)

    def locked(*a, **k):
        raise StoreError("database error: database is locked", "another process may hold the database; try again")

    monkeypatch.setattr(store, "list_issues", locked)
    resp = c.get("/")
    assert resp.status_code == 503 and "database is locked" in body(resp) and "try again" in body(resp)


# -- escaping -------------------------------------------------------------------------------------------------
def test_hostile_text_is_shown_as_text_on_every_page(tmp_path):
    settings = make_settings(tmp_path)
    store = pipeline.open_store(settings)
    body_text = f"正文开头{HOSTILE}。这是第二句话，内容正常。"
    iid = add_issue(store, DAY, [
        dict(title=f"标题{HOSTILE}", body=body_text, byline=f"记者{HOSTILE}", dateline=HOSTILE,
             sentences=(f"正文开头{HOSTILE}。",), keywords=(HOSTILE, "关键词")),
        dict(title="第二篇", body="平常的一篇文章。", sentences=("平常的一篇文章。",)),
    ], page_text=f"标题{HOSTILE}\n\n{body_text}\n\n{HOSTILE}\n")
    (settings.outbox).mkdir(parents=True, exist_ok=True)
    app = create_app(settings, store)
    c = app.test_client()
    aid = store.issue_articles(iid)[0].id
    pages = ["/", f"/issue/{iid}", f"/issue/{iid}/page/1/source", f"/article/{aid}", f"/digest?{RANGE}",
             f"/digest?{RANGE}&view=text", f"/digest/email.html?{RANGE}"]
    for path in pages:
        resp = c.get(path)
        assert resp.status_code == 200, path
        page = body(resp)
        assert "<script>alert(1)</script>" not in page, path
        assert "<img src=x" not in page, path
        assert path == "/" or "{{ 7*7 }}" in page, path  # shown as typed, never evaluated
    for path in pages[1:6]:  # the text itself is there, escaped
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;{{ 7*7 }}" in body(c.get(path)), path
    marks = re.findall(r"<mark>(.*?)</mark>", body(c.get(f"/article/{aid}")))
    assert [html.unescape(m) for m in marks] == [f"正文开头{HOSTILE}。"]
    txt = c.get(f"/digest/email.txt?{RANGE}")  # plain text may carry it verbatim: it is never HTML
    assert txt.mimetype == "text/plain" and txt.headers["X-Content-Type-Options"] == "nosniff"
    assert txt.headers["Content-Security-Policy"] == EMAIL_CSP


# -- outbox files ---------------------------------------------------------------------------------------------
def test_outbox_serves_only_files_inside_the_outbox(tmp_path):
    settings = make_settings(tmp_path)
    store = pipeline.open_store(settings)  # creates data/digest.db next to the outbox
    outbox = Path(settings.outbox)
    (outbox / "sub").mkdir(parents=True)
    (outbox / "d.html").write_text("<p>摘要</p>", encoding="utf-8")
    (outbox / "sub" / "d.txt").write_text("纯文本", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    (outbox / "escape.txt").symlink_to(secret)
    (outbox / "escape-dir").symlink_to(tmp_path / "data", target_is_directory=True)
    (outbox / "inside.txt").symlink_to(outbox / "sub" / "d.txt")
    c = create_app(settings, store).test_client()
    ok = c.get("/outbox/d.html")
    assert ok.status_code == 200 and "摘要" in body(ok)
    assert ok.headers["Content-Security-Policy"] == EMAIL_CSP
    assert body(c.get("/outbox/sub/d.txt")) == "纯文本"
    assert c.get("/outbox/inside.txt").status_code == 200  # a symlink that stays inside is fine
    db = Path(settings.data_dir) / "digest.db"
    assert db.exists()
    bad = ["/outbox/../data/digest.db", "/outbox/%2e%2e/data/digest.db", "/outbox/%2E%2E%2Fdata%2Fdigest.db",
           "/outbox/sub/../../data/digest.db", "/outbox/..%2f..%2fsecret.txt", f"/outbox/{db}",
           f"/outbox//{db}", f"/outbox/%2F{str(db).lstrip('/')}", "/outbox/escape.txt", "/outbox/escape-dir/digest.db",
           "/outbox/", "/outbox/sub", "/outbox/sub/", "/outbox/.", "/outbox/nope.html", "/outbox/d.html%00.txt",
           "/outbox/..\\data\\digest.db", "/outbox/~/secret.txt"]
    for path in bad:
        resp = c.get(path, follow_redirects=True)
        assert resp.status_code in (400, 404), (path, resp.status_code)
        data = resp.get_data()
        assert b"SQLite format" not in data and b"TOP-SECRET" not in data, path


# -- send test ---------------------------------------------------------------------------------------------------
class _Recorder:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK queued"


def _csrf(c) -> str:
    page = body(c.get(f"/digest?{RANGE}"))
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_send_test_needs_post_and_the_sessions_csrf_token(tmp_path):
    settings, store = ingest_sample(tmp_path)
    c = create_app(settings, store).test_client()
    form = {"from": "2025-06-18", "to": "2025-06-18", "addr": "editor@example.org"}
    assert c.get("/digest/send-test?" + RANGE + "&addr=editor@example.org").status_code == 405
    assert c.post("/digest/send-test", data=form).status_code == 403
    token = _csrf(c)
    assert c.post("/digest/send-test", data={**form, "csrf": token + "x"}).status_code == 403
    other = create_app(settings, store).test_client()  # another session's token is no good either
    assert other.post("/digest/send-test", data={**form, "csrf": token}).status_code == 403
    assert c.post("/digest/send-test", data={**form, "csrf": token, "addr": "not an address"}).status_code == 400
    assert c.post("/digest/send-test", data={**form, "csrf": token, "addr": "a@b.org, c@d.org"}).status_code == 400
    assert store.list_digests() == []  # nothing built, nothing sent
    resp = c.post("/digest/send-test", data={**form, "csrf": token})  # no SMTP server configured
    assert resp.status_code == 200 and "未发送" in body(resp) and "SMTP" in body(resp)
    assert store.list_digests() == [] and not any(Path(settings.outbox).glob("*.eml"))


def test_send_test_sends_to_that_one_address_only(tmp_path):
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = _Recorder()
    ctl = Controller(handler, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        settings, store = ingest_sample(tmp_path)
        settings = make_settings(tmp_path, smtp_host="127.0.0.1", smtp_port=str(port), smtp_security="none",
                                 to="everyone@example.org", from_addr="digest@example.org", send_retries="1")
        c = create_app(settings, store).test_client()
        page = body(c.get(f"/digest?{RANGE}"))
        assert "everyone@example.org" in page  # the form says who would NOT get it
        assert not handler.messages  # looking at a digest sends nothing
        resp = c.post("/digest/send-test", data={"from": "2025-06-18", "to": "2025-06-18", "addr": "editor@example.org",
                                                 "csrf": _csrf(c)})
        assert resp.status_code == 200 and "sent" in body(resp)
    finally:
        ctl.stop()
    assert len(handler.messages) == 1 and handler.messages[0][1] == ["editor@example.org"]
    built = store.list_digests()
    assert built[0]["deliveries"] == []  # a test send is never a delivery of the digest (issue 17.4)
    assert [t["recipient"] for t in built[0]["test_sends"]] == ["editor@example.org"]
    index = body(c.get("/"))
    assert "status-sent" in index and "editor@example.org" in index and "测试发送" in index
    assert f'/outbox/{quote(Path(built[0]["html_path"]).name)}' in index
    eml = c.get(f'/outbox/{quote(Path(built[0]["eml_path"]).name)}')
    assert eml.status_code == 200 and eml.get_data() == Path(built[0]["eml_path"]).read_bytes()


# -- safety: Host header, CLI ------------------------------------------------------------------------------------
def test_only_loopback_host_names_are_answered(client):
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/", headers={"Host": "localhost"}).status_code == 200
    assert client.get("/", headers={"Host": "[::1]:8000"}).status_code == 200


def test_cli_binds_loopback_and_warns_for_any_other_host(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from digest import preview
    from digest.cli import cli

    calls = []
    monkeypatch.setattr(preview, "serve", lambda app, host, port, open_browser, echo: calls.append(
        (app.config["PREVIEW_ALLOWED_HOSTS"], host, port, open_browser)))
    runner = CliRunner()
    res = runner.invoke(cli, ["--home", str(tmp_path), "preview"])
    assert res.exit_code == 0, res.output
    assert calls[-1][1:] == ("127.0.0.1", 8000, False) and calls[-1][0] is not None
    assert "warning" not in res.stderr
    res = runner.invoke(cli, ["--home", str(tmp_path), "preview", "--host", "0.0.0.0", "--port", "8123", "--open"])
    assert res.exit_code == 0 and "NO authentication" in res.stderr
    assert calls[-1] == (None, "0.0.0.0", 8123, True)


# -- speed and cache ---------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_year_long_digest_comes_back_fast_and_follows_the_store(tmp_path):
    settings = make_settings(tmp_path)
    store = pipeline.open_store(settings)
    rnd = random.Random(7)
    pool = "我市工作推进任务完成部门表示继续努力确保各项落到实处农业交通文化教育医疗城市建设运河老街招聘阅读麦收春耕项目群众服务"
    topics = ["春耕", "运河", "老街", "招聘", "阅读", "麦收", "交通", "文化", "教育", "社区"]
    for d in range(366):  # 366 issues of 10 distinct articles (same-looking bodies would fold into repeats)
        day = dt.date(2024, 1, 1) + dt.timedelta(days=d)
        arts = []
        for n in range(10):
            sents = ["".join(rnd.choice(pool) for _ in range(rnd.randint(15, 40))) + "。" for _ in range(6)]
            arts.append(dict(title="".join(rnd.choice(pool) for _ in range(10)), body="".join(sents),
                             sentences=tuple(sents[:2]), keywords=tuple(rnd.sample(topics, 3))))
        add_issue(store, day, arts)
    c = create_app(settings, store).test_client()
    query = "from=2024-01-01&to=2024-12-31"
    t0 = time.perf_counter()
    page = c.get(f"/digest?{query}")
    first = time.perf_counter() - t0
    assert page.status_code == 200 and len(page.get_data()) < 300_000  # the side list is capped
    assert "3660 篇文章" in body(page)
    t0 = time.perf_counter()
    assert c.get(f"/digest/email.html?{query}").status_code == 200  # the iframe: from the cache
    assert c.get(f"/digest?{query}&view=text").status_code == 200
    again = time.perf_counter() - t0
    # ~3 s here for 3,660 articles; a real year (~15,000) takes ~12 s once (rank.find_repeats and
    # render's per-level build_view dominate), then comes from the cache.
    assert first < 30, f"one-year digest page took {first:.1f}s"
    assert again < 1.0, f"cached pages took {again:.2f}s"
    add_issue(store, dt.date(2024, 12, 31), [dict(title="年末新增的一篇报道", body="年末新增的一篇报道正文。")],
              page_text="年末新增", source="extra.txt")
    assert "3661 篇文章" in body(c.get(f"/digest?{query}"))  # a new issue is seen at once
    # the e-mail text is rebuilt too (a year is shortened to the front page + archive link, so the
    # new article shows in its count rather than as a line)
    assert "共 3661 篇" in body(c.get(f"/digest/email.txt?{query}"))

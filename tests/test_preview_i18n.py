"""The preview in Chinese by default (gettext catalogues), English with DIGEST_LANGUAGE=en; its times
labelled in DIGEST_TIMEZONE; guessed issue dates marked; headlines set like a paper (issue 15 items 5, 7, 11, 12)."""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from pathlib import Path

import pytest

from digest import pipeline
from digest.models import Article, Issue, Page, Summary
from digest.preview import TRANSLATIONS, create_app
from tests.test_preview import make_settings

DAY = dt.date(2025, 6, 18)
LONG_SOURCE = "inbox/" + "liaocheng_daily_epaper_export_without_any_spaces_" * 3 + "page_01.txt"


def add(store, day, title, main, body, rule="path", source="01.txt", kind="news"):
    text = title.replace(" | ", "\n") + "\n" + body
    page = Page(source=source, number=1, text=text, sha256=hashlib.sha256(text.encode()).hexdigest())
    issue = Issue("聊城日报", day, rule, (page,), hashlib.sha256(f"{day}{text}{rule}".encode()).hexdigest())
    art = Article(title=title, byline="张三", kind=kind, paragraphs=(body,), position=0, page=1, source=source,
                  main_title=main)
    summary = Summary((body.split("。")[0] + "。",), ("防汛", "会议"), short=body.split("。")[0] + "。")
    return store.save_issue(issue, [(art, summary, hashlib.sha256(body.encode()).hexdigest())])


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    settings = make_settings(home)
    store = pipeline.open_store(settings)
    printed = add(store, DAY, "防汛责任落实到人 | 东昌府区部署夏季防汛工作 | ——全区排查隐患点二十三处",
                  "东昌府区部署夏季防汛工作", "本报讯 6月17日，东昌府区召开会议部署夏季防汛工作。会议要求落实责任。" * 3)
    guess = add(store, DAY - dt.timedelta(days=1), "临清运河文化节开幕", "临清运河文化节开幕",
                "本报讯 第五届临清运河文化节昨日开幕，两百余家非遗传承人参展。活动持续三天。" * 3, rule="guess",
                source=LONG_SOURCE)
    return settings, store, printed, guess


def client(settings, store, **more):
    if more:
        settings = make_settings(settings.home, **more)
    return create_app(settings, store).test_client()


def text_of(page: str) -> str:
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


# English words that may stay in a Chinese page: product and protocol names, settings, file kinds.
ALLOWED = {"digest", "preview", "html", "HTML", "SMTP", "DIGEST_SMTP_HOST", "Asia", "Shanghai", "textrank", "ingest",
           "PATH", "build", "YYYY", "localhost", "sqlite", "outbox", "editor", "example",
           "utf", "CSRF", "date", "data"}


def english_words(page: str, home: Path) -> set[str]:
    text = text_of(page).replace(str(home), " ")
    return {w for w in re.findall(r"[A-Za-z_]{4,}", text) if w not in ALLOWED and w not in LONG_SOURCE}


def test_every_page_speaks_chinese_by_default(archive):
    settings, store, printed, guess = archive
    c = client(settings, store)
    article = store.issue_articles(printed)[0].id
    pages = {"/": 200, "/digest?from=2025-06-17&to=2025-06-18": 200, "/digest?from=2025-06-17&to=2025-06-18&view=text": 200,
             f"/issue/{printed}": 200, f"/issue/{printed}/page/1/source": 200, f"/article/{article}": 200,
             "/article/999999": 404, "/digest?from=2025-13-01&to=2025-06-18": 400}
    for path, code in pages.items():
        resp = c.get(path)
        assert resp.status_code == code, path
        page = resp.get_data(as_text=True)
        assert '<html lang="zh-CN">' in page and "存档" in page, path
        assert not english_words(page, settings.home), (path, english_words(page, settings.home))
    sent = c.post("/digest/send-test", data={"from": "2025-06-18", "to": "2025-06-18", "addr": "a@example.org"})
    assert sent.status_code == 403 and "表单已过期" in sent.get_data(as_text=True)


def test_english_with_digest_language_en(archive):
    settings, store, printed, _ = archive
    page = client(settings, store, language="en").get("/").get_data(as_text=True)
    assert '<html lang="en">' in page and ">Archive</h1>" in page and "存档" not in page
    assert "date guessed" in page


def test_the_chinese_catalogue_is_complete_and_compiled():
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    pot = read_po((TRANSLATIONS / "messages.pot").open("rb"))
    po = read_po((TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po").open("rb"))
    mo = read_mo((TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.mo").open("rb"))
    def key(m):
        return tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id

    ids = {key(m) for m in pot if m.id}
    assert ids and ids <= {key(m) for m in po if m.id}, "run `make translations` and translate the new entries"
    untranslated = [m.id for m in po if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    assert not untranslated
    def table(cat):
        return {key(m): tuple(m.string) if isinstance(m.string, (list, tuple)) else m.string for m in cat if m.id}

    assert table(po) == table(mo), \
        "messages.mo is older than messages.po: run `make translations`"


def test_times_are_local_and_labelled(archive):
    settings, store, *_ = archive
    pipeline.build(store, settings, DAY, DAY)
    page = client(settings, store).get("/").get_data(as_text=True)
    built = store.list_digests(limit=1)[0]["built_at"]  # naive UTC
    local = (built.replace(tzinfo=dt.timezone.utc) + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    assert f'class="built">{local} +08:00</td>' in page
    assert "时间均为 Asia/Shanghai, UTC+08:00" in page and "(UTC)" not in page
    other = client(settings, store, timezone="Europe/Berlin").get("/").get_data(as_text=True)
    assert re.search(r'class="built">\d{4}-\d\d-\d\d \d\d:\d\d \+0[12]:00</td>', other)


def test_guessed_dates_are_marked(archive):
    settings, store, printed, guess = archive
    c = client(settings, store)
    index = c.get("/").get_data(as_text=True)
    rows = re.findall(r"<tr( class=\"guessed\")?>\s*<td data-label=\"日期\"><a href=\"/issue/(\d+)\">", index)
    assert {int(i): bool(g) for g, i in rows} == {printed: False, guess: True}
    assert "有 1 期的日期是推测的" in index
    assert "日期为推测" in c.get(f"/issue/{guess}").get_data(as_text=True)
    assert "日期为推测" not in c.get(f"/issue/{printed}").get_data(as_text=True)
    art = store.issue_articles(guess)[0].id
    assert "推测：版面上未印出" in c.get(f"/article/{art}").get_data(as_text=True)
    digest = c.get("/digest?from=2025-06-17&to=2025-06-18").get_data(as_text=True)
    assert "此范围内有 1 期的日期是推测的" in digest and f'href="/issue/{guess}"' in digest
    assert "推测" not in c.get("/digest?from=2025-06-18&to=2025-06-18").get_data(as_text=True)


def test_headlines_are_set_like_a_paper(archive):
    settings, store, printed, _ = archive
    c = client(settings, store)
    art = store.issue_articles(printed)[0].id
    page = c.get(f"/article/{art}").get_data(as_text=True)
    assert re.search(r'<p class="kicker">防汛责任落实到人</p>\s*<h1 class="article-title">东昌府区部署夏季防汛工作</h1>\s*'
                     r'<p class="subtitle">——全区排查隐患点二十三处</p>', page)
    for path in (f"/article/{art}", f"/issue/{printed}", "/digest?from=2025-06-18&to=2025-06-18",
                 f"/issue/{printed}/page/1/source"):
        body = c.get(path).get_data(as_text=True)
        assert " | " not in text_of(body), path
    listing = c.get(f"/issue/{printed}").get_data(as_text=True)
    assert ('<span class="hl-kicker">防汛责任落实到人</span><a href="/article/%d" class="hl-main">东昌府区部署夏季防汛工作</a>'
            '<span class="hl-sub">——全区排查隐患点二十三处</span>' % art) in listing

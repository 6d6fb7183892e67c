"""The RUNNING preview (werkzeug server in a thread on a free 127.0.0.1 port) driven by Playwright
on Debian's chromium. Screenshots go to tests/artifacts/preview-*.png (git-ignored) for a human look.

Never runs `playwright install`: without /usr/bin/chromium (scripts/system-deps.sh) the tests skip.
"""
from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from digest import pipeline
from digest.preview import create_app
from tests.conftest import ARTIFACTS, SEEDS
from tests.test_preview import ingest_sample, make_settings

CHROMIUM = Path("/usr/bin/chromium")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium "
                                                      "(run scripts/system-deps.sh); browser tests skipped"),
]


class Live:
    """create_app(settings) served for real by werkzeug's make_server on a free loopback port."""

    def __init__(self, settings, store):
        from werkzeug.serving import make_server

        self.settings, self.store = settings, store
        self.server = make_server("127.0.0.1", 0, create_app(settings, store), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def live_sample(tmp_path_factory):
    live = Live(*ingest_sample(tmp_path_factory.mktemp("home")))
    yield live
    live.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = ctx.new_page()
    pg.problems = []  # CSP refusals or script errors would mean a broken or unsafe page
    pg.on("console", lambda m: pg.problems.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.problems.append(str(e)))
    yield pg
    ctx.close()


def shot(pg, name: str, full: bool = True) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"preview-{name}.png"
    pg.screenshot(path=str(path), full_page=full)
    return path


def pick_range_and_see_front_page(pg, live, name: str):
    """Index -> fill the form with the store's bounds -> digest page; the front page is in the frame."""
    from playwright.sync_api import expect

    lo, hi = live.store.date_bounds(live.settings.publication)
    pg.goto(live.url + "/")
    expect(pg.locator("h1")).to_have_text("存档")
    shot(pg, f"{name}-index")
    pg.fill("#from", lo.isoformat())
    pg.fill("#to", hi.isoformat())
    pg.click("#range-form button[type=submit]")
    pg.wait_for_url(f"**/digest?from={lo.isoformat()}&to={hi.isoformat()}*")
    digest = pipeline.make_digest(live.store, live.settings, lo, hi)
    assert digest.front_page, "the ingested issues should give a front page"
    from digest.headline import headline

    lead = headline(digest.front_page[0].article).main
    frame = pg.frame_locator("#email-frame")
    # the visible headline (the hidden preheader of the e-mail repeats it)
    expect(frame.get_by_text(lead, exact=True).filter(visible=True).first).to_be_visible(timeout=30_000)
    shot(pg, f"{name}-digest", full=False)  # the e-mail scrolls inside its frame
    return digest


def test_index_range_digest_text_and_article(page, live_sample):
    from playwright.sync_api import expect

    pg, live = page, live_sample
    digest = pick_range_and_see_front_page(pg, live, "sample")
    # the frame holds the e-mail exactly as rendered, under the e-mail CSP
    frame = next(f for f in pg.frames if f.url.startswith(live.url + "/digest/email.html"))
    assert "聊城日报" in frame.inner_text("body")
    # switch to plain text
    pg.click("#tab-text")
    from digest.headline import headline

    expect(pg.locator("#plain-text")).to_contain_text(headline(digest.front_page[0].article).main)
    assert pg.locator("#email-frame").count() == 0
    shot(pg, "sample-text")
    # open a front-page article from the list beside the e-mail
    item = next(i for i in digest.front_page if i.summary.sentences)
    pg.click(f"aside a[href='/article/{item.stored.id}']")
    pg.wait_for_url(f"**/article/{item.stored.id}")
    marks = pg.locator(".body mark")
    expect(marks.first).to_be_visible()
    marked = " ".join(marks.all_inner_texts())
    assert any(s in marked or marked in s for s in item.summary.sentences), (marked, item.summary.sentences)
    shot(pg, "sample-article")
    # from the article to the page it came from: raw text beside the split
    pg.click("a[href$='/source']")
    expect(pg.locator("h1")).to_contain_text("原文与切分")
    expect(pg.locator(".parsed .seg").first).to_be_visible()
    shot(pg, "sample-source")
    assert not pg.problems, pg.problems


def test_send_test_form_posts_and_reports(page, live_sample):
    """No SMTP server is configured here: the explicit POST reports that, and nothing is sent."""
    from playwright.sync_api import expect

    pg, live = page, live_sample
    lo, hi = live.store.date_bounds(live.settings.publication)
    pg.goto(f"{live.url}/digest?from={lo}&to={hi}")
    pg.fill("input[name=addr]", "editor@example.org")
    pg.click(".send button[type=submit]")
    expect(pg.locator("h1")).to_contain_text("测试发送到 editor@example.org")
    expect(pg.locator(".error")).to_contain_text("SMTP")
    shot(pg, "sample-sent", full=False)
    resp = pg.request.get(f"{live.url}/digest/send-test?from={lo}&to={hi}&addr=editor@example.org")
    assert resp.status == 405
    assert live.store.list_digests() == []


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared (corpus seeds) not present (a user's clone); runs in CI")
def test_seed_pages_in_the_browser(page, tmp_path):
    from playwright.sync_api import expect

    settings = make_settings(tmp_path)
    store = pipeline.open_store(settings)
    report = pipeline.ingest(store, settings, [SEEDS], jobs=1)
    assert report.ingested, report.failures
    live = Live(settings, store)
    try:
        pg = page
        pick_range_and_see_front_page(pg, live, "seeds")
        issue = max(store.list_issues(), key=lambda r: r["articles"])
        pg.goto(f"{live.url}/issue/{issue['id']}/page/1/source")
        expect(pg.locator(".parsed .seg")).to_have_count(len(pipeline.analyse_page_text(
            store.issue_pages(issue["id"])[0]["text"]).articles))
        shot(pg, "seeds-source", full=False)
        first = store.issue_articles(issue["id"])[0]
        pg.goto(f"{live.url}/article/{first.id}")
        expect(pg.locator("h1.article-title")).to_be_visible()
        shot(pg, "seeds-article")
        assert not pg.problems, pg.problems
    finally:
        live.close()


def test_pdf_source_view_shows_the_page_with_article_boxes(browser, tmp_path_factory):
    """A PDF page in the source view: the rendered page with coloured article boxes beside the split."""
    from tests import pdf_fixtures as F

    home = tmp_path_factory.mktemp("pdfhome")
    inbox = home / "2025-06-18"
    inbox.mkdir()
    F.multicolumn_pdf(inbox / "chunxi_p02.pdf")
    settings = make_settings(home)
    store = pipeline.open_store(settings)
    report = pipeline.ingest(store, settings, [inbox], jobs=1)
    (issue_id, issue), = report.ingested
    live = Live(settings, store)
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    pg = ctx.new_page()
    problems = []
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        pg.goto(f"{live.url}/issue/{issue_id}/page/{issue.pages[0].number}/source")
        figure = pg.locator("svg.pdfpage")
        figure.wait_for()
        box = figure.bounding_box()
        assert box and box["width"] > 400 and box["height"] > 500  # the page is drawn, not a broken image
        assert pg.locator("svg.pdfpage rect.box").count() >= 5
        assert pg.locator("svg.pdfpage text.lab", has_text="A1").count() == 1
        # the first box sits on the lead's headline, inside the page's upper half
        a1 = pg.locator("svg.pdfpage text.lab", has_text="A1").bounding_box()
        assert box["y"] <= a1["y"] <= box["y"] + box["height"] / 2
        shot(pg, "pdf-source", full=True)
        assert not problems, problems  # CSP refusals (the image is a data: URI) would show here
    finally:
        ctx.close()
        live.close()


# -- phones and desktops, in Chinese (issue 15 item 11) ---------------------------------------------------
OVERFLOW = "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth"


@pytest.fixture(scope="module")
def live_mixed(tmp_path_factory):
    """The sample issue, a built digest with a delivery, and an issue with a long source path and a guessed date."""
    from tests.test_preview_i18n import LONG_SOURCE, add

    settings, store = ingest_sample(tmp_path_factory.mktemp("home"))
    add(store, dt.date(2025, 6, 17), "防汛责任落实到人 | 东昌府区部署夏季防汛工作 | ——全区排查隐患点二十三处",
        "东昌府区部署夏季防汛工作", "本报讯 6月17日，东昌府区召开会议部署夏季防汛工作。会议要求落实责任。" * 3, rule="guess",
        source=LONG_SOURCE)
    built = pipeline.build(store, settings, *store.date_bounds(settings.publication))
    store.queue_deliveries(built.digest_id, ["a.very.long.recipient.address.for.testing@subdomain.example.org"])
    live = Live(settings, store)
    yield live
    live.close()


def every_page(live) -> dict[str, str]:
    store = live.store
    lo, hi = store.date_bounds(live.settings.publication)
    issues = store.list_issues()
    guessed = next(i for i in issues if i["date_rule"] == "guess")
    sample = next(i for i in issues if i["date_rule"] != "guess")
    art = store.issue_articles(sample["id"])[0].id
    return {"index": "/", "digest": f"/digest?from={lo}&to={hi}", "text": f"/digest?from={lo}&to={hi}&view=text",
            "issue": f"/issue/{sample['id']}", "guessed-issue": f"/issue/{guessed['id']}",
            "article": f"/article/{art}", "source": f"/issue/{sample['id']}/page/1/source",
            "long-source": f"/issue/{guessed['id']}/page/1/source", "error": "/article/999999",
            "email": f"/digest/email.html?from={lo}&to={hi}"}


@pytest.mark.parametrize("width, height", [(375, 667), (1024, 768)])
def test_no_horizontal_overflow_and_a_tall_email_frame_in_chinese(browser, live_mixed, width, height):
    from playwright.sync_api import expect

    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")  # the browser asks for English
    pg = ctx.new_page()
    try:
        for name, path in every_page(live_mixed).items():
            pg.goto(live_mixed.url + path)
            if name != "email":
                expect(pg.locator("html")).to_have_attribute("lang", "zh-CN")  # DIGEST_LANGUAGE, not the browser
            over = pg.evaluate(OVERFLOW)
            assert over <= 0, f"{name} ({path}) is {over}px wider than a {width}px screen"
            if name in ("index", "digest", "article", "guessed-issue"):
                shot(pg, f"zh-{width}-{name}", full=name != "digest")
        pg.goto(live_mixed.url + every_page(live_mixed)["digest"])
        box = pg.locator("#email-frame").bounding_box()
        assert box["height"] >= 0.85 * height and box["height"] >= 600, box  # the e-mail gets most of the screen
        frame = pg.frame_locator("#email-frame")
        expect(frame.locator(".story-title").first).to_be_visible()
        assert pg.frame_locator("#email-frame").locator("body").evaluate(
            "b => b.scrollWidth <= window.innerWidth"), "the e-mail overflows its frame"
    finally:
        ctx.close()

"""`digest publish DIR`: the static archive, its Atom feed (read back with feedparser and checked
against RFC 4287's rules), its sitemap, and incremental re-publishing; the published site in
Debian's chromium at 375 px (no horizontal overflow) and 1024 px."""
from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest import pipeline
from digest.cli import cli
from digest.config import load_settings
from digest.publish import publish
from tests.conftest import ARTIFACTS, SAMPLE

BASE = "https://news.example.org/liaocheng"
ATOM = "{http://www.w3.org/2005/Atom}"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The sample issue ingested, a day's digest and a two-day digest built, the archive published."""
    home = tmp_path_factory.mktemp("home")
    settings = load_settings({"home": str(home), "base_url": BASE}, env={})
    store = pipeline.open_store(settings)
    assert pipeline.ingest(store, settings, [SAMPLE], jobs=1).ingested
    day = dt.date(2025, 6, 18)
    pipeline.build(store, settings, day, day)
    pipeline.build(store, settings, day - dt.timedelta(days=1), day)
    folder = home / "site"
    report = publish(store, settings, folder)
    return settings, store, folder, report


def _rfc3339(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert value.tzinfo is not None, f"{text} has no time zone"
    return value


def test_every_page_is_written_and_linked(site):
    settings, store, folder, report = site
    assert report.digests == 2 and report.articles >= 5 and not report.warnings
    for rel in ("index.html", "year/2025/index.html", "digest/2025-06-18/index.html",
                "digest/2025-06-17_2025-06-18/index.html", "static/archive.css", "feed.xml", "sitemap.xml",
                "robots.txt", "404.html"):
        assert (folder / rel).is_file(), rel
    index = (folder / "index.html").read_text("utf-8")
    assert 'href="./digest/2025-06-18/"' in index and 'href="./static/archive.css"' in index
    assert "摘要存档" in index and '<html lang="zh-CN">' in index
    digest = (folder / "digest/2025-06-18/index.html").read_text("utf-8")
    assert 'href="../../static/archive.css"' in digest and 'href="../../article/' in digest
    assert f'<link rel="canonical" href="{BASE}/digest/2025-06-18/">' in digest
    article_dirs = sorted((folder / "article").iterdir())
    assert len(article_dirs) == report.articles
    page = (article_dirs[0] / "index.html").read_text("utf-8")
    assert "收录于" in page and 'href="../../digest/2025-06-18/"' in page
    assert "<script" not in index + digest + page


def test_atom_feed_parses_and_follows_the_atom_rules(site):
    import feedparser

    settings, store, folder, _ = site
    raw = (folder / "feed.xml").read_bytes()
    parsed = feedparser.parse(raw)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.id == f"{BASE}/" and parsed.feed.title == "聊城日报 每日摘要"
    assert [e.link for e in parsed.entries] == [f"{BASE}/digest/2025-06-17_2025-06-18/", f"{BASE}/digest/2025-06-18/"] \
        or sorted(e.link for e in parsed.entries) == sorted([f"{BASE}/digest/2025-06-17_2025-06-18/",
                                                             f"{BASE}/digest/2025-06-18/"])
    assert all("article/" in e.content[0].value for e in parsed.entries)
    # RFC 4287 4.1.1 / 4.1.2, checked on the XML itself
    feed = ET.fromstring(raw)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1, f"feed must have exactly one atom:{name}"
    feed_updated = _rfc3339(feed.find(f"{ATOM}updated").text)
    links = feed.findall(f"{ATOM}link")
    assert [l.get("href") for l in links if l.get("rel") == "self"] == [f"{BASE}/feed.xml"]
    assert any(l.get("rel") == "alternate" and l.get("href").startswith("https://") for l in links)
    assert feed.find(f"{ATOM}author/{ATOM}name").text  # every entry inherits the feed's author
    ids = []
    for entry in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, f"entry must have exactly one atom:{name}"
        ids.append(entry.find(f"{ATOM}id").text)
        assert _rfc3339(entry.find(f"{ATOM}updated").text) <= feed_updated
        alternate = [l for l in entry.findall(f"{ATOM}link") if l.get("rel", "alternate") == "alternate"]
        assert len(alternate) == 1 and alternate[0].get("href").startswith(f"{BASE}/digest/")
        content = entry.find(f"{ATOM}content")
        assert content is not None and content.get("type") == "html"
        assert (folder / alternate[0].get("href")[len(BASE) + 1:] / "index.html").is_file()  # the link resolves
    assert len(ids) == len(set(ids)) == 2 and all(i.startswith("https://") for i in ids)


def test_sitemap_lists_every_page_and_nothing_else(site):
    _, _, folder, report = site
    root = ET.fromstring((folder / "sitemap.xml").read_bytes())
    locs = [u.find("{http://www.sitemaps.org/schemas/sitemap/0.9}loc").text for u in root]
    assert len(locs) == len(set(locs)) == 1 + 1 + report.digests + report.articles  # index, year, digests, articles
    for loc in locs:
        rel = loc[len(BASE) + 1:]
        assert (folder / rel / "index.html").is_file() or (folder / rel).is_file(), loc
    assert f"Sitemap: {BASE}/sitemap.xml" in (folder / "robots.txt").read_text()


def test_publishing_again_rewrites_only_what_changed(site, tmp_path):
    settings, store, folder, _ = site
    again = publish(store, settings, folder)
    assert again.written == 0 and again.removed == 0 and again.unchanged > 10
    mine = folder / "digest" / "mine.txt"
    mine.write_text("a file of the host's")  # never touched: not ours
    stale = folder / "article" / "999999" / "index.html"
    manifest = json.loads((folder / ".digest-publish.json").read_text())
    stale.parent.mkdir()
    stale.write_text("old page")
    manifest["article/999999/index.html"] = "0" * 64
    (folder / ".digest-publish.json").write_text(json.dumps(manifest))
    third = publish(store, settings, folder)
    assert third.removed == 1 and not stale.exists() and mine.exists()


def test_cli_publish_without_a_base_url_leaves_out_feed_and_sitemap(site, tmp_path):
    settings, *_ = site
    out = tmp_path / "plain"
    res = CliRunner().invoke(cli, ["--home", str(settings.home), "publish", str(out), "--json"],
                             env={"DIGEST_BASE_URL": ""})
    data = json.loads(res.stdout)
    assert res.exit_code == 1 and data["digests"] == 2 and data["warnings"]
    assert (out / "index.html").is_file() and not (out / "feed.xml").exists()
    res = CliRunner().invoke(cli, ["--home", str(settings.home), "publish", str(tmp_path / "full"), "--base-url",
                                   "https://x.example.org"])
    assert res.exit_code == 0 and (tmp_path / "full" / "feed.xml").is_file()
    assert "https://x.example.org/digest/" in (tmp_path / "full" / "feed.xml").read_text()


# -- the published site in a real browser ---------------------------------------------------------------
@pytest.fixture(scope="module")
def served_site(site):
    """The published folder served by Python's static file server on a free loopback port."""
    folder = site[2]
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium "
                                                  "(run scripts/system-deps.sh); browser tests skipped")
@pytest.mark.parametrize("width", [375, 1024])
def test_published_site_in_chromium(served_site, width):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            ctx = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
            pg = ctx.new_page()
            problems: list[str] = []
            pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            pg.on("pageerror", lambda e: problems.append(str(e)))
            pg.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
            pg.goto(served_site + "/")
            assert "摘要存档" in pg.inner_text("h1")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            visited = []
            for step, selector in (("index", "a[href='./digest/2025-06-18/']"), ("digest", "h3.headline a"),
                                   ("article", None)):
                overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{step} page overflows by {overflow}px at {width}px"
                css = pg.evaluate("getComputedStyle(document.body).fontFamily")
                assert "Noto Sans CJK SC" in css or "PingFang SC" in css  # archive.css was applied
                pg.screenshot(path=str(ARTIFACTS / f"publish-{step}-{width}.png"), full_page=True)
                visited.append(pg.url)
                if selector:
                    pg.click(f"{selector} >> nth=0")
                    pg.wait_for_load_state()
            assert "/digest/2025-06-18/" in visited[1] and "/article/" in visited[2]
            assert pg.inner_text("h1.headline") and pg.locator(".body p").count() >= 1
            assert not problems, problems
        finally:
            browser.close()

"""The inlined HTML in Debian's chromium at phone and desktop widths, light and dark.

Screenshots go to tests/artifacts/ (git-ignored) for a human look. Never runs `playwright install`:
it drives /usr/bin/chromium and skips with a reason when that is missing.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from digest.render import render_digest
from tests.fixtures_digest import large_digest, make_item, make_settings, sample_digest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (make system-deps)"),
]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


def _digest_with_long_words():
    """The sample plus things that like to overflow a phone screen: a long URL-ish word, long title."""
    long = make_item(104, "超长标题" * 12, "正文。", sentences=(
        "详见 https://www.liaocheng.gov.cn/art/2025/3/26/art_12345_67890123456789.html 发布的通知全文。",),
        keywords=("超长关键词测试" * 3,), byline="记者" * 10)
    base = sample_digest()
    return base.__class__(**{**base.__dict__, "front_page": base.front_page + (long,)})


CASES = {
    "sample": lambda: sample_digest(),
    "overflow": _digest_with_long_words,
    "large": lambda: large_digest(sections=6, per_section=6),
    "clipped": lambda: large_digest(),  # shortened by the size guard, with the archive notice
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("width", [375, 1024])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_horizontal_scroll(browser, tmp_path, case, width, scheme):
    html = render_digest(CASES[case](), make_settings(tmp_path)).html
    page = browser.new_page(viewport={"width": width, "height": 800}, color_scheme=scheme)
    try:
        page.route("**/*", lambda route: route.abort())  # no network: an e-mail must not need it
        page.set_content(html, wait_until="load")
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{case} at {width}px scrolls sideways ({scroll} > {inner})"
        container = page.evaluate("document.querySelector('.container').getBoundingClientRect().width")
        assert container <= min(600, width)
        # Chinese renders as glyphs, not as the box of a missing glyph (U+10FFFD is never in a font).
        distinct = page.evaluate("""() => {
            const font = getComputedStyle(document.querySelector('.summary')).fontFamily;
            const draw = (ch) => { const c = document.createElement('canvas'); c.width = c.height = 40;
                const x = c.getContext('2d'); x.font = '32px ' + font; x.fillText(ch, 2, 34);
                return Array.from(x.getImageData(0, 0, 40, 40).data).join(','); };
            const tofu = draw('\\u{10FFFD}');
            return ['聊', '城', '报', '，'].map(ch => draw(ch) !== tofu && draw(ch) !== draw(' ')); }""")
        assert all(distinct), distinct
        if scheme == "dark":
            bg = page.evaluate("getComputedStyle(document.querySelector('.container')).backgroundColor")
            assert bg == "rgb(28, 27, 25)"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"digest-{case}-{width}-{scheme}.png"), full_page=case != "clipped")
        if case == "clipped":  # the interesting part: where the notice and the shortened sections start
            page.locator(".notice").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / f"digest-{case}-{width}-{scheme}-notice.png"))
    finally:
        page.close()

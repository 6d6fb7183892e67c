"""Rendering: golden files, escaping, premailer output, the size guard and display-width text.

Regenerate the golden files after an intended change with:
    DIGEST_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_render.py
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from digest import render
from digest.render import HTML_LIMIT, display_width, render_digest, underline, wrap
from tests.fixtures_digest import large_digest, make_item, make_settings, sample_digest, week_digest

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("DIGEST_UPDATE_GOLDEN") == "1"


@pytest.fixture
def settings(tmp_path):  # shadows the lead's `settings` fixture on purpose: fixed values
    return make_settings(tmp_path)


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from the golden file; DIGEST_UPDATE_GOLDEN=1 regenerates it"


def test_golden_html_and_text(settings):
    rendered = render_digest(sample_digest(), settings)
    assert rendered.subject == "聊城日报 每日摘要 2025-03-26"
    check_golden("digest.html", rendered.html)
    check_golden("digest.txt", rendered.text)
    assert "\\u" not in rendered.html and "&#" not in rendered.text  # readable UTF-8, no escapes
    week = render_digest(week_digest(), settings)
    assert week.subject == "聊城日报 摘要 2025-03-20 – 2025-03-26"
    check_golden("digest_week.txt", week.text)


def test_html_shape(settings):
    html = render_digest(sample_digest(), settings).html
    assert html.startswith("<!DOCTYPE html>\n<html")  # premailer drops a lowercase doctype
    assert '<meta name="color-scheme" content="light dark">' in html
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    assert "@media only screen and (max-width: 620px)" in style and "prefers-color-scheme: dark" in style
    assert ".pad {" not in style.split("@media")[0]  # plain rules were inlined, not kept
    assert re.search(r'<td class="pad"[^>]*style="[^"]*padding:20px 28px', html)
    assert "PingFang SC" in html and "Noto Sans CJK SC" in html
    assert 'class="preheader"' in html and "水城老街改造完工" in html.split("<table", 1)[0]
    assert "<img" not in html
    for url in ("https://digest.example.org/article/101", "https://digest.example.org/article/301"):
        assert f'href="{url}"' in html
    assert "另见：2025-03-26 第2版" in html  # repeats note
    assert "mailto:unsubscribe@example.org" in html
    assert "max-width:600px" in html


def test_range_subject_and_empty_parts(settings):
    import datetime as dt

    digest = sample_digest(end=dt.date(2025, 3, 28), trending=(), archive_url=None)
    rendered = render_digest(digest, settings)
    assert rendered.subject == "聊城日报 摘要 2025-03-26 – 2025-03-28"
    assert "关键词" not in rendered.html and 'id="keywords"' not in rendered.html
    bare = make_settings(settings.home, unsubscribe="", base_url="")
    rendered = render_digest(sample_digest(archive_url=None), bare)
    assert "退订" not in rendered.html and "退订" not in rendered.text
    assert "完整存档" not in rendered.html


NASTY = '<script>alert(1)</script><img src=x onerror="alert(2)">{{ 7*7 }}{% if 1 %}x{% endif %}'


def test_autoescape_everything_from_data(settings):
    import datetime as dt

    from digest.models import Trend

    item = make_item(9, NASTY, NASTY, sentences=(NASTY,), keywords=(NASTY,), byline=NASTY,
                     repeats=(NASTY,), url='javascript:alert(3)')
    digest = sample_digest(publication="聊城<b>日报</b>", front_page=(item,) + sample_digest().front_page,
                           trending=(Trend(NASTY, 2, 3, 0, 3),), start=dt.date(2025, 3, 20),
                           trend_since=dt.date(2025, 3, 25))
    rendered = render_digest(digest, settings)
    html = rendered.html
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html  # data is never evaluated as a template
    assert "javascript:" not in html
    assert NASTY in re.sub(r"\n *", " ", rendered.text)  # plain text is not HTML-escaped (only wrapped)
    assert rendered.subject.startswith("聊城<b>日报</b> ")  # a header, not HTML: kept as typed


def test_size_guard_shortens_lower_sections(settings):
    digest = large_digest()
    rendered = render_digest(digest, settings)
    size = len(rendered.html.encode("utf-8"))
    assert size <= HTML_LIMIT
    html = rendered.html
    assert "篇幅所限" in html and 'href="https://digest.example.org/digest/2025-03-26"' in html
    assert "水城老街改造完工" in html and "修旧如旧" in html  # the front page is untouched
    assert "第1版第1条" in html and "第30版第25条" not in html  # lower sections shortened
    # the plain text follows the same shortening (one e-mail, one size) and says where the rest is
    assert "第1版第1条" in rendered.text and "第30版第25条" not in rendered.text
    assert "篇幅所限" in rendered.text and "https://digest.example.org/digest/2025-03-26" in rendered.text


def test_size_guard_without_archive_falls_back_to_base_url(settings):
    import dataclasses

    rendered = render_digest(dataclasses.replace(large_digest(), archive_url=None), settings)
    assert 'href="https://digest.example.org"' in rendered.html


def test_typical_digest_is_small(settings):
    assert len(render_digest(sample_digest(), settings).html.encode()) < 30_000


# -- plain text ---------------------------------------------------------------------------------------
def test_text_lines_fit_72_columns_and_links_listed(settings):
    text = render_digest(large_digest(), settings).text
    assert max(display_width(line) for line in text.splitlines() if not line.startswith("[")) <= 72
    assert "\n链接\n----\n[1] https://digest.example.org/article/101\n" in text


def test_wrap_counts_cjk_as_two_columns():
    line = "改" * 50
    lines = wrap(line, width=72).splitlines()
    assert [display_width(x) for x in lines] == [72, 28]
    assert wrap("ab cd ef", width=5).splitlines() == ["ab cd", "ef"]
    assert all(display_width(x) <= 10 for x in wrap("https://example.org/very/long/path", width=10).splitlines())


def test_wrap_keeps_punctuation_off_line_starts():
    text = "一二三四五六七八九十，一二三四五六七八九十。一二三四五六七八九十！"
    for width in range(8, 40):
        for line in wrap(text, width=width).splitlines():
            assert line[0] not in "，。！", (width, line)
            assert display_width(line) <= width


def test_wrap_mixed_latin_and_cjk_keeps_words():
    lines = wrap("聊城市启动 Smart City 智慧城市建设项目，总投资 1.2 亿元", width=20).splitlines()
    assert all(display_width(x) <= 20 for x in lines)
    assert "Smart" in "".join(lines) and not any(x.endswith("Sma") for x in lines)


def test_underline_by_display_width():
    assert underline("头版要闻", "=") == "头版要闻\n========"
    assert underline("A 版", "-") == "A 版\n----"


def test_subject_strips_line_breaks():
    assert render.subject_for(sample_digest(publication="聊城\r\n日报\x00")) == "聊城 日报 每日摘要 2025-03-26"


def test_environment_is_cached_and_autoescapes_html_only():
    env = render.environment()
    assert env is render.environment()
    assert env.get_template("digest.html").environment.autoescape("digest.html") is True
    assert env.autoescape("digest.txt") is False


# -- headlines, contents, rising keywords (issue 15 items 6, 7, 9) -----------------------------------
def test_headline_is_set_like_a_paper_kicker_above_main_below(settings):
    rendered = render_digest(sample_digest(), settings)
    html = rendered.html
    assert " | " not in html and "千年古城焕新颜 | " not in rendered.text
    kicker = html.index(">千年古城焕新颜</p>")
    main = html.index(">水城老街改造完工</a></p>")
    sub = html.index(">——东关街区“修旧如旧”见闻</p>")
    assert kicker < main < sub
    assert re.search(r'<p class="kicker"[^>]*>千年古城焕新颜</p>', html)
    assert re.search(r'<p class="story-title"[^>]*><a [^>]*>水城老街改造完工</a></p>', html)
    assert re.search(r'<p class="subtitle"[^>]*>——东关街区“修旧如旧”见闻</p>', html)
    assert re.search(r'<p class="item-kicker"[^>]*>运河号子响起来</p>', html)  # section items too
    lines = rendered.text.splitlines()
    at = lines.index("1. 水城老街改造完工 [1]")  # the main title alone on its line
    assert lines[at - 1] == "   千年古城焕新颜" and lines[at + 1] == "   ——东关街区“修旧如旧”见闻"
    at = lines.index("* 临清运河文化节开幕 [5]")
    assert lines[at - 1] == "  运河号子响起来"


def test_headline_split():
    from digest.headline import split_title

    h = split_title("引题 | 主题 | ——副题", "主题")
    assert (h.kickers, h.main, h.subtitles) == (("引题",), "主题", ("——副题",))
    h = split_title("主题 | ——副题")  # no main_title: the only plain part
    assert (h.kickers, h.main, h.subtitles) == ((), "主题", ("——副题",))
    h = split_title("引题 | 主题")  # two plain parts: the second is the main (as the reader decides)
    assert (h.kickers, h.main, h.subtitles) == (("引题",), "主题", ())
    h = split_title("主题 | 下一行", "主题")
    assert (h.kickers, h.main, h.subtitles) == ((), "主题", ("下一行",))
    assert split_title(None) is None and split_title("  ") is None


def _toc_text(text: str) -> list[str]:
    block = text.split("目录\n----\n", 1)[1].split("\n\n", 1)[0]
    return block.splitlines()


def test_contents_number_stories_only(settings):
    rendered = render_digest(week_digest(), settings)
    toc = _toc_text(rendered.text)
    numbered = [line for line in toc if re.match(r"\d+\. ", line)]
    assert numbered == ["1. 水城老街改造完工", "2. 全市春耕生产有序推进", "3. 让“书香聊城”成为城市名片"]
    assert "- 2025-03-26 · 第2版" in toc and "- 2025-03-26 · 第3版" in toc
    assert "- 2025年3月20日至26日上升关键词" in toc
    html = rendered.html
    contents = html[html.index(">目录</p>"):html.index('id="front"')]
    ol = contents[contents.index("<ol"):contents.index("</ol>")]
    assert ol.count("<li") == 3 and "第2版" not in ol and "关键词" not in ol
    assert "第2版" in contents and "上升关键词" in contents  # listed, unnumbered, after the stories


def test_rising_keywords_show_shares_named_after_the_range(settings):
    rendered = render_digest(week_digest(), settings)
    text, html = rendered.text, rendered.html
    assert "本周" not in text and "本周" not in html
    assert "2025年3月20日至26日上升关键词" in text and 'id="keywords"' in html
    assert "近期（2025年3月25日至26日）提到该词的文章占比；括号内为此前（2025年3月20日至24日）的占比。" in text.replace("\n", "")
    assert "\n春耕 30%（此前 2%）\n" in text and "\n运河 15%（此前 0%）\n" in text
    assert "春耕 <span" in html and "30%（2%）" in html
    for pct in re.findall(r"(\d+)%", text):
        assert 0 <= int(pct) <= 100  # a share, never a rise multiplied twice
    assert "↑" not in text and "×" not in text


def test_range_names():
    import datetime as dt

    from digest.render import range_zh

    d = dt.date
    assert range_zh(d(2025, 3, 26), d(2025, 3, 26)) == "2025年3月26日"
    assert range_zh(d(2025, 3, 1), d(2025, 3, 31)) == "2025年3月"
    assert range_zh(d(2024, 1, 1), d(2024, 12, 31)) == "2024年"
    assert range_zh(d(2025, 3, 20), d(2025, 4, 2)) == "2025年3月20日至4月2日"
    assert range_zh(d(2024, 12, 28), d(2025, 1, 3)) == "2024年12月28日至2025年1月3日"
    assert range_zh(d(2022, 1, 1), d(2024, 12, 31)) == "2022年1月1日至2024年12月31日"

"""Property tests over the cleaner, the segmenter and the summariser: no exception escapes on any
input, and what comes out is made of what went in (a subsequence of the cleaned input)."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from digest.reading.repair import clean_text, key
from digest.models import Article
from digest.reading import read_text
from digest.summarize import summarize_article, summarize_text

# Text that looks like a page: Chinese, punctuation of both widths, bylines, markers, line breaks.
PIECES = st.sampled_from([
    "本报讯（记者 张三）", "□本报记者 李四", "■ 王五", "(上接3版)", "(下转2版)", "扫码查看视频", "## ", "**",
    "。", "，", ",", "\"", "“", "”", "！", "？", "\n", "\n\n", " ", "　", "（作者单位：某某大学）",
    "聊城市召开会议", "部署下一阶段工作", "全市经济运行稳中有进", "水城", "茌平 区", "3月24日", "2025年",
    "AI", "App", "1,200", "5.8%", "<script>", "{{ x }}", "\x00", "\t", "——", "……",
])
PAGES = st.lists(st.one_of(PIECES, st.text(min_size=0, max_size=8)), max_size=80).map("".join)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def is_subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(ch in it for ch in small)


@FUZZ
@given(PAGES)
def test_cleaner_never_raises_and_keeps_order(text):
    out = clean_text(text)
    assert clean_text(out) == out
    assert is_subsequence(key(out), key(text))


@FUZZ
@given(PAGES)
def test_segmenter_never_raises_and_bodies_come_from_the_page(text):
    parse = read_text(text, source="fuzz.txt")
    page = key(text)
    for art in parse.articles:
        assert art.kind
        assert is_subsequence(key(art.body), page), art.body


@FUZZ
@given(PAGES)
def test_summariser_never_raises_and_picks_sentences_of_the_text(text):
    for art in read_text(text).articles:
        s = summarize_article(art, max_sentences=3, max_chars=150)
        for sentence in s.sentences:
            assert key(sentence) and key(sentence) in key(art.body)
    s = summarize_text(text, max_sentences=2)
    for sentence in s.sentences:
        assert is_subsequence(key(sentence), key(text))


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_unicode(text):
    read_text(text)
    clean_text(text)
    summarize_article(Article(title=text[:10] or None, byline=None, kind="news", paragraphs=(text,)))

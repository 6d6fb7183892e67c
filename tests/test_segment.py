"""Segmenter tests: synthetic fixture pages (written for these tests) and properties."""
from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.reading.repair import fold
from digest.models import Continuation
from digest.models import PageParse
from digest.reading import join_continuations, read_text

FIX = Path(__file__).resolve().parent / "fixtures" / "segment"
SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "2025-06-18"


def page(name: str, n: int = 1) -> PageParse:
    return read_text((FIX / name).read_text(encoding="utf-8"), source=name, page=n)


def test_headlines_after_their_bodies():
    p = page("headline_after.txt")
    assert [a.kind for a in p.articles] == ["news", "photo_caption", "interview"]
    news, photo, interview = p.articles
    assert news.title == "东湖区首届社区邻里节举行"
    assert news.byline == "林远山 周小禾" and news.dateline == "5月8日"
    assert photo.title is None and photo.byline == "钱小川" and photo.dateline == "5月7日"
    assert interview.title == "乡村振兴开新局 产业发展添动能 | ——访南岭镇党委书记程立"
    assert interview.main_title == "乡村振兴开新局 产业发展添动能"
    assert interview.byline == "孟青 韩东" and interview.dateline == "5月6日"
    assert [a.position for a in p.articles] == [0, 1, 2]


def test_markdown_page_with_report_continuation_and_section_banner():
    p = page("markdown_page.txt", 3)
    report, farm, clinic = p.articles
    assert report.kind == "report_excerpt" and report.byline == "何文清"
    assert report.dateline == "2024年1月9日"
    assert report.main_title == "奋力推进城乡融合发展"
    assert report.continuations == (Continuation("from", "2"),)
    assert report.paragraphs[1] == "加强生态保护。推进河道治理，建设滨河绿道，实现水清岸绿。持续改善空气质量，努力打造宜居城市。"
    assert farm.title == "农技人员田间送技术" and farm.byline == "严冬 白露" and farm.dateline == "3月5日"
    assert clinic.byline == "柯然" and clinic.dateline is None  # 日前 is relative
    assert "春耕生产进行时" in p.furniture
    assert all(a.page == 3 for a in p.articles)


def test_byline_lines_banner_qr_prompt_and_duplicate():
    p = page("bylines_page.txt")
    assert len(p.articles) == 2
    first, second = p.articles
    assert first.title == "河湾区推进老旧小区改造 | 年内完成改造小区四十个"
    assert first.byline == "蒋明 郑云"
    assert first.paragraphs[-1].endswith("增设停车位等项目逐步推开，居民满意度不断提升。")
    assert second.byline == "孔亮" and second.dateline == "6月12日"
    assert len(second.paragraphs) == 3  # the repeated last paragraph is dropped
    assert set(p.furniture) >= {"扫码观看视频", "夏季攻势"}
    for a in p.articles:
        for f in p.furniture:
            assert f not in a.body


def test_sample_issue_joins_the_story_continued_on_page_two():
    pages = [read_text((SAMPLE / f"0{n}.txt").read_text(encoding="utf-8"), f"0{n}.txt", n) for n in (1, 2)]
    assert Continuation("to", "2") in pages[0].continuations
    joined = join_continuations(pages)
    wheat = [a for a in joined if a.title and "麦收" in a.title]
    assert len(wheat) == 1
    assert wheat[0].paragraphs[-1].startswith("各镇街还组织志愿者")
    assert not any(a.paragraphs[0].startswith("各镇街") for a in joined if a is not wheat[0])
    assert len(joined) == len(pages[0].articles) + len(pages[1].articles) - 1


def test_join_continuations_body_cut_at_page_end():
    p1 = read_text("## 第一条新闻\n\n本报讯（记者 甲乙）今年以来，全市新建道路二十条，改造背街小巷四十条，完成了", page=1)
    p2 = read_text("全部年度任务，群众出行更加方便。\n\n## 第二条新闻\n\n本报讯（记者 丙丁）日前，某区举行运动会，参赛者众多。", page=2)
    joined = join_continuations([p1, p2])
    assert [a.title for a in joined] == ["第一条新闻", "第二条新闻"]
    assert joined[0].paragraphs[-1].endswith("完成了全部年度任务，群众出行更加方便。")


def test_empty_and_furniture_only_pages():
    assert read_text("").articles == ()
    p = read_text("扫码查看视频\n\n")
    assert p.articles == () and p.furniture == ("扫码查看视频",)


# -- properties -------------------------------------------------------------------------

CHINESE = st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF)
PIECES = st.sampled_from(["\n", "\n\n", " ", "，", "。", ",", '"', "(上接2版)", "(下转3版)", "□记者 ", "■ ",
                          "本报讯（记者 王明）", "## ", "**", "——", "(作者单位：某局)", "扫码查看视频", "3月4日，",
                          "报道", "通讯员 ", "\u3000", "(", ")", "、"])
PAGE_TEXT = st.lists(st.one_of(st.text(CHINESE, min_size=1, max_size=20), PIECES), max_size=80).map("".join)


def _chars(s: str) -> set[str]:
    return set(fold(unicodedata.normalize("NFKC", s)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PAGE_TEXT)
def test_segmenter_bodies_come_from_the_input(text):
    p = read_text(text)
    src = _chars(text) | {"。", ".", "\n"}
    for a in p.articles:
        assert _chars(a.body) <= src | _chars("“”‘’（），：；！？")
        assert a.duplicate_of is None or a.duplicate_of < a.position
    assert [a.position for a in p.articles] == list(range(len(p.articles)))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_segmenter_never_crashes(text):
    p = read_text(text, source="x", page=2)
    join_continuations([p, read_text(text[::-1], page=3)])

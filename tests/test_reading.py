"""The reader on pages of papers it has never seen: one test per kind of fault (all text invented).

Each page imitates a shape real papers and extraction tools produce (pdftotext with and without
-layout, web copies, Markdown/HTML converters, traditional Chinese); the assertions are about
newspaper structure: what is a headline, a byline, a story, furniture, the issue date.
"""
from __future__ import annotations

import datetime as dt

from pathlib import Path

from digest.reading import issue_date, read_text

SHARED_STYLES = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "styles"


def arts(text: str):
    return [a for a in read_text(text).articles if a.duplicate_of is None]


def body(text: str) -> str:
    return "\n".join(a.body for a in arts(text))


LEDE = "本报讯（记者 石青山）近日，河湾区在老城片区启动雨污分流改造，涉及街巷二十六条，计划年底前完工。"
PARA = "施工方采取分段围挡、错峰作业的方式，尽量减少对居民出行的影响。"
PARA2 = "“以前一下大雨，巷子里的水能没过脚踝。”家住东关街的居民孔德兰说，如今大家盼着工程早日完工。"
LEDE_BODY = LEDE.split("）", 1)[1]
PARA3 = "据介绍，改造完成后，片区排水能力将提高一倍以上，内涝问题有望得到根本解决。"


# -- 1. page furniture ------------------------------------------------------------------------------

def test_page_footers_and_form_feeds_do_not_split_a_story():
    text = (f"河湾区老城片区启动雨污分流改造\n\n本报记者\n石青山\n\n{LEDE_BODY}\n\n{PARA}\n\n第 15 页\n"
            f"\f{PARA2}\n\n{PARA3}\n\n第 16 页\n\f")
    got = arts(text)
    assert len(got) == 1
    assert got[0].title == "河湾区老城片区启动雨污分流改造" and got[0].byline == "石青山"
    assert "第" not in got[0].body.replace("第二", "") and "页" not in got[0].body
    labels = {lb.text.strip(): lb for lb in read_text(text).labels}
    assert labels["第 15 页"].label == "furniture" and "page number" in labels["第 15 页"].reason


def test_source_line_is_data_not_text():
    text = f"河湾区老城片区启动雨污分流改造\n\n《河湾日报》（2026年4月2日 第 03 版）\n\n{LEDE}\n\n{PARA}\n"
    p = read_text(text)
    assert "河湾日报" not in p.articles[0].body
    assert (p.paper, p.printed_date, p.page_label) == ("河湾日报", dt.date(2026, 4, 2), "3")
    assert issue_date([text]).rule == "printed"


def test_masthead_not_glued_to_the_headline():
    text = f"河湾日报电子报 2026.04.02 星期四\n首页 | 往期回顾 | 版面导航\n\n河湾区老城片区启动雨污分流改造\n\n{LEDE}\n"
    [a] = arts(text)
    assert a.title == "河湾区老城片区启动雨污分流改造"
    assert issue_date([text]).date == dt.date(2026, 4, 2)


def test_lists_credits_ui_lines_are_furniture_and_listed():
    text = ("01版：要闻\n02版：综合\n03版：城事\n04版：副刊\n\n本版标题导航\n· 河湾区老城片区启动雨污分流改造\n· 春季赏花地图出炉\n\n"
            f"河湾区老城片区启动雨污分流改造\n\n{LEDE}\n\n【字体：大 中 小】　【打印本页】　【关闭窗口】\n\n"
            "春季赏花地图出炉\n\n本报讯（记者 石青山）河湾区文旅局日前发布春季赏花地图，推荐赏花点位十八处。\n\n"
            "责任编辑：钟小禾　美编：鲁一鸣\n")
    p = read_text(text)
    assert [a.title for a in p.articles] == ["河湾区老城片区启动雨污分流改造", "春季赏花地图出炉"]
    text_of_bodies = "\n".join(a.body for a in p.articles)
    for junk in ("版：", "标题导航", "字体", "责任编辑"):
        assert junk not in text_of_bodies
    furniture = {lb.text.strip() for lb in p.labels if lb.label == "furniture"}
    assert {"01版：要闻", "本版标题导航", "责任编辑：钟小禾　美编：鲁一鸣"} <= furniture


def test_yaml_front_matter_and_html_debris():
    text = ("---\ntitle: 河湾日报 第3版\ndate: 2026-04-02\n---\n\n<div><img src=\"p1.jpg\"></div>\n\n"
            f"## 河湾区老城片区启动雨污分流改造\n\n{LEDE}\n\n{PARA}\n")
    [a] = arts(text)
    assert a.title == "河湾区老城片区启动雨污分流改造" and "<" not in a.body and "title" not in a.body
    d = issue_date([text])
    assert (d.date, d.rule) == (dt.date(2026, 4, 2), "printed")


def test_html_copy_of_a_page():
    text = ("<!DOCTYPE html><html><head><title>河湾日报</title></head><body>"
            "<nav><a href='/'>首页</a> <a href='/p2'>下一版</a></nav>"
            "<h1>河湾区老城片区启动雨污分流改造</h1><p>本报记者 石青山</p>"
            f"<p>{LEDE_BODY}</p><p>{PARA}</p><footer>河湾日报社版权所有</footer></body></html>")
    [a] = arts(text)
    assert a.title == "河湾区老城片区启动雨污分流改造" and a.byline == "石青山"
    assert "首页" not in a.body and "版权" not in a.body and len(a.paragraphs) == 2


# -- 2. headlines -------------------------------------------------------------------------------

def test_headlines_with_column_tags_question_and_exclamation_marks():
    text = (f"## 老巷子里的新变化（记者手记）\n\n文/石青山\n\n{PARA}\n\n{PARA2}\n\n"
            f"## 雨污分流，还要多久？\n\n■ 孔维\n\n{PARA3}\n\n{PARA}\n\n"
            "## 为城市更新点赞！（时评）\n\n■钟小禾\n\n老城更新，改的是街巷，暖的是人心。\n\n把好事办好，贵在倾听。\n")
    got = arts(text)
    assert [a.title for a in got] == ["老巷子里的新变化（记者手记）", "雨污分流，还要多久？", "为城市更新点赞！（时评）"]
    assert [a.byline for a in got] == ["石青山", "孔维", "钟小禾"]
    assert all(a.kind == "commentary" for a in got)


def test_wrapped_headline_and_stack_without_blank_lines():
    wrapped = f"河湾区老城片区雨污分流改造工程进入\n攻坚阶段\n\n本报记者 石青山\n\n{LEDE_BODY}\n"
    assert arts(wrapped)[0].title == "河湾区老城片区雨污分流改造工程进入攻坚阶段"
    stack = f"老城片区排水能力将提高一倍\n河湾区启动雨污分流改造\n——来自施工一线的报道\n本报记者 石青山\n{LEDE_BODY}\n{PARA}\n"
    [a] = arts(stack)
    assert a.title == "老城片区排水能力将提高一倍 | 河湾区启动雨污分流改造 | ——来自施工一线的报道"
    assert a.byline == "石青山" and a.body.startswith("近日")


def test_indented_markdown_heading_and_centred_layout_headline():
    md = f"    ### 河湾区启动雨污分流改造\n\n{LEDE}\n"
    assert arts(md)[0].title == "河湾区启动雨污分流改造"
    layout = ("                      河湾区启动雨污分流改造\n\n"
              "    本报讯（记者 石青山）近日，河湾区在\n老城片区启动雨污分流改造，涉及街巷\n二十六条，计划年底前完工。\n"
              "    施工方采取分段围挡、错峰作业的\n方式，尽量减少对居民出行的影响。\n")
    [a] = arts(layout)
    assert a.title == "河湾区启动雨污分流改造" and a.byline == "石青山" and len(a.paragraphs) == 2


def test_editor_note_above_the_headline_belongs_to_the_story():
    text = (f"编者按 老城更新是民生大事。本报今起推出系列报道，敬请关注。\n\n河湾区启动雨污分流改造\n\n{LEDE}\n\n"
            f"春季赏花地图出炉\n\n本报讯（记者 孔维）河湾区文旅局日前发布春季赏花地图，推荐赏花点位十八处。\n")
    got = arts(text)
    assert [a.title for a in got] == ["河湾区启动雨污分流改造", "春季赏花地图出炉"]
    assert got[0].paragraphs[0].startswith("编者按") and got[0].byline == "石青山"


# -- 3. subheads ----------------------------------------------------------------------------------

def test_subheads_stay_inside_their_story():
    text = (f"河湾区启动雨污分流改造\n\n本报记者 石青山\n\n{LEDE_BODY}\n\n{PARA}\n\n分段施工减少扰民\n\n{PARA2}\n\n"
            f"排水能力提高一倍\n\n{PARA3}\n\n春季赏花地图出炉\n\n本报记者 孔维\n\n河湾区文旅局日前发布春季赏花地图，推荐赏花点位十八处。\n")
    got = arts(text)
    assert [a.title for a in got] == ["河湾区启动雨污分流改造", "春季赏花地图出炉"]
    a = got[0]
    assert [a.paragraphs[i] for i in a.subheads] == ["分段施工减少扰民", "排水能力提高一倍"]
    reasons = {lb.text: lb.reason for lb in read_text(text).labels if lb.label == "subhead"}
    assert set(reasons) == {"分段施工减少扰民", "排水能力提高一倍"} and all("byline" in r for r in reasons.values())


# -- 4. bylines -----------------------------------------------------------------------------------

def test_byline_shapes():
    shapes = {
        "本报记者\n石青山": "石青山",
        "文/石青山": "石青山",
        "> 石青山《河湾日报》（2026年04月02日 第 05 版）": "石青山",
        "特派記者石青山/北京報導": "石青山",
        "本报记者  石青山    实习生  孔维": "石青山 孔维",
        "作者：本报记者 石青山　　来源：河湾日报　　发布时间：2026-04-02": "石青山",
        "□石青山": "石青山",
        "新华社记者 石青山 孔维": "石青山 孔维",
    }
    for line, names in shapes.items():
        text = f"河湾区启动雨污分流改造\n\n{line}\n\n{PARA}\n\n{PARA2}\n"
        [a] = arts(text)
        assert (a.title, a.byline) == ("河湾区启动雨污分流改造", names), line


def test_author_mark_glued_to_the_first_paragraph():
    [a] = arts(f"城市更新要算长远账\n\n□石青山 {PARA}\n\n{PARA2}\n")
    assert (a.title, a.byline, a.kind) == ("城市更新要算长远账", "石青山", "commentary")
    assert a.paragraphs[0] == PARA


def test_closing_wire_credit_gives_byline_and_dateline():
    for credit in ("（新华社北京4月1日电 / 记者石青山、孔维）", "（新华社北京4月1日电\n记者石青山、孔维）"):
        text = f"全国春季造林绿化工作全面展开\n\n{PARA}\n\n{PARA3}\n\n{credit}\n"
        [a] = arts(text)
        assert a.byline == "石青山 孔维" and a.dateline == "新华社北京4月1日电", credit
    glued = f"全国春季造林绿化工作全面展开\n\n{PARA}　　{PARA3}　　{PARA2}　　（新华社北京4月1日电 / 记者石青山、孔维）\n"
    [a] = arts(glued)
    assert a.byline == "石青山 孔维"


def test_brief_headline_with_a_mark_is_not_an_author():
    text = ("简讯\n\n■ 河湾区启动雨污分流改造\n本报讯（记者 石青山）河湾区近日启动雨污分流改造，涉及街巷二十六条。\n\n"
            "■ 春季赏花地图出炉\n本报讯 河湾区文旅局日前发布春季赏花地图，推荐赏花点位十八处。\n")
    got = arts(text)
    assert [(a.title, a.byline) for a in got] == [("河湾区启动雨污分流改造", "石青山"), ("春季赏花地图出炉", None)]


# -- 5. paragraphs and sentences -------------------------------------------------------------

def test_lookalike_radicals_in_a_text_dump_are_repaired():
    # what some PDF tools extract: Kangxi radicals (⼀ ⽇) and supplement forms (⺠) for 一 日 民
    [a] = arts("⼀条热线连接千家万户\n\n本报讯 ⽇前，市⺠服务热线开通。\n")
    assert a.title == "一条热线连接千家万户" and a.body == "本报讯日前，市民服务热线开通。"


def test_extraction_spaces_leave_headlines_when_the_page_scatters_them():
    stray = ("河湾区老城片区 雨污分流改造启动\n\n本报讯 近日,河湾 区在老城片区启动雨污分流改造, 涉及街巷 二十六条,计划年底前完工。"
             "施工方采取分段 围挡、错峰作业的方式,尽量减少 对居民出行的影响。\n")
    assert arts(stray)[0].title == "河湾区老城片区雨污分流改造启动"
    printed_gap = f"河湾区启动雨污分流改造 老城片区告别内涝\n\n{LEDE}\n\n{PARA}\n"
    assert arts(printed_gap)[0].title == "河湾区启动雨污分流改造 老城片区告别内涝"  # a printed gap stays


def test_halfwidth_ideographic_punctuation():
    text = "河湾区启动雨污分流改造\n\n本报讯 近日,河湾区启动雨污分流改造｡涉及街巷､小区二十六处｡施工方采取分段围挡｡\n"
    [a] = arts(text)
    assert "｡" not in a.body and "､" not in a.body and a.body.count("。") == 3 and "、" in a.body


def test_web_copy_paragraphs_glued_into_one_line():
    for glue in ("　　", " "):
        text = f"河湾区启动雨污分流改造\n\n本报记者 石青山\n\n　　{LEDE_BODY}{glue}{PARA}{glue}{PARA2}{glue}{PARA3}\n"
        [a] = arts(text)
        assert len(a.paragraphs) == 4, glue


def test_word_broken_across_a_page_change_is_rejoined():
    # a paragraph line cut at the page end (it looks like a headline on its own)
    text = (f"河湾区启动雨污分流改造\n\n本报记者 石青山\n\n{LEDE_BODY}\n\n为减少对周边居民的影响，施工方将加强环境监\n\n第 3 页\n"
            "\f测，噪声较大的作业安排在白天。\n")
    [a] = arts(text)
    assert "加强环境监测，噪声" in a.body and len(a.paragraphs) == 2
    # two halves of one sentence on both sides of a page footer
    text = (f"河湾区启动雨污分流改造\n\n本报记者 石青山\n\n{LEDE_BODY}\n\n{PARA}为减少对周边居民的影响，施工方将加强扬\n\n"
            "第 3 页\n\f尘源污染治理，噪声较大的作业安排在白天。\n")
    [a] = arts(text)
    assert "加强扬尘源污染治理" in a.body and len(a.paragraphs) == 2


# -- 6. datelines ------------------------------------------------------------------------------------

def test_datelines():
    cases = {
        "【新华社重庆十四日电】（记者钟小禾）重庆山区茶园里，茶农们白天采茶、晚上直播。": ("新华社重庆十四日电", "钟小禾"),
        "本报合肥18日电（记者 石青山）合肥一家企业的车间里，焊接机器人正在调试。": ("本报合肥18日电", "石青山"),
        "【本報消息】蓮溪區社會服務中心屬下的長者飯堂，本月起增設晚市時段。": (None, None),
        "新华社北京10月19日电 记者从有关部门获悉，秋冬季道路交通安全整治行动启动。": ("新华社北京10月19日电", None),
        "本报北京1月4日电 （记者王小明 李大海）国务院新闻办公室4日举行发布会。": ("本报北京1月4日电", "王小明 李大海"),
    }
    for lede, (dateline, byline) in cases.items():
        [a] = arts(f"山区茶农学直播\n\n{lede}\n\n{PARA}\n")
        assert (a.title, a.dateline, a.byline) == ("山区茶农学直播", dateline, byline), lede


# -- 7. issue dates --------------------------------------------------------------------------

def test_printed_dates_win_and_event_dates_never_decide():
    story = f"建于1997年的大桥完成加固\n\n本报讯 2025年7月召开的会议提出，3月3日起开展检测。\n\n{PARA}\n"
    for masthead, day in (("河湾日报 2025.12.22星期一", dt.date(2025, 12, 22)), ("河湾日报 2023/02/11", dt.date(2023, 2, 11)),
                          ("河湾日报\n二〇二六年三月十五日 星期日", dt.date(2026, 3, 15)),
                          ("河湾日报\n2026年3月5日 星期四 第 4 版", dt.date(2026, 3, 5))):
        d = issue_date([f"{masthead}\n\n{story}"])
        assert (d.date, d.rule) == (day, "printed"), masthead
    d = issue_date([story])
    assert d.rule == "guess" and d.date != dt.date(1997, 1, 1) and d.date.year == 2025


def test_year_less_printed_date_takes_the_year_of_its_weekday():
    d = issue_date([f"河湾晚报　3月5日 星期四　A06版\n\n河湾区启动雨污分流改造\n\n本报讯 2024年以来，全区累计改造管网二十公里。\n"])
    assert (d.date, d.rule) == (dt.date(2026, 3, 5), "printed")


# -- 8. briefs ----------------------------------------------------------------------------------------

def test_briefs_column_every_item_an_article_nothing_dropped():
    text = ("一句话新闻\n\n■3月1日，河湾区首批12家“放心消费店”授牌。\n■河湾湿地公园完成春季补植，新栽乔木1800余株。\n"
            "■河湾区第一季度重点项目集中开工 18个项目总投资46亿元\n■即日起，河湾区图书馆周一至周日均对外开放。\n\n"
            "【天气】今天 多云 7℃～13℃ 东北风3级\n")
    p = read_text(text)
    assert len(p.articles) == 4 and all(a.title is None for a in p.articles)
    assert p.articles[2].body.startswith("河湾区第一季度重点项目集中开工")
    assert p.articles[3].kind == "notice"
    labelled = {lb.text for lb in p.labels}
    assert "【天气】今天 多云 7℃～13℃ 东北风3级" in labelled  # set aside, never silently dropped
    assert next(lb for lb in p.labels if lb.text.startswith("【天气】")).label == "furniture"


# -- 9. kinds -----------------------------------------------------------------------------------------

def test_photo_news_and_commentary_kinds():
    text = (f"河湾区启动雨污分流改造\n\n{LEDE}\n\n{PARA}\n\n"
            "春到河湾\n\n3月14日，市民在河湾公园赏花。眼下，园内三千余株樱花进入盛花期。\n本报记者 孔维 摄\n\n"
            "## 城市更新要算长远账（时评）\n\n■ 钟小禾\n\n城市更新不是简单的拆旧建新。\n\n(作者单位：河湾学院)\n")
    got = arts(text)
    assert [a.kind for a in got] == ["news", "photo_caption", "commentary"]
    assert got[1].byline == "孔维" and got[1].title == "春到河湾"


def test_every_nonblank_line_is_accounted_for():
    text = (f"河湾日报\n2026年4月2日 星期四\n第 3 版\n\n河湾区启动雨污分流改造\n\n本报记者\n石青山\n\n{LEDE_BODY}\n\n{PARA}\n\n"
            "扫码看视频\n\n责任编辑：钟小禾\n")
    p = read_text(text)
    nonblank = [i + 1 for i, ln in enumerate(text.split("\n")) if ln.strip()]
    assert sorted({lb.no for lb in p.labels}) == nonblank
    assert all(lb.reason for lb in p.labels)


# -- reading order of interleaved column dumps ----------------------------------------------------

def test_interleaved_columns_are_put_back_in_order():
    """pdftotext of a multi-column page: story A's text stops mid-sentence, story B's headline and
    text come next, A's second chunk follows, then B's own story is printed below an ad box."""
    text = ("河湾区启动雨污分流改造\n本报记者 石青山\n\n"
            "近日，河湾区在老城片区启动雨污分流改造，涉及\n街巷二十六条，计划年底前完工。家住东关街的居\n民孔德兰\n\n"
            "春季赏花地图出炉\n\n"
            "说，如今大家盼着工程早日完工，“以前一下大\n雨，巷子里的水能没过脚踝。”\n\n"
            "河湾区全民健身月\n报名咨询：0000-1234567 主办：河湾区体育局\n\n"
            "本报讯（记者 孔维）河湾区文旅局日前发布春季赏花\n地图，推荐赏花点位十八处，并开通预约服务。\n")
    got = arts(text)
    assert [a.title for a in got] == ["河湾区启动雨污分流改造", "春季赏花地图出炉"]
    assert "居民孔德兰说，如今大家盼着工程早日完工" in got[0].body
    assert got[1].byline == "孔维" and "报名咨询" not in got[1].body
    labels = {lb.text.strip(): lb for lb in read_text(text).labels}
    assert labels["报名咨询：0000-1234567 主办：河湾区体育局"].label == "furniture"


def test_section_label_beside_a_deck_is_not_part_of_the_headline():
    text = f"90后姑娘回村种地\n——记新农人边晓芸\n\n乡村振兴\n\n本报记者 石青山\n\n{PARA}\n"
    assert arts(text)[0].title == "90后姑娘回村种地 | ——记新农人边晓芸"


def test_a_headline_part_holding_a_bar_does_not_break_the_labels():
    # found by the held-out check: a part with " | " in it made the 引题/主题/副题 naming raise
    p = read_text(f"东岭日报 | 城事\n河湾区启动雨污分流改造 | 老城告别内涝\n\n{LEDE}\n")
    assert p.articles and all(lb.reason for lb in p.labels)


def test_stories_with_no_blank_lines_between_them():
    """OCR dumps and whole-page plain text: a headline is known by what follows it (a byline, a
    lede, a photo credit), not by blank lines around it."""
    text = ("河湾区启动雨污分流改造\n本报讯（记者 石青山）近日，河湾区在老城片区启动雨污分流改造。\n"
            f"{PARA}\n春季赏花地图出炉\n文/图 本报记者 孔维\n河湾区文旅局日前发布春季赏花地图，推荐赏花点位十八处。\n"
            "春到河湾\n3月14日，市民在河湾公园赏花，园内樱花进入盛花期。\n通讯员 钟小禾 摄\n")
    got = arts(text)
    assert [a.title for a in got] == ["河湾区启动雨污分流改造", "春季赏花地图出炉", "春到河湾"]
    assert [a.byline for a in got] == ["石青山", "孔维", "钟小禾"]
    assert got[0].body.endswith(PARA) and got[2].kind == "photo_caption"


def test_taiwan_hongkong_and_wire_bylines():
    cases = {
        "【記者溫子謙／南屏報導】南屏縣山區7所小學本學期起共聘3名外籍教師。": ("溫子謙", None),
        "（中央社記者鄭雅文台北1日電）主管機關今天表示，明年起提高補助上限。": ("鄭雅文", "中央社台北1日電"),
        "【維港新報訊】記者區樂晴報道：馬鞍角海濱長廊將於周末舉辦夜市。": ("區樂晴", None),
    }
    for lede, (byline, dateline) in cases.items():
        [a] = arts(f"港都新聞一則\n\n{lede}\n\n官員說明，近年機構收費隨人力成本上升。\n")
        assert (a.byline, a.dateline) == (byline, dateline), lede


def test_signatures_and_credits_at_the_end_of_a_piece():
    tails = {
        "文：麥穎彤　圖：鄺柏熙": "麥穎彤 鄺柏熙",
        "（作者：秦望舒，系楚津师范学院副教授）": "秦望舒",
        "楚津市临江区读者　祝春生": "祝春生",
        "（本报记者 童昕 通讯员 阚文亮）": "童昕 阚文亮",
        "（通讯员 其木格）": "其木格",
    }
    for tail, names in tails.items():
        text = f"小巴站加裝實時到站屏\n\n{PARA}\n\n{PARA3}\n\n{tail}\n\n春季赏花地图出炉\n\n{LEDE}\n"
        got = arts(text)
        assert [a.title for a in got] == ["小巴站加裝實時到站屏", "春季赏花地图出炉"], tail
        assert got[0].byline == names, tail
    [a, b] = arts(f"“年货”清单\n\n吕晓帆　作\n\n节俭过年也有新意\n\n◎胥云帆\n\n{PARA}\n")
    assert (a.title, a.byline, a.kind) == ("“年货”清单", "吕晓帆", "photo_caption")
    assert (b.title, b.byline) == ("节俭过年也有新意", "胥云帆")


def test_an_agency_is_not_a_name():
    [a] = arts(f"冬储菜装满仓\n\n{PARA}\n新华社记者　柏云飞　摄\n")
    assert a.byline == "柏云飞"


def test_a_closing_credit_of_other_reporters_starts_their_story_at_its_headline():
    """No blank lines, no header: the story is known by the credit that closes it."""
    text = ("县图书馆开设“暑期自习室”\n本报讯（通讯员 武晓光）5月28日，县图书馆宣布将开设暑期自习室。\n"
            "自习室实行线上预约，每人每次最多预约4小时。\n一条水渠 浇活了三个村的果园\n"
            "5月28日，西岭村的苹果园里，清水顺着新修的水渠流进果树下。\n这条水渠全长6.4公里，由三个村共同出资。\n"
            "（本报记者 童昕 通讯员 阚文亮）\n")
    got = arts(text)
    assert [(a.title, a.byline) for a in got] == [("县图书馆开设“暑期自习室”", "武晓光"),
                                                  ("一条水渠 浇活了三个村的果园", "童昕 阚文亮")]


def test_numbered_briefs_and_photo_news_under_column_labels():
    text = ("城事速览\n\n1. 地铁5号线南延段试运行\n记者从地铁集团获悉，5号线南延段7日起开始不载客试运行。\n"
            "2. 老城区12条道路夜间“白改黑”\n7月9日至31日，老城区12条道路将实施路面改造。\n\n"
            "便民提示\n\n①7月10日起，市民中心办事大厅周六上午开放。\n②高温期间全市38处避暑纳凉点开放 开放时间为每天10时至18时\n\n"
            "图片新闻\n\n荷塘消夏\n7月7日，市民在城北湿地公园赏荷纳凉。 本报记者 龚岚 摄\n")
    p = read_text(text)
    assert [(a.title, a.byline) for a in p.articles] == [
        ("地铁5号线南延段试运行", None), ("老城区12条道路夜间“白改黑”", None), (None, None), (None, None),
        ("荷塘消夏", "龚岚")]
    assert p.articles[4].kind == "photo_caption" and p.articles[4].body.startswith("7月7日")
    labels = {lb.text.strip(): lb.label for lb in p.labels}
    assert labels["城事速览"] == labels["便民提示"] == labels["图片新闻"] == "furniture"


def test_layout_dump_with_two_columns_side_by_side_is_read_column_by_column():
    left = ["      本报讯（记者 石青山）近日，河湾区在", "  老城片区启动雨污分流改造，涉及街", "  巷二十六条，计划年底前完工。施工",
            "  方采取分段围挡、错峰作业的方式，"]
    right = ["尽量减少对居民出行的影响。", "    “以前一下大雨，巷子里的水能", "没过脚踝。”家住东关街的居民说。", "    据介绍，改造完成后内涝将缓解。"]
    rows = "\n".join(f"{a}{' ' * (44 - len(a))}{b}" for a, b in zip(left, right))
    [a] = arts(f"                          河湾区启动雨污分流改造\n\n{rows}\n")
    assert "错峰作业的方式，尽量减少对居民出行的影响。" in a.body
    assert a.body.index("计划年底前完工") < a.body.index("没过脚踝")


def test_a_whole_issue_dump_is_split_into_its_pages_and_jumps_are_joined(tmp_path):
    from digest.ingest import read_file
    from digest.reading import join_continuations
    from digest.reading.jumps import page_number

    assert [page_number(x) for x in ("3", "03", "三", "十二", "二十", "A3")] == [3, 3, 3, 12, 20, None]
    dump = ("河湾日报 2024年1月5日 星期五 第1版 要闻\n\n长江大桥完成加固改造\n\n本报讯（记者 石青山）近日，长江大桥加固改造"
            "工程顺利通过交工验收，大桥恢复双向通行。施工方介绍，（下转第三版）\n"
            "\f河湾日报 2024年1月5日 星期五 第3版 要闻\n\n（上接第一版）此次改造更换了伸缩缝和支座。\n\n"
            f"春季赏花地图出炉\n\n{LEDE}\n")
    path = tmp_path / "issue.txt"
    path.write_text(dump, encoding="utf-8")
    reading = read_file(path)
    assert [p.page for p in reading.pages] == [1, 3] and reading.pages[1].source.endswith("#page=3")
    joined = join_continuations(reading.pages)
    assert [a.title for a in joined] == ["长江大桥完成加固改造", "春季赏花地图出炉"]
    assert "施工方介绍，此次改造更换了伸缩缝和支座。" in joined[0].body
    # form feeds between PDF pages of ONE 版 (no 版 printed per page) keep the file one page
    one = read_file(SHARED_STYLES / "01_pdftotext-national-paper.txt") if SHARED_STYLES.exists() else None
    assert one is None or len(one.pages) == 1


def test_next_unit_indices_match_a_forward_scan():
    """assemble looks ahead through precomputed indices (a page of 20,000 repeated furniture
    lines took 42 s when each line scanned forward); they must agree with the plain scan."""
    import random

    from digest.reading.articles import _next_kinds
    from digest.reading.heads import ahead as _ahead, next_index as _next_index
    from digest.reading.unit import Unit

    rnd = random.Random(7)
    for _ in range(200):
        units = [Unit(kind=rnd.choice("FXCBHPK"), category=rnd.choice(["edge", "flow"]))
                 for _ in range(rnd.randint(0, 12))]
        content = _next_index(units, lambda u: u.kind in ("F", "X", "C"))
        shown = _next_index(units, lambda u: (u.kind == "F" and u.category == "edge") or u.kind == "X")
        for i in range(len(units)):
            ahead = _ahead(units, i, 1)
            assert (units[content[i]] if content[i] < len(units) else None) is (ahead[0] if ahead else None)
            later = [u.kind for u in units[i + 1:] if not ((u.kind == "F" and u.category == "edge") or u.kind == "X")]
            later += ["", ""]
            assert _next_kinds(units, i, shown) == (later[0], later[1])


def test_a_page_of_one_repeated_line_reads_as_furniture_not_stories():
    page = "\n".join(["河湾区启动改造"] * 3000)
    parse = read_text(page)
    assert not parse.articles


# A markdown dump (a web-to-markdown tool) of a page whose headlines are bold lines: a story with a
# cross-head, a picture and its caption inside; then two stories, the last one without a byline
# or lede of its own but closed by a credit naming someone else.
MD_PAGE = f"""**河湾区老城片区启动雨污分流改造**

本报记者 石青山

{LEDE_BODY}

{PARA}

**巷子里不再积水**

![Image 3](http://epaper.example/res/1/pic.jpg)

*5月3日，工人在东关街铺设排水管道。本报记者 石青山 摄*

{PARA2}

{PARA3}

**河湾区新增十二处公共充电桩**

本报讯（记者 柳岸）河湾区近日在老城片区新增十二处公共充电桩，全部支持扫码付费。

充电桩由区城投公司建设运营，收费标准与全市一致。

**社区书屋开门迎客**

5月3日，河湾区第三家社区书屋在东关街道开门迎客，藏书两千余册。

“孩子放学就能来看书。”居民孔德兰说。

（通讯员 苗禾）
"""


def test_a_picture_and_caption_under_a_crosshead_stay_in_the_story():
    got = arts(MD_PAGE)
    assert got[0].title == "河湾区老城片区启动雨污分流改造"
    assert PARA3 in got[0].body and [got[0].paragraphs[k] for k in got[0].subheads] == ["巷子里不再积水"]
    assert got[0].captions and "排水管道" in got[0].captions[0]
    labels = {lb.text.strip(): lb for lb in read_text(MD_PAGE).labels}
    assert labels["巷子里不再积水"].label == "subhead"


def test_a_closing_credit_naming_others_makes_a_habit_crosshead_a_headline():
    got = arts(MD_PAGE)
    assert [a.title for a in got] == ["河湾区老城片区启动雨污分流改造", "河湾区新增十二处公共充电桩", "社区书屋开门迎客"]
    assert got[2].byline == "苗禾" and "书屋" not in got[1].body


# A front page as pdftotext (no -layout) dumps narrow columns: 16-character lines; the story
# "河湾区…" is cut by a column break (its rest comes after the next story), its photo caption and
# credit come out under the commentary, and the commentary is signed by the paper, not a person.
NARROW_PAGE = """河湾区老城片区
雨污改造已过半

本报记者　石青山

近日，河湾区在老城片区启动雨污分
流改造，涉及街巷二十六条，计划年
底前完工。施工方采取分段围挡、错
峰作业的方式，尽量减少对居民出行
的影响。据介绍，工程总投资约

全市冬季供暖
提前三天启动

本报讯（记者 柳岸）11月15日零时，
全市集中供暖全面启动，供热面积比
去年增加一成。供热公司提醒，室温
不达标可拨打服务热线反映。

2.6亿元。改造完成后，片区排水能
力将提高一倍以上，内涝问题有望得
到根本解决。

河湾时评
老街改造要算好民生账
本报评论员
老街改造，改的是管网，暖的是民心。
既要算好工程账，更要算好民生账，
让居民在改造中有实实在在的获得感。

图为河湾区东关街雨污分流改造施工
现场。
本报记者　石青山摄
"""


def test_a_commentary_signed_by_the_paper_has_its_byline_line_and_no_name():
    got = {a.title: a for a in arts(NARROW_PAGE)}
    c = got["老街改造要算好民生账"]
    assert c.byline in (None, "") and c.body.startswith("老街改造，改的是管网")
    labels = {lb.text.strip(): lb for lb in read_text(NARROW_PAGE).labels}
    assert labels["本报评论员"].label == "byline"


def test_a_column_chunk_that_picks_up_a_cut_sentence_joins_its_story():
    got = {a.title: a for a in arts(NARROW_PAGE)}
    story = got["河湾区老城片区雨污改造已过半"]  # equal-width lines: one headline wrapped, not kicker + main
    assert "工程总投资约2.6亿元。" in story.body and "内涝问题有望得到根本解决" in story.body
    assert "亿元" not in got["全市冬季供暖提前三天启动"].body


def test_a_wrapped_caption_and_its_credit_go_to_the_story_of_the_named_reporter():
    got = {a.title: a for a in arts(NARROW_PAGE)}
    story, comment = got["河湾区老城片区雨污改造已过半"], got["老街改造要算好民生账"]
    assert any("施工现场。" in c for c in story.captions) and not comment.captions
    assert story.byline == "石青山" and comment.byline in (None, "") and comment.kind != "photo_caption"


def test_a_count_at_the_end_of_a_headline_line_needs_the_next_line():
    from digest.reading.runs import wrapped

    assert wrapped("城区新增12处", "“口袋健身角”")
    assert not wrapped("全市冬季供暖", "提前三天启动")  # a kicker and its main headline on a web page
    assert wrapped("全市冬季供暖", "提前三天启动", hard_wrapped=True)


def test_text_that_opens_mid_sentence():
    from digest.reading.words import opens_mid_sentence

    assert opens_mid_sentence("说，今年他流转的三百多亩地全部托管")  # never the first line under a cross-head
    assert opens_mid_sentence("2.6亿元。改造完成后")
    assert not opens_mid_sentence("2024年，全市新增绿地")  # a year opens sentences
    assert not opens_mid_sentence("近日，河湾区启动改造")


def test_a_column_label_above_a_cartoon_title_is_furniture():
    page = ("河湾区老城片区启动雨污分流改造\n\n" + LEDE + "\n\n漫画\n“雨季”备忘录\n"
            "管网越修越通，街巷越走越宽。\n苗禾　作\n")
    p = read_text(page)
    titles = [a.title for a in p.articles]
    assert "“雨季”备忘录" in titles and "漫画" not in titles
    assert {lb.text.strip(): lb.label for lb in p.labels}["漫画"] == "furniture"


def test_a_headline_on_top_of_a_column_whose_lines_look_headline_shaped():
    # pdftotext without -layout: a story cut at its column end (a comma), a blank line, then the
    # next story's two-line headline right on top of its 15-character column lines. Column lines
    # carry no full stop, so they are "headline-shaped" too; the full width below decides.
    page = ("河湾区老旧小区改造\n本报记者 石青山\n"
            "河湾区今年计划改造老旧小区三十\n个，涉及居民一万二千余户，目前\n已有十个小区开工建设。施工队在\n"
            "楼道里更换锈蚀的燃气立管，\n\n"
            "春季农村道路交通\n安全整治行动启动\n"
            "记者从有关部门获悉，为做好春\n耕生产与返程客流叠加期间的农村道\n路交通安全工作，全市整治行动日\n"
            "前启动，将持续至五月底。\n")
    titles = [a.title for a in arts(page)]
    assert titles == ["河湾区老旧小区改造", "春季农村道路交通安全整治行动启动"]


def test_the_papers_name_printed_again_mid_page_is_furniture_a_story_flows_past():
    page = ("河湾日报\n2026年3月5日 星期四\n第01版 要闻\n\n河湾区启动雨污分流改造\n本报记者 石青山\n"
            "近日，河湾区在老城片区启动雨污分流改造，涉及街巷二十\n六条，计划年底前完工。\n\n河湾日报\n\n"
            "改造期间，沿线居民出行将受到一定影响，区住建局已在各\n路口设置了绕行指示牌。\n")
    p = read_text(page)
    assert [a.title for a in p.articles] == ["河湾区启动雨污分流改造"]
    assert "绕行指示牌" in "".join(p.articles[0].paragraphs)
    assert [lb.label for lb in p.labels if lb.text.strip() == "河湾日报"] == ["furniture", "furniture"]


def test_a_credited_photo_caption_under_a_list_heading_is_not_a_list_item():
    from digest.reading.furniture import find
    from digest.reading.formats import to_document

    page = ("今日导读\n\n老街一栋居民楼的楼道里，新装的扶手已经投入使用。 本报记者 石青山 摄\n\n"
            "近日，河湾区在老城片区启动雨污分流改造，涉及街巷二十六条，计划年底前完工。\n")
    doc = to_document(page)
    furn = find(doc)
    assert [doc.lines[i].text for i in furn] == ["今日导读"]


def test_section_and_column_labels_above_a_headline_are_not_its_kicker():
    def story(n: int) -> str:
        return f"本报记者 石青山\n\n第{n}个故事的正文从这里开始，河湾区的居民对此十分关心，纷纷前来了解情况。\n\n"
    page = ("体育\n\n河湾队主场二比一逆转对手\n" + story(1) +          # a label alone between blank lines
            "读书\n在纸上重建一座老城\n" + story(2) +                 # a two-character label right above
            "老城旧事\n\n巷口那家修表铺\n" + story(3) +              # a longer name, alone in its own run
            "河湾夜话\n秋天的第一碗鱼丸\n" + story(4) +              # a column name (…夜话) right above
            "麦收在即\n河湾三万台农机整装待发\n" + story(5))        # a real 引题: a phrase that reads with its 主题
    p = read_text(page)
    assert [a.title for a in p.articles] == [
        "河湾队主场二比一逆转对手", "在纸上重建一座老城", "巷口那家修表铺", "秋天的第一碗鱼丸",
        "麦收在即 | 河湾三万台农机整装待发"]
    labels = {lb.text.strip(): lb.label for lb in p.labels}
    assert [labels[x] for x in ("体育", "读书", "老城旧事", "河湾夜话")] == ["furniture"] * 4


def test_headlines_set_in_lenticular_brackets_and_a_bracketed_photo_credit():
    page = ("河湾报\n2025年10月15日 星期三 第3版\n\n"
            "【河湾区老城片区雨污分流改造过半】\n记者 石青山\n"
            "近日，河湾区在老城片区启动雨污分流改造，涉及街巷二十六条，计划年底前完工。\n"
            "【记者手记】\n改造期间，居民出行受到一些影响，但大家都表示理解。\n\n"
            "【图片新闻】\n【金秋稻香】\n"
            "10月14日，河湾区万亩水稻示范片进入收割期，收割机在稻田里来回穿梭。\n（苗禾　摄）\n\n"
            "【成人高考10月20日起网上报名】\n"
            "今年全国成人高校招生网上报名将于10月20日至26日进行，考生须登录省教育考试院网站报名。\n")
    p = read_text(page)
    got = [(a.title, a.byline, a.kind) for a in p.articles]
    assert got == [("河湾区老城片区雨污分流改造过半", "石青山", "news"), ("金秋稻香", "苗禾", "photo_caption"),
                   ("成人高考10月20日起网上报名", None, "news")]
    assert "居民出行" in "".join(p.articles[0].paragraphs)  # 【记者手记】 is a label inside the story


def test_more_byline_and_credit_forms():
    from digest.reading import fields as fl

    assert fl.byline_line("陈慧文 报道 hwchen@example.com.sg") == (["陈慧文"], False)  # Singapore / Malaysia
    assert fl.byline_line("黄家明、郑伟文 报道") == (["黄家明", "郑伟文"], False)
    assert fl.byline_line("○ 沈小岸") == (["沈小岸"], True)  # any signature mark
    assert fl.lede("河湾晚报讯（记者 石青山）11日，河湾区")[1] == ["石青山"]  # <paper>讯 like 本报讯
    assert fl.lede("据报讯，河湾区") is None
    assert fl.trailer("（河湾书城供稿 伍思文 整理）") == ("credit", ["伍思文"])
    assert fl.trailer("（钱牧文，作者系河湾市作家协会会员）") == ("attribution", ["钱牧文"])
    assert fl.trailer("来源：河湾晚报（记者 褚一帆 实习生 伍佳）") == ("credit", ["褚一帆", "伍佳"])


def test_a_source_line_naming_the_reporter_is_the_closing_credit_and_emoji_leave_headlines():
    page = ("🚌河湾至机场快线7月20日开通❤️\n\n"
            "记者从河湾市交通运输局获悉，河湾至机场快线将于7月20日开通，全程约四十分钟，票价十元。\n"
            "来源：河湾晚报（记者 甘若溪）\n\n"
            "社论：交付延误 更要及时沟通\n\n"
            "对许多年轻夫妇来说，新房是成家立业的起点。交付时间一再推迟，打乱的不只是搬家计划。\n")
    p = read_text(page)
    got = [(a.title, a.byline) for a in p.articles]
    assert got == [("河湾至机场快线7月20日开通", "甘若溪"), ("社论：交付延误 更要及时沟通", None)]


def test_a_page_of_legal_notices_splits_into_one_notice_each():
    # a banner, then notices set as a title, a case number, the text, 特此公告, the court and a date
    # in 〇 numerals: the dates differ, so they are no running footer, and a title after a
    # signature date is no banner inside a sentence
    def notice(court: str, case: str, day: str) -> str:
        return (f"{court}公告\n（2025）河01民初{case}号\n"
                "石某：本院受理原告河湾市某建材有限公司诉你买卖合同纠纷一案，因你下落不明，依法向你公告送达起诉状副本。\n"
                f"特此公告。\n{court}\n二〇二五年五月{day}日\n\n")
    page = ("法院公告\n\n" + notice("河湾市中级人民法院", "218", "十二") + notice("河湾市临川区人民法院", "1536", "十四")
            + notice("河湾市东湖区人民法院", "87", "十五") + "拍卖公告\n"
            "受某公司管理人委托，定于2025年6月6日10时在河湾产权交易网对该公司厂房进行网络拍卖，欢迎竞买。\n"
            "河湾市某公司管理人\n")
    p = read_text(page)
    assert [(a.title, a.kind) for a in p.articles] == [
        ("河湾市中级人民法院公告", "notice"), ("河湾市临川区人民法院公告", "notice"),
        ("河湾市东湖区人民法院公告", "notice"), ("拍卖公告", "notice")]
    assert all(any("二〇二五年五月" in x for x in a.paragraphs) for a in p.articles[:3])


def test_a_credit_glued_to_the_caption_makes_photo_news_under_its_own_headline_only():
    photo_news = ("# 图片新闻\n\n# 秋桂飘香\n\n![](images/a.jpg)\n\n"
                  "近日，河湾植物园的桂花陆续开放，不少市民前来赏花拍照。本报记者 苗禾 摄\n\n"
                  "# 河湾首批智慧公厕投入使用\n\n" + LEDE + "\n")
    p = read_text(photo_news)
    assert [(a.title, a.byline, a.kind) for a in p.articles][:1] == [("秋桂飘香", "苗禾", "photo_caption")]
    assert p.articles[1].title == "河湾首批智慧公厕投入使用"
    # the same picture under a cross-head inside a story: the story goes on after it
    in_story = ("# 河湾区老城片区启动雨污分流改造\n\n" + LEDE + "\n\n**一杯凉茶 一张长椅**\n\n![](images/b.jpg)\n\n"
                "*6月20日，市民在清凉驿站取用凉茶。本报记者 苗禾 摄*\n\n"
                "驿站里的凉茶由附近的中药店免费熬制，每天早上熬两大桶，中午前就被取完了。\n\n"
                "# 河湾区供热管网夏季检修启动\n\n本报讯（记者 苗禾）记者近日从河湾热力公司获悉，今年供热管网夏季检修已经启动。\n")
    p = read_text(in_story)
    assert len(p.articles) == 2 and p.articles[0].kind == "news"
    assert p.articles[0].captions == ("6月20日，市民在清凉驿站取用凉茶。 本报记者 苗禾 摄",)
    assert "中药店" in p.articles[0].paragraphs[-1]


def test_a_serial_with_its_instalment_number_and_chapter_and_a_lead_in_that_ends_in_a_colon():
    page = ("连载\n长篇小说连载·河湾旧事（37）\n第九章　雨夜\n■文/章小岭\n\n"
            "　　雨是后半夜下起来的。阿水蹲在货栈的屋檐下，看着雨点砸在青石板上。\n　　（未完待续）\n\n"
            "## 年末理财 这些“坑”要避开\n\n本报讯（记者 苗禾）年末各类理财产品宣传增多，金融监管部门提醒市民注意以下几点：\n\n"
            "- 警惕“保本高收益”宣传，正规理财产品不得承诺保本保收益；\n- 通过银行柜台或官方渠道购买。\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [
        ("长篇小说连载·河湾旧事（37） | 第九章 雨夜", "章小岭"), ("年末理财 这些“坑”要避开", "苗禾")]
    assert {lb.text.strip(): lb.label for lb in p.labels}["连载"] == "furniture"
    from digest.reading.fields import heading_like

    assert not heading_like("金融监管部门提醒市民注意以下几点：")  # a lead-in, never a headline part
    assert heading_like("改革开放纪事（上）")


def test_a_short_story_signed_at_its_end_begins_at_its_headline_inside_a_page_without_blank_lines():
    # pdfplumber: no blank lines, 17-character column lines; the second story has no byline or lede,
    # only a closing credit naming another reporter; its headline is a short line of its own
    page = ("河湾区跨海大桥主塔封顶\n本报讯（记者 郜小明）3月25日，河湾\n跨海公铁两用大桥3号主塔顺利封顶，\n"
            "标志着大桥建设进入上部结构施工阶\n段。大桥全长16.8公里，建成后从河\n湾到对岸的东屿岛只需15分钟。\n"
            "春季农资抽检合格率98.6%\n近日，省市场监管局公布春季农资质\n量抽检结果，共抽检化肥、农药、种\n"
            "子等样品860批次，不合格产品已全\n部下架。\n（记者 樊子衿）\n")
    got = [(a.title, a.byline) for a in arts(page)]
    assert got == [("河湾区跨海大桥主塔封顶", "郜小明"), ("春季农资抽检合格率98.6%", "樊子衿")]


def test_a_weekly_feature_with_short_cross_heads_stays_one_story():
    page = ("河湾周刊　第326期\n2025年6月20日—6月26日\n河湾日报社主办　每周五出版\n\n封面故事\n\n"
            "一座老厂的“第二人生”\n——从机器轰鸣到咖啡飘香\n\n■文/图 本刊记者 甘小霖\n\n"
            "　　走进河湾棉纺厂旧址，锯齿形屋顶下的老车间里，织布机早已不见踪影，取而代之的是设计工作室和书店。\n\n"
            "老车间里的新租客\n\n"
            "　　三年前，区里引入一家文化企业对老厂进行改造，保留了厂房的砖墙、钢架和老标语。如今园区已入驻企业63家。\n\n"
            "留住工业记忆\n\n"
            "　　园区还在原来的厂办楼里开设了一间厂史馆，陈列着老职工捐出的工作证、奖状和一台老织布机。\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [("一座老厂的“第二人生” | ——从机器轰鸣到咖啡飘香", "甘小霖")]
    assert p.articles[0].subheads and "厂史馆" in p.articles[0].paragraphs[-1]
    labels = {lb.text.strip(): lb.label for lb in p.labels}
    assert labels["河湾日报社主办　每周五出版"] == labels["封面故事"] == "furniture"


def test_a_data_box_after_a_match_report_is_the_reports_not_a_headline_or_a_contents_list():
    page = ("河湾队主场二比一逆转对手\n本报记者 穆小晨\n\n"
            "昨晚，城市足球联赛第12轮在河湾体育中心进行，主场作战的河湾队在落后的情况下连扳两球。\n\n赛况\n"
            "河湾队 2∶1 海港联　　闽川队 0∶0 龙岩山岳　　厦东队 3∶2 泉南之星\n"
            "排名　球队　　　场次　胜　平　负　积分\n"
            "1　　厦东队　　　12　 9　 2　 1　 29\n2　　河湾队　　　12　 8　 3　 1　 27\n\n"
            "河湾半程马拉松鸣枪 八千名跑者畅跑古城\n\n"
            "本报讯（记者 穆小晨）5月11日清晨，河湾半程马拉松在古城南门鸣枪开跑，八千名跑者参赛。\n")
    p = read_text(page)
    assert [a.title for a in p.articles] == ["河湾队主场二比一逆转对手", "河湾半程马拉松鸣枪 八千名跑者畅跑古城"]
    assert "厦东队 12 9 2 1 29" in p.articles[0].paragraphs[-1]


def test_printed_dates_in_every_form_one_parser_for_text_and_pdf():
    from digest.reading.printed_dates import cn_number, printed_date

    assert [cn_number(x) for x in ("二〇二六", "十", "十二", "二十", "三十一")] == [2026, 10, 12, 20, 31]
    assert printed_date("出版日期 2026／03／05")[0] == dt.date(2026, 3, 5)  # full-width slashes (PDF mastheads)
    assert printed_date("2026.13.45 第3版 2026.03.05")[0] == dt.date(2026, 3, 5)  # the first real day
    assert printed_date("二〇二六年三月十五日")[0] == dt.date(2026, 3, 15)
    assert printed_date("中華民國113年10月2日")[0] == dt.date(2024, 10, 2)


def test_the_demo_sample_splits_right():
    # the first digest a new user reads (make demo): a commentary signed at its end after a photo
    # item signed at its top was read as a cross-head of the photo item (a short-head rule)
    sample = Path(__file__).resolve().parents[1] / "samples" / "2025-06-18"
    got = [[(a.title, a.byline, a.kind) for a in read_text((sample / f).read_text(encoding="utf-8")).articles]
           for f in ("01.txt", "02.txt")]
    assert got == [
        [("水城老街改造完工 古巷焕发新活力", "李明远 王小禾", "news"), ("茌平区 麦收进度过半", "赵晴", "news"),
         ("临清 运河文化节下周开幕", None, "news")],
        [(None, None, "news"), (None, "孙立", "photo_caption"), ("让阅读成为城市的气质", "刘芳", "commentary"),
         ("高唐夏季招聘会送岗三千余个", "陈雪", "news"), ("关于调整部分公交线路的公告", None, "notice")]]


def test_bylines_with_any_paper_or_status_prefix_and_in_brackets_under_the_headline():
    from digest.reading import fields as fl

    assert fl.byline_line("晚报记者 沈立言　通讯员 方小蔚") == (["沈立言", "方小蔚"], False)
    assert fl.byline_line("学生记者　庞舒然") == (["庞舒然"], False)
    assert fl.byline_line("特约评论员　闻小卓") == (["闻小卓"], False)
    page = ("河湾县夏粮收购工作启动\n（融媒记者　潘禾青）\n\n"
            "6月17日，河湾县夏粮收购工作全面启动，全县设立收购网点二十六个，预计收购小麦八万吨。\n")
    assert [(a.title, a.byline) for a in arts(page)] == [("河湾县夏粮收购工作启动", "潘禾青")]


def test_a_headline_and_its_byline_on_one_line():
    page = ("春耕用肥需求见顶 尿素价格小幅回落　　本报记者　黄穗生\n\n"
            "进入5月，春耕用肥需求逐步见顶，国内尿素价格连续两周小幅回落，市场观望情绪有所增加。\n\n"
            "农资保供要算好“两本账”　　特约评论员　闻小卓\n\n"
            "农资价格关系农民的钱袋子，也关系粮食生产的底气。保供稳价既要算好眼前账，也要算好长远账。\n")
    assert [(a.title, a.byline) for a in arts(page)] == [
        ("春耕用肥需求见顶 尿素价格小幅回落", "黄穗生"), ("农资保供要算好“两本账”", "闻小卓")]


def test_a_portal_copy_source_line_ends_the_story_and_a_bare_name_under_a_headline_is_its_author():
    page = ("首页 > 要闻\n\n小微企业贷款“秒批”背后\n本报记者　甘露白\n"
            "近日，河湾市一家五金加工厂负责人在手机上申请了五十万元贷款，不到一分钟就收到了审批结果。\n"
            "《河湾日报》（2025年04月22日　第05版）\n(责编：韦思琪、柯远)\n\n"
            "让数据多跑路 让企业少跑腿\n穆清和\n"
            "4月21日，我省出台优化营商环境二十条措施，其中多条直指企业办事中的“堵点”。\n"
            "营商环境好不好，企业最有发言权。把数据共享做实，才能让企业把更多精力用在发展上。\n")
    assert [(a.title, a.byline) for a in arts(page)] == [
        ("小微企业贷款“秒批”背后", "甘露白"), ("让数据多跑路 让企业少跑腿", "穆清和")]


def test_briefs_whose_headline_runs_in_with_the_text():
    page = ("本地简讯\n"
            "■城南片区今起停气检修　28日起，市燃气公司对城南片区中压管网进行检修，涉及6个小区，预计11月1日恢复供气。\n"
            "■第二批“口袋公园”建成　今年以来，我市利用边角地新建口袋公园15个，每个公园都配有儿童游乐设施和\n"
            "健身器材，周边居民步行5分钟即可到达。\n"
            "■市急救中心提醒：秋冬季节心脑血管疾病高发，老年人晨练不宜过早。\n\n"
            "■ 简讯\n\n"
            "市图书馆推出“夜读计划” 本报讯 自3月15日起，市图书馆每周五、周六开放至晚上十点。（记者 周立群）\n")
    p = read_text(page)
    got = [(a.title, a.byline) for a in p.articles]
    assert got == [("城南片区今起停气检修", None), ("第二批“口袋公园”建成", None), (None, None),
                   ("市图书馆推出“夜读计划”", "周立群")]
    assert p.articles[1].paragraphs[-1].endswith("周边居民步行5分钟即可到达。")
    assert {lb.text.strip(): lb.label for lb in p.labels}["■ 简讯"] == "furniture"


def test_a_start_date_still_ahead_never_dates_the_issue():
    d = issue_date(["本报讯 3月10日上午，新区公交快线正式开通。我市2026年春季体质监测3月11日启动。"
                    "市图书馆自3月15日起每周五开放至晚上十点。"])
    assert (d.date, d.rule) == (dt.date(2026, 3, 12), "guess")  # the day after 3月11日, not after 3月15日


def test_a_headline_and_its_dash_deck_over_the_text_with_no_blank_line_and_a_dateline_is_no_run_in_head():
    page = ("河湾民宿组建联盟\n本报记者　舒小婷\n\n"
            "　　近两年，上坪村的民宿从3家增加到12家，可旺季一房难求、淡季门可罗雀的问题也越来越突出。\n\n"
            "农技专家进村“坐诊”\n——省农科院专家团在高桥乡开展冬季技术服务\n"
            "　　12月8日，省农科院8名专家来到高桥乡，走进果园和大棚，现场指导果树修剪和大棚保温。\n"
            "　　“冬季管理做得好，明年产量能提高一成。”果树专家一边示范一边讲解。\n\n"
            "长三角首条跨省氢能重卡干线开通\n"
            "本报杭州4月21日电　（记者严可、聂一帆）21日，连接东岭港与杭州湾物流园的氢能重卡干线正式开通。\n")
    got = [(a.title, a.byline) for a in arts(page)]
    assert got == [("河湾民宿组建联盟", "舒小婷"),
                   ("农技专家进村“坐诊” | ——省农科院专家团在高桥乡开展冬季技术服务", None),
                   ("长三角首条跨省氢能重卡干线开通", "严可 聂一帆")]


def test_a_page_of_notices_with_letter_spaced_titles_and_one_signature_date():
    def notice(title: str, body: str, signer: str) -> str:
        return f"{title}\n{body}\n{signer}\n2025年7月2日\n－－－－－－－－－－－－\n"
    page = ("河湾都市报　2025年7月3日　星期四　第15版\n\n公告·声明\n\n"
            + notice("讣　告", "河湾市第一中学退休教师柯守仁同志，因病医治无效，于2025年7月1日在河湾逝世，享年89岁。", "柯守仁同志治丧委员会")
            + notice("声　明", "近期，有不法分子冒用我公司名义向社会人员推销理财产品。为此，\n一、我公司从未开展理财产品销售业务；\n"
                     "二、凡以我公司名义进行的上述活动，均与我公司无关。\n特此声明。", "河湾恒远置业有限公司")
            + notice("致歉声明", "本人于2025年6月18日在网络平台发布了有关某诊所的不实信息，特此致歉。", "声明人：祁向东")
            + "\n公告声明刊登热线：0597-5556688（工作日8:30—17:30）\n")
    p = read_text(page)
    assert [(a.title, a.kind) for a in p.articles] == [("讣告", "notice"), ("声明", "notice"), ("致歉声明", "notice")]
    assert p.articles[1].paragraphs[0].startswith("近期")
    labels = {lb.text.strip(): lb.label for lb in p.labels}
    assert labels["公告·声明"] == labels["公告声明刊登热线：0597-5556688（工作日8:30—17:30）"] == "furniture"


def test_a_question_and_answer_page_and_a_readers_letter():
    def item(q: str, who: str) -> str:
        return (f"{q}\n【网友留言】网友“{who}”：小区南门外的三盏路灯不亮了，晚上出门很不方便，希望有关部门尽快修好。\n"
                "【部门回复】市城市管理局：您好！经核实，该路段路灯因电缆被挖断导致熄灭，已于3月5日修复。\n（记者 言小佳 整理）\n\n")
    page = ("民声热线\n本栏目由本报与市12345政务服务便民热线联合开办\n\n" + item("小区门口路灯坏了一个月谁来修？", "梧桐树下")
            + item("公交站台何时能加装座椅？", "老杨头") + "读者来信\n社区食堂开进了老小区\n编辑同志：\n"
            "我今年78岁，和老伴住在老小区里。去年冬天，社区在楼下办起了食堂，一荤两素只要12元。\n河湾街道读者　潘素琴\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [
        ("小区门口路灯坏了一个月谁来修？", "言小佳"), ("公交站台何时能加装座椅？", "言小佳"), ("社区食堂开进了老小区", "潘素琴")]
    labels = {lb.text.strip(): lb.label for lb in p.labels}
    assert labels["本栏目由本报与市12345政务服务便民热线联合开办"] == labels["读者来信"] == "furniture"


def test_news_from_units_in_brackets_each_a_brief_and_the_pages_credits_line_is_furniture():
    page = ("河湾大学报\n2025年11月20日　第812期　第3版\n\n"
            "我校学子在机器人大赛中获一等奖\n学生记者　庞舒然\n\n"
            "11月18日，从全国大学生机器人大赛总决赛传来消息，我校团队设计的仓储搬运机器人获一等奖。\n\n院系动态\n"
            "【经济管理学院】11月15日，学院举办“数字经济与乡村振兴”青年学者论坛，来自8所高校的学者参加。\n"
            "【外国语学院】11月16日，第五届翻译大赛决赛举行，英语专业大三学生获特等奖。\n\n"
            "河湾大学党委宣传部主办　　本版编辑：桂小溪　　投稿邮箱：xiaobao@example.edu.cn\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [
        ("我校学子在机器人大赛中获一等奖", "庞舒然"), (None, None), (None, None)]
    assert p.articles[2].paragraphs[0].startswith("【外国语学院】")
    labels = {lb.text.strip(): lb.label for lb in p.labels}
    assert labels["院系动态"] == labels["河湾大学党委宣传部主办　　本版编辑：桂小溪　　投稿邮箱：xiaobao@example.edu.cn"] == "furniture"


def test_a_bulletins_masthead_date_and_distribution_list():
    page = ("河湾融媒　第28期（总第412期）\n河湾县融媒体中心编印　　　　　　2025年6月18日\n\n"
            "我县召开防汛工作部署会\n（融媒记者　潘禾青）\n6月17日，全县防汛工作部署会召开，会议通报了今年汛期气象趋势预测。\n\n"
            "报：县委、县人大、县政府、县政协领导\n送：各乡镇党委、政府，县直各单位\n（共印200份）\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [("我县召开防汛工作部署会", "潘禾青")]
    assert p.printed_date == dt.date(2025, 6, 18)
    labels = {lb.text.strip(): lb.label for lb in p.labels}
    assert [labels[x] for x in ("报：县委、县人大、县政府、县政协领导", "送：各乡镇党委、政府，县直各单位", "（共印200份）")] \
        == ["furniture"] * 3


def test_an_author_line_with_a_bar():
    from digest.reading import fields as fl

    assert fl.byline_line("文｜钟离小舟") == (["钟离小舟"], True)
    assert fl.byline_line("文|钟小舟") == (["钟小舟"], True)
    from digest.reading.furniture import line_reason

    assert line_reason("文｜钟离小舟") is None  # not a label with layout debris


def test_a_digest_page_of_reprints_each_headed_by_a_short_line_and_closed_by_its_source():
    page = ("河湾文摘周报　2025年2月27日　第8版\n\n"
            "父亲的自行车\n小时候，父亲每天骑一辆二八自行车上班。车后座上绑着一块木板，那是我的“专座”。\n"
            "如今那辆车还在老家的屋檐下，父亲说什么也不肯卖。\n（摘自《青苑晚报》）\n\n"
            "菜市场里的人间烟火\n想了解一座城市，就去逛逛它的菜市场。清早六点，卖豆腐的阿婆已经摆好了摊。\n"
            "（摘自《岚南日报》　舒曼青/文）\n\n"
            "华埠夏季夜市重新开张\n停办三年的华埠夏季夜市7月6日晚重新开张，吸引了大批市民。（记者 区嘉欣）\n"
            "海外华文教育研讨会在北京举行\n来自30多个国家和地区的150余名华文学校校长和教师7月8日齐聚北京。\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [
        ("父亲的自行车", None), ("菜市场里的人间烟火", "舒曼青"), ("华埠夏季夜市重新开张", "区嘉欣"),
        ("海外华文教育研讨会在北京举行", None)]


def test_marked_cross_heads_stay_in_their_story_and_a_column_label_over_items_is_furniture():
    page = ("物业擅自改变车位用途 业主起诉获支持\n本报记者　宗小苒\n\n"
            "10月14日，河湾市南溪区人民法院公开宣判一起物业服务合同纠纷案，判决物业公司恢复公共车位的原有用途。\n"
            "◆法官释法\n小区公共车位属于全体业主共有，改变用途须经业主共同决定，物业公司应当承担相应责任。\n\n"
            "案件速递\n\n醉驾电动自行车撞伤行人被判赔\n"
            "10月13日，青麓县人民法院审结一起交通事故责任纠纷案，被告酒后驾驶超标电动自行车撞伤行人。\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [
        ("物业擅自改变车位用途 业主起诉获支持", "宗小苒"), ("醉驾电动自行车撞伤行人被判赔", None)]
    assert p.articles[0].subheads and "业主共同决定" in p.articles[0].paragraphs[-1]
    assert {lb.text.strip(): lb.label for lb in p.labels}["案件速递"] == "furniture"


def test_numbered_stories_app_counters_and_disclaimers():
    page = ("河湾报　第2版　县域新闻\n2025.04.17\n==============================\n"
            "1.河湾至青石公路改造完工通车\n文/尤青岩\n"
            "　　4月16日，全长23公里的河湾至青石公路改造工程完工通车，沿线8个村的农产品运输更方便了。\n"
            "阅读 1.2万　　点赞 36\n==============================\n"
            "2.“小院议事”议出好日子\n——青石镇推行院落自治见闻\n文/殷若水　图/邰一鸣\n"
            "　　4月15日傍晚，青石镇桃源村的一个农家小院里，十几位村民围坐在一起，商量村里小广场的事。\n"
            "（本版内容仅供参考，具体诊疗请遵医嘱）\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [
        ("河湾至青石公路改造完工通车", "尤青岩"), ("“小院议事”议出好日子 | ——青石镇推行院落自治见闻", "殷若水 邰一鸣")]
    labels = {lb.text.strip(): lb.label for lb in p.labels}
    assert labels["阅读 1.2万　　点赞 36"] == labels["（本版内容仅供参考，具体诊疗请遵医嘱）"] == "furniture"


def test_signatures_by_occupation_headlines_trailing_off_and_a_masthead_of_name_and_page():
    from digest.reading import fields as fl
    from digest.reading.furniture import line_reason

    assert fl.byline_line("退休教师　沐小华") == (["沐小华"], True)
    assert fl.heading_like("暑期游泳馆一票难求？记者探访发现……")
    assert not fl.heading_like("游泳馆周末一票难求？记者走访了城区五家游泳馆，发现周末上午最紧张")
    assert line_reason("河湾晚报 · 民生频道　　第A07版")[1].startswith("masthead")
    assert not fl.heading_like("同志们！让我们团结一心")  # an exclamation inside: a sentence, not a headline


def test_a_byline_names_no_paper_but_a_masthead_or_a_quoted_source_does():
    p = read_text("河湾区老城片区启动雨污分流改造\n■ 本报记者 石青山\n\n" + LEDE + "\n")
    assert p.paper is None  # 本报记者 is no paper's name
    p = read_text("河湾日报\n2025年6月18日 星期三\n\n河湾区老城片区启动雨污分流改造\n■ 本报记者 石青山\n\n" + LEDE + "\n")
    assert p.paper == "河湾日报"
    p = read_text("河湾区老城片区启动雨污分流改造\n石青山《河湾日报》（2025年06月18日 第 05 版）\n\n" + LEDE + "\n")
    assert p.paper == "河湾日报"


def test_a_headline_printed_away_from_its_text_finds_it_by_the_credit_of_the_picture_above_it():
    # pdftotext of a front page: the lead's headline and byline come first, another story and a
    # 导读 list follow, then the lead's picture (credited to the lead's reporter) and the lead's text
    page = ("河湾老城更新让九万户住得更舒心\n本报记者 柯云舟\n\n"
            "一季度外贸“开门稳”\n本报记者 冉秋阳\n"
            "3月3日，河湾港集装箱码头，满载汽车零部件的货轮缓缓靠泊，一只只集装箱被稳稳吊上堆场。\n\n"
            "今日导读\n● 溯河大桥“体检”进行时 〔3版〕\n\n"
            "苇塘巷一栋居民楼的楼道里，新装的扶手和折叠座椅已经投入使用。 本报记者 柯云舟 摄\n\n"
            "3月3日清晨，河湾市苇塘巷里，施工队正在更换最后一段老旧燃气管道，居民拿红笔在进度图上打勾。\n")
    p = read_text(page)
    got = {a.title: a for a in p.articles}
    lead = got["河湾老城更新让九万户住得更舒心"]
    assert lead.byline == "柯云舟" and "燃气管道" in lead.paragraphs[0]
    assert any("扶手" in c for c in lead.captions) and not got["一季度外贸“开门稳”"].captions


def test_a_wrapped_line_runs_on_into_a_line_that_looks_labelled():
    """A column broken at 两 / 袋复合肥：“… read the second line as a labelled paragraph (记者：, 问：),
    splitting the sentence; after a full line that does not end a sentence it runs on."""
    text = ("岚川日报　2025年3月12日\n\n春耕农资送到家门口\n本报记者　范小禾\n\n"
            "　　3月11日，青河县供销社农资配送中心门前，一辆辆\n"
            "满载化肥的货车正驶向各乡镇网点，今年全县已储备化\n"
            "肥3.2万吨。\n"
            "　　在青河镇石埠村的农资店里，村民单大爷刚刚买好两\n"
            "袋复合肥：“家门口就能买到，价格还和去年\n"
            "差不多。”\n"
            "　　记者：今年农资价格怎么样？\n"
            "　　店主：和去年差不多，部分品种还降了。\n")
    (a,) = arts(text)
    assert "在青河镇石埠村的农资店里，村民单大爷刚刚买好两袋复合肥：“家门口就能买到，价格还和去年差不多。”" in a.paragraphs
    assert "记者：今年农资价格怎么样？" in a.paragraphs and "店主：和去年差不多，部分品种还降了。" in a.paragraphs


def test_ornamented_headlines_and_marked_cross_heads_that_go_on_with_the_story():
    """A health page sets its headlines between 〓 marks and its cross-heads after ◎: the marks are
    not the headline's, and a ◎ head whose text points back (该科…, a name the story used) is a
    cross-head of the story, not a brief; a dated line of a list is no masthead date."""
    page = ("江岭日报 · 健康周刊\n2026年4月8日　星期三　第9版\n\n"
            "〓换季时节 儿童咳嗽多发〓\n\n全媒体记者 龙小溪\n\n"
            "近日，江岭市儿童医院呼吸科门诊量明显增加，不少家长带着咳嗽的孩子前来就诊。\n"
            "◎反复咳嗽别大意\n"
            "该科主任医师卫明川介绍，换季时昼夜温差大，孩子呼吸道容易受刺激，咳嗽超过两周要及时就医。\n"
            "◎家长护理有讲究\n"
            "卫明川说，孩子咳嗽期间要多喝温水，室内保持通风，不要自行给孩子服用止咳药。\n\n"
            "〓本周义诊安排〓\n\n"
            "4月10日（周五）上午，江岭市中医医院专家在人民广场开展中医体质辨识义诊；\n"
            "4月11日（周六）上午，市妇幼保健院专家在滨江公园开展儿童保健咨询。\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [("换季时节 儿童咳嗽多发", "龙小溪"), ("本周义诊安排", None)]
    first = p.articles[0]
    assert len(first.subheads) == 2 and "卫明川说" in first.body
    assert p.articles[1].body.startswith("4月10日（周五）上午")


def test_bracketed_section_labels_inside_a_story_stay_in_it():
    """【市民来电】/【记者调查】/【部门回复】 between a story's paragraphs label its parts: not
    headlines (a 【headline】 stands after a blank line), and 记者调查 names no reporter."""
    page = ("江岸晚报\n2026年4月9日 星期四\n\n"
            "老旧小区路灯不亮 居民夜行摸黑\n\n"
            "【市民来电】\n“小区里的路灯坏了快一个月，晚上回家只能打手机照明。”家住南岸小区的读者反映。\n"
            "【记者调查】\n记者来到南岸小区看到，小区主干道十多盏路灯中有六盏不亮。\n"
            "【部门回复】\n南岸街道工作人员表示，已联系供电部门排查线路，本周内修复。\n"
            "（记者 蓝小舟）\n\n"
            "【社区菜市场改造完工】\n\n4月8日，南岸社区菜市场改造完工，新增摊位四十个。\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [
        ("老旧小区路灯不亮 居民夜行摸黑", "蓝小舟"), ("社区菜市场改造完工", None)]
    assert "南岸街道工作人员表示" in p.articles[0].body


def test_letters_signed_at_the_end_and_an_e_mail_editions_own_lines():
    """A readers' page sent as e-mail: its view-in-browser, where-to-write and unsubscribe lines are
    furniture; a letter signed ——District Name, and an item closed by （District Name）, are signed."""
    page = ("东湖日报·读者来信　第38期\n2026年4月20日\n如果邮件无法正常显示，请点击这里查看网页版\n\n"
            "一位保洁员的善举\n━━━━━━━━━━━━\n\n编辑同志：\n"
            "4月18日上午，我在公园晨练时丢了钱包，保洁员捡到后一直在原地等我，分文不取。\n"
            "——江北区 欧阳晴\n\n------------------------------\n\n来信摘登\n\n"
            "◇小区快递柜该修了\n我们小区的快递柜坏了半个月，取件很不方便，希望物业尽快维修。（城南区 梁小禾）\n\n"
            "来信请寄：东湖市文昌路9号东湖日报读者来信版　邮箱：letters@donghu.example\n退订请回复TD\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [("一位保洁员的善举", "欧阳晴"), ("小区快递柜该修了", "梁小禾")]
    labels = {lb.text.strip(): lb.label for lb in p.labels}
    assert labels["如果邮件无法正常显示，请点击这里查看网页版"] == labels["退订请回复TD"] == "furniture"
    assert labels["来信请寄：东湖市文昌路9号东湖日报读者来信版　邮箱：letters@donghu.example"] == "furniture"


def test_an_official_notice_a_wire_digest_and_an_app_copys_source_lines():
    """An official 关于…的通知 heads a story of its own after a signed feature; a headline over 据X社
    报道， opens a story (a wire digest), not a cross-head; an app copy's 本文来源：… line closes its
    story, and 作者：X（单位） names X."""
    from digest.reading import fields as fl

    page = ("西岭日报　2026年6月2日　第5版\n\n"
            "暑期托管班报名开始\n本报记者　祝小川\n\n"
            "6月1日，西岭市暑期托管班开始报名，全市设托管点四十个。\n"
            "市教育局表示，托管班以阅读、体育和科普活动为主，不上新课。\n\n"
            "关于做好2026年初中学业水平考试有关工作的通知\n\n"
            "各县（区）教育局，各有关学校：\n现将我市2026年初中学业水平考试有关事项通知如下。\n"
            "西岭市教育考试院\n2026年5月30日\n\n"
            "欧洲多国航班运力创新高\n\n"
            "据法新社报道，当地时间5月30日，欧洲航空业协会发布数据显示，今年夏季欧洲主要航空公司运力同比增长。\n"
            "本文来源：西岭日报 2026-06-02 第5版\n\n"
            "在湖边等一场日落\n作者：黎小月（西岭市第三中学教师）\n\n"
            "很多年没有这样安静地看一场日落了。湖面上有几只白鹭低低地飞。\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [
        ("暑期托管班报名开始", "祝小川"), ("关于做好2026年初中学业水平考试有关工作的通知", None),
        ("欧洲多国航班运力创新高", None), ("在湖边等一场日落", "黎小月")]
    assert {lb.text.strip(): lb.label for lb in p.labels}["本文来源：西岭日报 2026-06-02 第5版"] == "furniture"
    assert fl.dateline("记者获悉，5月20日起至5月31日，全市6家景区门票半价。") == "5月20日"


def test_ad_address_lines_bar_marked_briefs_and_an_ocr_date():
    """营销中心：…号 is an ad's address, not a kicker; ▍ marks a brief like ■ (its column label over it
    is furniture); an OCR running head reading 5月19曰 is still the masthead date."""
    from digest.reading.formats import repair_characters

    page = ("南江晚报　2026年5月16日　星期六　B04\n\n"
            "营销中心：南江市滨江大道188号\n咨询热线：0872-66886688\n\n"
            "4月南江新房成交环比上涨12%\n\n"
            "本报讯（记者 卓小帆）市住建局最新数据显示，4月份南江市区新建商品住宅共成交2163套。\n\n"
            "车市速递\n\n▍南江新能源汽车下乡活动启动\n"
            "5月14日，南江市新能源汽车下乡活动在榆溪县启动，12个品牌的40余款车型参展。\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [
        ("4月南江新房成交环比上涨12%", "卓小帆"), ("南江新能源汽车下乡活动启动", None)]
    labels = {lb.text.strip(): lb.label for lb in p.labels}
    assert labels["营销中心：南江市滨江大道188号"] == labels["车市速递"] == "furniture"
    assert repair_characters("东岚日报 2026年5月19曰 星期二") == "东岚日报 2026年5月19日 星期二"
    assert repair_characters("子曰：学而时习之") == "子曰：学而时习之"


def test_a_marked_box_label_and_its_title_stay_in_the_story():
    """■链接 after a story, then the box's own title and text: the box belongs to the story (the
    label named no author 链接, and its title opened no story of its own)."""
    page = ("西岭日报　科技　2026年5月12日\n\n"
            "AI眼镜走进日常还有多远\n\n本报记者 葛小川\n\n"
            "5月10日，在西岭会展中心举行的智能硬件展上，十几款AI眼镜摆满了展台。\n"
            "业内人士认为，随着端侧大模型的成熟，AI眼镜有望走进更多人的日常生活。\n\n"
            "■链接\n什么是端侧大模型\n"
            "端侧大模型是指直接运行在手机、眼镜等终端设备上的人工智能模型，不必把数据上传到云端处理。\n\n"
            "芯片企业年内量产车规级芯片\n\n本报记者 蓝若川\n\n"
            "记者从西岭高新区获悉，区内芯片企业研发的车规级芯片已通过可靠性认证。\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [
        ("AI眼镜走进日常还有多远", "葛小川"), ("芯片企业年内量产车规级芯片", "蓝若川")]
    assert "端侧大模型是指" in p.articles[0].body and p.articles[0].subheads


def test_a_page_of_photo_news_with_slash_credits_and_an_untitled_wire_caption():
    """X/摄 on its own line credits the picture; after photo news closed by its credit, a caption that
    carries its own credit (…。新华社记者 X 摄) is a picture of its own, not the previous one's."""
    page = ("西岭日报\n2026年5月20日　星期三\n第4版　图片新闻\n\n"
            "夜市烟火气\n\n夜幕降临，西岭老城区的夜市灯火通明，小吃摊前人头攒动。\n柏舟/摄\n\n"
            "5月19日，在邻省平原县一处农场，收割机在金色麦田中作业。新华社记者 蓝天野 摄\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [("夜市烟火气", "柏舟"), (None, "蓝天野")]


def test_a_page_without_blank_lines_of_dated_ledes_charts_and_a_wire_story():
    """No blank line anywhere: 本报4月16日讯（记者 X） is a lede naming X; 经济·06 is the page label; a
    headline after a chart's 数据来源/制图 line heads the next story; a headline inside a wire story
    (据新华社电) whose text closes with the paper's own credit began a story of its own."""
    page = ("南江日报\n2026年4月17日　星期五\n经济·06\n"
            "一季度全市GDP同比增长5.8%\n"
            "本报4月16日讯（记者 程小远）市统计局今天发布数据，一季度全市实现地区生产总值1200亿元。\n"
            "分产业看，第一产业增加值增长3.6%，第二产业增加值增长6.1%，第三产业增加值增长5.9%。\n"
            "一季度全市规上工业增加值增速（%）\n1—2月　6.8\n3月　7.6\n数据来源：市统计局　制图：严小舟\n"
            "3月份CPI同比上涨0.6%\n"
            "据新华社电 国家统计局日前发布数据，3月份全国居民消费价格指数同比上涨0.6%。\n"
            "扣除食品和能源价格的核心CPI同比上涨0.9%，涨幅保持稳定。\n"
            "南江港一季度集装箱吞吐量创新高\n"
            "今年一季度，南江港完成集装箱吞吐量86.4万标箱，同比增长11.3%，创历史同期新高。\n"
            "港口集团相关负责人介绍，今年以来新开通集装箱航线5条。\n"
            "（本报记者 施雨岚）\n责任编辑：姜南\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [
        ("一季度全市GDP同比增长5.8%", "程小远"), ("3月份CPI同比上涨0.6%", None),
        ("南江港一季度集装箱吞吐量创新高", "施雨岚")]
    assert {lb.text.strip(): lb.label for lb in p.labels}["经济·06"] == "furniture"


def test_an_opinion_page_of_short_commentaries_signed_at_their_end():
    """No blank lines: a commentary signed at its end (作者：X) after another signed at its top began
    at the headline-shaped line after the first one's last sentence; one closed by （Name） ends
    there; the page's disclaimer (本版言论仅代表作者个人观点) is furniture."""
    page = ("A02 观点\n南江晚报　2026年4月14日　星期二\n"
            "让便民生活圈更有温度\n■ 邹一苇\n"
            "在家门口就能买菜、修鞋、看病，便民生活圈让城市生活更便利。但也要看到，一些服务点开了又关。\n"
            "便民生活圈建得好不好，居民说了算。\n"
            "别让打卡式学习走了样\n"
            "每天学习多少分钟、答题多少道，要截图上传、按时打卡，一些单位把学习变成了打卡竞赛。\n"
            "学习贵在入脑入心。\n"
            "作者：戚小雨\n"
            "景区一票到底值得推广\n"
            "近日，我市多家景区推出一票到底，游客购买一次门票即可游览园内所有景点，值得推广。（贺知秋）\n"
            "维修资金不该躺在账上\n"
            "城东一小区电梯因维修资金使用难，停运了半个月。维修资金是业主的钱，该用时要用得上。\n"
            "本版言论仅代表作者个人观点\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [
        ("让便民生活圈更有温度", "邹一苇"), ("别让打卡式学习走了样", "戚小雨"), ("景区一票到底值得推广", "贺知秋"),
        ("维修资金不该躺在账上", None)]
    assert {lb.text.strip(): lb.label for lb in p.labels}["本版言论仅代表作者个人观点"] == "furniture"


def test_an_exclamation_inside_a_headline_and_a_byline_filed_from_a_city():
    """补时绝杀！澄州队主场逆转海港 is a headline (a short exclamation may lead it, like a question),
    and 本报特派记者 X 发自Y names X only."""
    page = ("体育 | 2026.04.19 星期日 | 09\n"
            "补时绝杀！南江队主场逆转海港\n本报特派记者 闻小舟 发自南江\n"
            "4月18日晚，中甲联赛第六轮一场焦点战在南江奥体中心打响，南江队补时阶段打进制胜球。\n"
            "三连胜后，南江队积13分暂列积分榜第二。\n")
    (a,) = read_text(page).articles
    assert (a.title, a.byline) == ("补时绝杀！南江队主场逆转海港", "闻小舟")


def test_a_section_label_under_the_byline_and_a_column_name_above_a_headline():
    """【案情】 right under a headline and its byline labels the story's first part (the headline was
    taken for a teaser before); 街谈 over a headline is the column's name, not its kicker."""
    page = ("法治周刊 | 2026-04-15 | 第05版\n\n"
            "网购“原单”运动鞋竟是假货\n本报记者 邵小鸣\n\n【案情】\n\n"
            "2024年5月，市民小周在某网店买了一双标注“原单尾货”的运动鞋，收货后发现是假货。\n\n"
            "【审理】\n\n法院审理认为，被告以“原单”字样误导消费者，构成欺诈，判决退一赔三。\n\n"
            "街谈\n邻居家树根“越界”怎么办\n文/季小川\n\n"
            "老张家院里的香樟树越长越大，树根伸进了邻居家的院子，把地坪拱裂了好几处。\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [
        ("网购“原单”运动鞋竟是假货", "邵小鸣"), ("邻居家树根“越界”怎么办", "季小川")]
    assert {lb.text.strip(): lb.label for lb in p.labels}["街谈"] == "furniture"


def test_a_web_copy_with_a_metadata_line_and_a_picture_inside_the_text():
    """来源：X　作者：A 通讯员 B　编辑：… names A and B; [图片] and its credited caption sit inside the
    story, which goes on after them (the caption, closed by its credit, takes no paragraph along)."""
    page = ("首页 | 新闻 | 数字报 | 三农 | 视频 | 专题\n"
            "西岭农民报　2026年04月20日　第03版：农村经济\n\n"
            "西岭县食用菌产业年产值突破12亿元\n"
            "来源：西岭农民报　作者：单小雨 通讯员 邬小国　编辑：金然　发布时间：2026-04-20 08:30\n\n"
            "4月17日一大早，西岭县青枫乡菌菇产业园的出菇大棚里，一排排菌棒上冒出了肥厚的香菇。\n"
            "近年来，西岭县依托山区气候和林木资源优势，大力发展食用菌产业，带动农户增收。\n"
            "[图片]\n菇农在大棚里采摘香菇。单小雨 摄\n"
            "为解决卖难问题，当地建设了冷链仓储中心和电商直播基地，香菇、木耳等产品通过网络销往全国。\n"
            "县农业农村局负责人表示，下一步将延伸产业链条，发展精深加工产品。\n"
            "分享到：微信 微博 QQ空间\n")
    (a,) = read_text(page).articles
    assert (a.title, a.byline) == ("西岭县食用菌产业年产值突破12亿元", "单小雨 邬小国")
    assert "县农业农村局负责人表示" in a.paragraphs[-1] and "冷链仓储中心" in a.body
    assert a.captions == ("菇农在大棚里采摘香菇。单小雨摄",)


def test_an_ocr_gap_inside_a_wire_dateline():
    """OCR reads 新华社北京4月2 日电 with a gap: still the lede of a story of its own, under its headline."""
    page = ("西川报　　综合新闻\n2026年4月3日 星期五　　第2版\n\n"
            "全县春季植树造林任务完成过半\n本报讯 (记者 柏小松)4月1 日,记者从县林业局获悉,全县已完成植树造林1.36万亩。\n"
            "县林业局负责人介绍,今年全县将完成造林2.5万亩。\n"
            "全国铁路清明小长假预计发送旅客6000万人次\n"
            "新华社北京4月2 日电(记者庞小舟)记者2日从国铁集团获悉,清明小长假全国铁路预计发送旅客6000万人次。\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [
        ("全县春季植树造林任务完成过半", "柏小松"), ("全国铁路清明小长假预计发送旅客6000万人次", "庞小舟")]


def test_a_byline_of_a_reporter_who_wrote_and_photographed():
    """记者 X 文/图 under a headline in the middle of a page without blank lines: the byline of a
    new story (it was read as a paragraph of the story above)."""
    page = ("A07 城事\n西安晚报　2026年4月9日 星期四\n"
            "外卖小哥冲进浓烟救出八旬老人\n□记者 蒋小帆\n"
            "昨天下午3点多，滨河街道一栋居民楼冒出滚滚浓烟，正在送餐的外卖小哥冲进楼里救出一位老人。\n"
            "随后赶到的消防员很快扑灭了明火。\n"
            "老城小巷变身网红打卡地\n记者 龙小川 文/图\n"
            "青砖黛瓦、绿植点缀，这几天，老城区的打铁巷成了市民游客争相打卡的网红地。\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [
        ("外卖小哥冲进浓烟救出八旬老人", "蒋小帆"), ("老城小巷变身网红打卡地", "龙小川")]


def test_a_narrow_column_county_paper_with_wrapped_items_and_a_unit_credit():
    """Hard-wrapped at about 18 characters: ● items the column wrapped are one item each, not an
    item and a stray line; （融媒体中心 X） credits X; a headline with a quoted word (有了“身份证”)
    still has a headline's shape."""
    from digest.reading import fields as fl
    from digest.reading.repair import _head_shaped

    page = ("今日西川\n第1589期　2026年4月10日　星期五\n\n"
            "西川县产业园首批项目签约\n□ 融媒体记者 钟小秀\n"
            "　　4月8日，西川县产业园首批项目集\n中签约仪式在县行政中心举行，8家企\n业签订投资协议。\n"
            "乡镇动态\n"
            "●4月6日，青枫乡举办春季招聘会，\n32家企业提供就业岗位600余个。\n"
            "●石门镇新建的农村寄递物流综合服务\n站投入使用，快递进村时间缩短一天。\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles][0] == ("西川县产业园首批项目签约", "钟小秀")
    assert [a.body for a in p.articles[1:]] == ["4月6日，青枫乡举办春季招聘会，32家企业提供就业岗位600余个。",
                                                 "石门镇新建的农村寄递物流综合服务站投入使用，快递进村时间缩短一天。"]
    assert fl.trailer("（融媒体中心 伍小燕）") == ("credit", ["伍小燕"])
    assert _head_shaped("古树名木有了“身份证”", 18) and not _head_shaped("他说：“走吧", 18)


def test_a_wrapped_line_that_sets_a_date_for_an_event_is_text_not_the_masthead():
    """兹定于5月21日(星期四)上午9:30在东岚市 — an OCR line of a notice — read as the masthead's date
    line and dropped from the notice, which lost its date and time."""
    from digest.reading.furniture import line_reason

    assert line_reason("兹定于5月21日(星期四)上午9:30在东岚市") is None
    assert line_reason("东岚日报 2026年5月19日 星期二") is not None


def test_a_paragraph_that_lost_its_full_stop_is_not_glued_to_a_fresh_sentence():
    """…助力企业发展的生动写照 (no 。) then a blank line and 此前，…: two paragraphs, not one sentence
    run on (the summary showed …的生动写照此前，武女士…)."""
    page = ("企业送来锦旗\n\n本报讯 近日，市政务服务中心窗口收到一面锦旗，这是对窗口优化营商环境、助力企业发展的生动写照\n\n"
            "此前，武女士所在的外资企业因业务拓展急需办理变更登记，窗口工作人员当天就办结了手续。\n")
    (a,) = read_text(page).articles
    assert len(a.paragraphs) == 2 and a.paragraphs[1].startswith("此前，")

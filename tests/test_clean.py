"""Unit and property tests for digest.reading.repair (text repair)."""
from __future__ import annotations

import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from digest.reading.repair import (Hint, clean_line, clean_text, dedupe, ends_sentence, fix_spaces, join_lines,
                          merge_broken, normalize_punct, strip_markdown)

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def cjk_set(s: str) -> set[str]:
    return set(CJK.findall(s))


# -- spaces -----------------------------------------------------------------------------

def test_spaces_inside_chinese_prose_are_removed():
    assert fix_spaces("物 业公司撤了， 小区 怎么管") == "物业公司撤了，小区怎么管"
    assert clean_line("物 业公司撤了, 小区 怎么管? 由谁管?") == "物业公司撤了，小区怎么管？由谁管？"


def test_letter_spacing_is_undone_in_short_lines():
    assert fix_spaces("■ 本 报 记 者 夏旭光", prose=False) == "■ 本报记者 夏旭光"
    assert fix_spaces("聊 城 实 践 提 供 有 力 保 障", prose=False) == "聊城实践提供有力保障"
    assert fix_spaces("□记者 高 田 通讯员 郑兆雷 报道", prose=False) == "□记者 高田 通讯员 郑兆雷 报道"


def test_word_gaps_are_kept_in_short_lines():
    assert fix_spaces("胡磊 薛良诚", prose=False) == "胡磊 薛良诚"
    assert fix_spaces("赓续抗战精神 锻造年轻干部", prose=False) == "赓续抗战精神 锻造年轻干部"


def test_latin_words_keep_their_spaces():
    assert fix_spaces("建立水库管家 App 等系统") == "建立水库管家 App 等系统"
    assert fix_spaces("发放贷款 2000 万元") == "发放贷款2000万元"
    assert fix_spaces("3 月 24 日，他说") == "3月24日，他说"


# -- punctuation ------------------------------------------------------------------------

def test_half_width_punctuation_in_chinese_context():
    out = clean_line('全市生产总值实现1611.9亿元、同比增长5.8%,规上工业(聊城段)增长; 他说:"好!"')
    assert out == "全市生产总值实现1611.9亿元、同比增长5.8%，规上工业（聊城段）增长；他说：“好！”"


def test_numbers_urls_and_latin_untouched():
    assert normalize_punct("1,000 and 10:30, see http://a.b/c") == "1,000 and 10:30, see http://a.b/c"
    assert normalize_punct("金额为1,000元") == "金额为1,000元"
    assert normalize_punct("don't stop") == "don't stop"


def test_quotes_alternate_within_a_paragraph():
    assert normalize_punct('实现"双过半",进入"快车道"') == "实现“双过半”，进入“快车道”"
    assert normalize_punct("通过'以资源换资金'撬动") == "通过‘以资源换资金’撬动"


def test_full_width_digits_become_ascii():
    assert normalize_punct("增长１２％") == "增长12％"


# -- markdown ---------------------------------------------------------------------------

def test_strip_markdown_reports_structure():
    assert strip_markdown("## 标题") == ("标题", Hint(2, False))
    assert strip_markdown("**加强保护。**推进治理") == ("加强保护。推进治理", Hint(0, True))
    assert strip_markdown("普通文字") == ("普通文字", Hint(0, False))


def test_heading_marker_before_a_no_break_space():
    # found by the property test: '#\xa00' became '# 0' on the first pass and '0' on the second
    assert clean_text("#\xa00") == clean_text(clean_text("#\xa00")) == "0"


def test_indented_markdown_heading_is_a_heading():
    # converters indent headings inside lists or quotes; found by the idempotence property test
    assert strip_markdown("    ### 让书香飘进乡村") == ("让书香飘进乡村", Hint(3, False))
    assert clean_text("    ## 一") == clean_text(clean_text("    ## 一")) == "一"


# -- line joining -----------------------------------------------------------------------

def test_join_lines_rejoins_hard_wrapped_prose_and_keeps_paragraph_ends():
    lines = ["今年，全市新建城市书房十二处，覆盖", "所有街道。城市书房实行全天开放，", "市民刷卡即可进入。", "下一步，还将继续扩大覆盖范围。"]
    assert join_lines(lines) == ["今年，全市新建城市书房十二处，覆盖所有街道。城市书房实行全天开放，市民刷卡即可进入。",
                                 "下一步，还将继续扩大覆盖范围。"]


def test_merge_broken_joins_a_sentence_cut_by_a_column_break():
    paras = ["改造工程保留了青石板路面，同时更新了地下管网、消防设施和", "照明系统，居民出行更加方便。", "下一段。"]
    assert merge_broken(paras) == ["改造工程保留了青石板路面，同时更新了地下管网、消防设施和照明系统，居民出行更加方便。", "下一段。"]


def test_merge_broken_keeps_headlines_apart():
    assert merge_broken(["短标题", "正文第一句很长，而且带有标点符号，不会被当成标题。"]) == \
        ["短标题", "正文第一句很长，而且带有标点符号，不会被当成标题。"]


def test_ends_sentence():
    assert ends_sentence("他说。") and ends_sentence("“好！”") and ends_sentence("（作者单位：某局）")
    assert not ends_sentence("他说") and not ends_sentence("产业发展，")


# -- duplicates -------------------------------------------------------------------------

def test_dedupe_drops_verbatim_and_near_verbatim_repeats():
    a = "聊城县域经济要在破解发展难题的基础上，立足自身优势。"
    b = "聊城县域经济要在破解发展难题的基础上, 立足自身优势."  # same text, other punctuation/spaces
    assert dedupe([a, "别的段落内容在这里出现一次就好了。", b]) == [a, "别的段落内容在这里出现一次就好了。"]


def test_dedupe_drops_a_fragment_contained_in_a_longer_paragraph():
    long = "重点聚焦产业发展人才，聚焦高层次人才，聚焦青年优秀人才，聚焦乡村振兴人才。"
    assert dedupe(["业发展人才，聚焦高层次人才，聚焦青年优秀人才", long]) == [long]


def test_clean_text_end_to_end():
    para = "本报讯 今年以来, 全市新增 绿地一百公顷,\n\n新建公园十个, 其中口袋公园六个。"
    text = f"## 标题在这里\n\n{para}\n\n{para}\n"
    assert clean_text(text) == "标题在这里\n\n本报讯今年以来，全市新增绿地一百公顷，新建公园十个，其中口袋公园六个。"


# -- properties -------------------------------------------------------------------------

CHINESE = st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF)
PIECES = st.sampled_from([" ", "  ", "\n", "\n\n", ",", "。", "，", '"', "(", ")", ".", "1", "5.8%", "#", "## ",
                          "**", "App", "、", "：", ":", "!", "？", "——", "■", "□", "\u3000", "'", "”", "“"])
PAGE_TEXT = st.lists(st.one_of(st.text(CHINESE, min_size=1, max_size=12), PIECES), max_size=60).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PAGE_TEXT)
def test_clean_never_loses_chinese_characters(text):
    # duplicated paragraphs are dropped, but a copy of each of their characters survives
    assert cjk_set(clean_text(text)) == cjk_set(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PAGE_TEXT)
@example("**## 一")  # bold around a heading marker: the marker showed only on the second pass
def test_clean_is_idempotent(text):
    once = clean_text(text)
    assert clean_text(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_clean_never_crashes_on_arbitrary_unicode(text):
    out = clean_text(text)
    assert isinstance(out, str)
    assert clean_text(out) == out


def test_headline_keeps_word_gaps_but_rejoins_a_lone_syllable():
    from digest.reading.repair import fix_spaces

    assert fix_spaces("茌平 区 麦收进度过半", prose=False) == "茌平区 麦收进度过半"
    assert fix_spaces("赓续抗战精神 锻造年轻干部", prose=False) == "赓续抗战精神 锻造年轻干部"
    assert fix_spaces("孙伟 付研 许慧 李坤朋", prose=False) == "孙伟 付研 许慧 李坤朋"

"""Sentences as a Chinese reader counts them (digest.summarizing.text / .sentences). Invented text."""
from __future__ import annotations

import pytest

from digest.models import Article
from digest.summarize import summarize_article
from digest.summarizing.sentences import parallel, sentences_of, strip_prefix
from digest.summarizing.text import quote_balance, split_sentences


def spans(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def test_quote_and_its_attribution_are_one_sentence():
    t = "“这是初级班，学员年龄最小的仅有6岁。”王老师告诉记者。下课后，学员们陆续离开教室。"
    assert spans(t) == ["“这是初级班，学员年龄最小的仅有6岁。”王老师告诉记者。", "下课后，学员们陆续离开教室。"]


def test_attribution_that_goes_on_stays_with_the_quote():
    t = ("“我们的志愿者大多是返乡大学生，年龄最小的才16岁。”“爱心食堂”负责人韦一朵告诉记者，食堂每天为老人提供午餐。"
         "老人们很满意。")
    assert spans(t)[0].endswith("食堂每天为老人提供午餐。") and spans(t)[1] == "老人们很满意。"


def test_time_clause_before_the_speaker():
    t = "“这项改革真是太好了。”8月11日，公司负责人张明说。改革还在继续。"
    assert spans(t) == ["“这项改革真是太好了。”8月11日，公司负责人张明说。", "改革还在继续。"]


def test_quote_opening_a_sentence_without_attribution_ends_it():
    t = "“危险水域，请勿靠近！”近日，岸边的监控设备发出警示。"
    assert spans(t) == ["“危险水域，请勿靠近！”", "近日，岸边的监控设备发出警示。"]


def test_full_stops_inside_a_quote_never_split_it():
    t = "他强调：“要抓项目。要促发展。要惠民生。”会议随后结束。"
    assert spans(t) == ["他强调：“要抓项目。要促发展。要惠民生。”", "会议随后结束。"]


def test_traditional_corner_quotes_and_speech_verbs():
    t = "「最開心是有人一起吃飯，不會那麼悶。」他說。飯堂每週更換菜式。"
    assert spans(t) == ["「最開心是有人一起吃飯，不會那麼悶。」他說。", "飯堂每週更換菜式。"]


@pytest.mark.parametrize("sentence,expected", [
    ("她说：“学习书法让我内心安宁。", "open"),
    ("每天都练。”她说。", "cut"),
    ("他说：“好。”", "ok"),
    ("「外『內』」", "ok"),
])
def test_quote_balance(sentence, expected):
    assert quote_balance(sentence) == expected


def test_open_or_cut_quotes_are_never_shown():
    paragraphs = ["她说：“学习书法让我内心安宁。每天练字两个小时，已经坚持了十年。", "每天都练。”她笑着补充道。社区书法班今年招收学员一百二十人。"]
    marks = {s.text: s.why for s in sentences_of(paragraphs)}
    assert marks["她说：“学习书法让我内心安宁。"] == "quote"
    assert marks["每天练字两个小时，已经坚持了十年。"] == "quote" or "每天练字" not in "".join(
        t for t, w in marks.items() if not w)
    assert marks["每天都练。”她笑着补充道。"] == "quote"
    assert marks["社区书法班今年招收学员一百二十人。"] == ""


def test_attribution_in_the_next_paragraph_is_bound_to_its_quote():
    paragraphs = ["“今年，全县将以改革创新为动力，全力抓改革、谋创新、促发展。”", "3月24日，县委书记王大明说。全县上下干劲十足，各项工作有序推进。"]
    s = sentences_of(paragraphs)
    assert s[0].said_by == 1 and s[1].says == 0
    art = Article(title="全县改革创新", byline=None, kind="news", paragraphs=tuple(paragraphs))
    for k in (1, 2, 3):
        chosen = summarize_article(art, max_sentences=k).sentences
        assert ("3月24日，县委书记王大明说。" in chosen) == (paragraphs[0] in chosen)


def test_reader_subheads_are_headings_not_sentences():
    paragraphs = ("本市今年新建口袋公园十二处，市民休闲有了好去处。", "家门口的绿意", "社区居民在公园里散步健身，孩子们在草地上玩耍嬉戏。",
                  "管护要跟上去。", "园林部门将建立日常巡查制度，及时修补损坏设施。")
    marks = sentences_of(paragraphs, subheads=(1, 3))
    assert [m.text for m in marks if m.heading] == ["家门口的绿意", "管护要跟上去。"]
    art = Article(title="口袋公园", byline=None, kind="news", paragraphs=paragraphs, subheads=(1, 3))
    for k in range(1, 6):
        assert "管护要跟上去。" not in summarize_article(art, max_sentences=k).sentences


def test_run_in_heads_found_by_their_parallel_shape():
    paragraphs = ("全面建设对外开放新高地。抢抓自贸试验区联动创新区建设机遇，主动接轨省会城市，深化区域合作。",
                  "全面建设生态宜居新高地。建设沿河生态景观风貌带，构建县城城乡森林生态体系，积极培育大健康产业。",
                  "创新是发展的第一动力。全县今年新增高新技术企业十五家，研发投入增长两成。")
    heads = [m.text for m in sentences_of(paragraphs) if m.heading]
    assert heads == ["全面建设对外开放新高地。", "全面建设生态宜居新高地。"]  # the lone short opener is prose
    assert parallel("以特色资产管理企业债务风险难题", "以供应链管理企业营运资金不足")
    assert not parallel("创新是发展的第一动力", "全面建设生态宜居新高地")


def test_a_paragraph_broken_off_mid_sentence_is_not_continued_as_a_sentence():
    paragraphs = ("市文联举办书法展览，展出作品一百余幅，其中包括青年书法家王小明的论", "文，祝贺其当选市书法家协会副主席。展览将持续到月底。")
    marks = sentences_of(paragraphs)
    assert [m.why for m in marks] == ["fragment", "fragment", ""]


@pytest.mark.parametrize("printed, shown", [
    # any paper's dateline, not only 本报讯 (an evening paper's, a web copy's)
    ("南屿晚报讯（记者甘若溪）11日，市人社局启动高温津贴专项检查。", "11日，市人社局启动高温津贴专项检查。"),
    ("江城日报讯 （通讯员 李可）昨日，江城首座立体停车楼投用。", "昨日，江城首座立体停车楼投用。"),
    # a wire credit in brackets (Taiwan's 中央社) and a reporter's run-in credit (Hong Kong)
    ("（中央社記者鄭雅文台北1日電）主管機關今天表示，補助上限將提高。", "主管機關今天表示，補助上限將提高。"),
    ("記者區樂晴報道：海濱長廊將於周末舉辦夜市。", "海濱長廊將於周末舉辦夜市。"),
    ("本报记者王芳报道：新学期起，全市中小学推行课后服务。", "新学期起，全市中小学推行课后服务。"),
    # a sentence that only mentions a paper or a reporter keeps its words
    ("晚报讯息平台上线后，市民反映问题更方便了。", "晚报讯息平台上线后，市民反映问题更方便了。"),
    ("记者从市教育局获悉，全市新建幼儿园十所。", "记者从市教育局获悉，全市新建幼儿园十所。"),
])
def test_a_leading_dateline_or_credit_is_not_shown(printed, shown):
    assert strip_prefix(printed) == shown


def test_items_of_a_list_set_one_per_paragraph_are_never_shown_alone():
    """Short items ending in ；(a paragraph each) were read as headings, so the last item -- the
    only one ending in 。 -- was shown as if it stood alone."""
    paragraphs = ["年末理财产品宣传增多，金融监管部门提醒市民注意以下几点：",
                  "警惕“保本高收益”宣传，正规产品不得承诺保本；",
                  "通过银行柜台或官方渠道购买，不点陌生链接；",
                  "看清产品风险等级，与自身承受能力相匹配。",
                  "监管部门表示，市民遇到可疑产品可拨打热线反映。"]
    got = {s.text: s.ok for s in sentences_of(paragraphs)}
    assert got["看清产品风险等级，与自身承受能力相匹配。"] is False
    assert got["监管部门表示，市民遇到可疑产品可拨打热线反映。"] is True


def test_a_paper_dateline_with_the_day_only_is_not_shown():
    assert strip_prefix("本报合肥18日电（记者蒲小禾）在合肥市一家企业车间里，技术员正在调试设备。") == \
        "在合肥市一家企业车间里，技术员正在调试设备。"


def test_a_reaction_after_a_quotation_is_its_attribution():
    """“…！”武女士赞不绝口。 is one sentence: the reaction owns the quotation like 说 does."""
    t = "“这么快就办好了，真是解了燃眉之急！”武女士赞不绝口。据介绍，全市外资企业登记已全部网上办理。"
    assert spans(t)[0] == "“这么快就办好了，真是解了燃眉之急！”武女士赞不绝口。"


def test_a_sentence_that_is_only_a_quotation_is_shown_with_the_next():
    """“想管好回迁小区，得揣着一颗公心。” says nothing of who spoke: it leans on the next sentence."""
    got = sentences_of(["回迁小区有了新物业。“想管好回迁小区，得揣着一颗公心。”高鹏是小区物业负责人，他每天都到小区转一转。"])
    quote = next(s for s in got if s.text.startswith("“想管好"))
    assert quote.said_by is not None and got[quote.said_by].text.startswith("高鹏")
    s = summarize_article(Article(title="回迁小区的新物业", byline=None, kind="news", paragraphs=(
        "回迁小区有了新物业，居民们的烦心事少了。", "“想管好回迁小区，得揣着一颗公心。”",
        "高鹏是小区物业负责人，他每天都到小区转一转，听居民说说烦心事。")), max_sentences=2)
    assert "“想管好回迁小区，得揣着一颗公心。”" not in s.sentences or \
        s.sentences[s.sentences.index("“想管好回迁小区，得揣着一颗公心。”") + 1].startswith("高鹏")


@pytest.mark.parametrize("text", [
    "编者按：春耕时节，一批年轻人回到乡村，用新技术种地。",
    "今起，本版推出“热线背后的人”系列报道，敬请关注。",
    "联系人：汤老师，电话：0872-6205118。",
])
def test_the_paper_talking_about_itself_is_never_shown(text):
    (s,) = [x for x in sentences_of([text]) if x.text]
    assert s.why == "junk"


def test_a_short_paragraph_broken_off_at_a_line_end_is_not_a_heading():
    """编者按：在云樟市，有一条24小 / 时不打烊的“邻里热线”。: the second paragraph's first sentence is
    the tail of a sentence, never shown."""
    got = sentences_of(["编者按：在云樟市，有一条24小", "时不打烊的“邻里热线”。十年间，热线接听了二十一万个来电。"])
    assert [s.ok for s in got if s.paragraph == 1] == [False, True]


def test_the_last_item_of_an_enumeration_is_not_shown_alone():
    """一是…；二是…；建成市城区大外环，…。: the part after the last ； ends with 。 but is an item."""
    got = sentences_of(["今年要抓好三件事：完善城市路网，打通断头路；提升公交服务，新开公交线路十条；"
                        "建成市城区大外环，抓好国省道干线公路改造。交通局将按月调度进展。"])
    shown = [s.text for s in got if s.ok]
    assert "建成市城区大外环，抓好国省道干线公路改造。" not in shown and "交通局将按月调度进展。" in shown

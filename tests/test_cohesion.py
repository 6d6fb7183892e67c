"""Dangling openers: which sentence a sentence leans on, and what selection does about it. Invented text."""
from __future__ import annotations

import pytest

from digest.models import Article
from digest.summarize import summarize_article, summarize_text
from digest.summarizing.cohesion import TITLE, UNRESOLVED, antecedent, opener


@pytest.mark.parametrize("text,kind", [
    ("该镇召开帮扶干部会议。", "demonstrative"), ("这座大桥建成于上世纪。", "demonstrative"),
    ("这也是全市救助工作的缩影。", "demonstrative"), ("此举旨在减轻企业负担。", "demonstrative"),
    ("他表示，要继续做好服务。", "pronoun"), ("她们每天清晨出发。", "pronoun"),
    ("下一步，该局将扩大试点范围。", "connective"), ("对此，市民纷纷点赞。", "connective"),
    ("此外，还新建了停车场。", "connective"), ("同时，全市加快绿色转型。", "connective"),
    ("但问题依然存在。", "connective"), ("二是强化要素保障。", "item"),
])
def test_openers_that_lean_back(text, kind):
    assert opener(text)[0] == kind


@pytest.mark.parametrize("text", [
    "这两年，城区新增了不少公园。", "这几天气温明显回升。", "其实办法并不难找。", "该怎么办？大家议论纷纷。",
    "而今迈步从头越。", "聊城市召开全市经济运行调度会议。", "并非所有项目都能如期开工。",
])
def test_openers_that_point_at_nothing_before(text):
    assert opener(text) is None


def test_demonstrative_resolved_to_the_sentence_naming_its_noun():
    texts = ["桐湾县杉岭镇召开乡村振兴推进会。", "会议由县长主持。", "各村党支部书记参加会议。", "该镇将新建三座冷库。"]
    assert antecedent(texts, 3) == 0  # 该镇 -> 杉岭镇, three sentences back, not the one before
    assert antecedent(["会议由县长主持。", "这座大桥建成于1997年。"], 1) == 0  # not named: the sentence before


def test_first_sentence_resolved_by_the_headline_or_unresolved():
    assert antecedent(["这座1997年建成的大桥，是城区南北通道。"], 0, title="溯河大桥迎来全面体检") == TITLE
    assert antecedent(["这件小事只是一个缩影。"], 0, title="帮扶暖民心") == UNRESOLVED
    assert antecedent(["同时，全市加快绿色转型。"], 0) is None  # a connective with nothing before it


def test_pronoun_resolved_to_the_sentence_naming_a_person():
    texts = ["王大明是村里的种粮大户。", "今年他流转了三百亩地。", "麦子长势很好。", "他表示，明年还要扩大规模。"]
    assert antecedent(texts, 3, persons=[True, False, False, False]) == 0
    assert antecedent(texts, 3) == 2  # without person tags: the sentence before


def test_headings_end_a_section():
    texts = ["全县新建冷库三座。", "保障有力", "此外，还新建了停车场。"]
    assert antecedent(texts, 2, heads=[False, True, False]) is None


ARTICLE = (
    "东湖村去年建起了村级光伏电站，装机容量达到两百千瓦，每年可为村集体增收二十万元。",
    "这笔钱全部用于村里的公益事业，修路、安装路灯、资助困难学生都从这里支出。",
    "村民张大爷说起这些变化，脸上满是笑容，逢人便夸村里的好政策。",
    "下一步，东湖村还将建设光伏车棚，进一步扩大发电规模和集体收入。",
)


def test_a_dangling_sentence_brings_its_antecedent_or_gives_way():
    art = Article(title="东湖村光伏电站带来集体增收", byline=None, kind="news", paragraphs=ARTICLE)
    for k in (1, 2, 3, 4):
        chosen = summarize_article(art, max_sentences=k).sentences
        assert chosen
        for s in chosen:
            i = ARTICLE.index(s)
            if s.startswith(("这笔钱", "下一步")):
                assert ARTICLE[i - 1] in chosen, (k, chosen)
    one = summarize_article(art, max_sentences=1).sentences
    assert not one[0].startswith(("这笔钱", "下一步"))


def test_free_text_never_starts_with_an_unresolved_anaphor():
    s = summarize_text("这件小事只是全市干部为群众办实事的一个缩影，让大家深受感动。今年以来，全市共为群众办实事两千余件。", max_sentences=1)
    assert s.sentences == ("今年以来，全市共为群众办实事两千余件。",)


@pytest.mark.parametrize("text, word", [("半年前，他以科技副总的身份来到这家企业。", "他"), ("十年间，它接听了二十一万个来电。", "它")])
def test_a_pronoun_after_a_short_time_phrase_leans_back(text, word):
    assert opener(text) == ("pronoun", word)


def test_a_time_phrase_without_a_pronoun_leans_on_nothing():
    assert opener("去年，全市新建学校十所。") is None and opener("十年间，其实变化很大。") is None

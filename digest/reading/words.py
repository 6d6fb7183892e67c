"""Is a line break inside a word? jieba's segmentation of the text around the break decides.

Extraction breaks words at column and page ends (``加强扬`` / ``尘源污染治理``, ``十年接`` /
``听二十一万个来电``). When jieba's word segmentation (its dictionary, no HMM guessing) puts one
word across the break, the two pieces are one text. jieba is loaded lazily, once per process.

``opens_mid_sentence`` / ``starts_mid_sentence``: does a chunk of text pick up a sentence that
something before it left open (``说，…``, ``4.6亿元。…``, a word cut at the break)? Used to put
column chunks that an extraction set out of order back in their story.
"""
from __future__ import annotations

import re

from .printed_dates import ends_with_date
from .repair import ends_sentence, is_cjk

_OPENERS = ("但", "而", "也", "又", "并", "且", "故", "另", "此", "其", "却", "还", "就", "再", "更", "因", "如", "若",
            "虽", "即", "则", "对此", "为此", "因此", "所以", "首先", "其次", "最后", "另外", "例如", "比如", "当然",
            "其实", "可见", "显然", "据悉", "今年", "去年", "明年", "如今", "目前", "当前", "现在", "同时", "此外", "其中",
            "随后", "近日", "日前", "然而", "不过", "同样", "对于", "关于", "由此", "那么", "于是", "只是", "可是")
_MID = re.compile(r"^([\u4e00-\u9fff]{1,2})[，、；：。！？]")
# a quantity cut from its sentence: 4.6亿元。 / 30%， (a year or a date opens sentences: 2024年，)
_MID_QUANTITY = re.compile(r"^\d[\d.,]*(?:%|％|[万亿]?(?:元|美元|吨|人次|人|家|个|户|辆|台|次|件|公里|千米|米|平方米|亩|"
                           r"公顷|倍|项|名|所|座|头|份|册|种|条|处|张|套|间|千瓦|万千瓦|度))[，、；：。！？]")


def spans_word(left: str, right: str) -> bool:
    """True when jieba cuts a dictionary word across the join of ``left`` | ``right``."""
    a, b = left.rstrip()[-4:], right.lstrip()[:4]
    if not a or not b or not is_cjk(a[-1]) or not is_cjk(b[0]):
        return False
    from .. import nlp

    nlp.init()
    import jieba

    pos = 0
    for w in jieba.dt.cut(a + b, HMM=False):
        start, pos = pos, pos + len(w)
        if start < len(a) < pos:
            return True
        if pos >= len(a):
            return False
    return False


def opens_mid_sentence(text: str) -> bool:
    """Does ``text`` visibly begin with the tail of a sentence (``说，今年…``, ``4.6亿元。…``,
    ``，…``), whatever came before it?"""
    t = text.lstrip()
    if not t:
        return False
    if t[0] in "，、；：。！？”’」』）)" or _MID_QUANTITY.match(t):
        return True
    m = _MID.match(t)
    return bool(m) and m.group(1) not in _OPENERS


def starts_mid_sentence(text: str, before: str) -> bool:
    """Does ``text`` begin inside a sentence that ``before`` left open? A piece that ends with a
    full date (a notice's signature date) left nothing open."""
    if not text.strip() or ends_sentence(before) or ends_with_date(before):
        return False
    return opens_mid_sentence(text) or spans_word(before, text.lstrip())

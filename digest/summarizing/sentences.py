"""An article's sentences, each marked with what it is: prose that may be shown, or a heading, a
byline, a broken quotation, a fragment.

``sentences_of(paragraphs, subheads, banned)`` keeps every sentence in reading order -- also those
that may not be shown, because the sentence before a dangling one may be a heading and cohesion
(``cohesion.py``) needs to see it. A sentence may be shown (``Sentence.ok``) when it is whole
prose: it ends with 。！？…, its quotation marks pair up, it is not a cross-head, byline, credit,
caption or layout debris, and it does not continue a paragraph the extraction broke off.

Cross-heads (小标题) are found three ways: ``Article.subheads`` from the reader; a short paragraph
without sentence punctuation; and run-in heads -- the short first sentence of a paragraph
(``聚力作风建设攻坚突破。牢固树立…``) when another paragraph of the article opens in the same
pattern (parallel heads share a run of characters: 全面建设…新高地 / 全面建设…新高地).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .text import CLOSE_QUOTES, HAN, OPEN_QUOTES, LINE_END, STOPS, attribution_end, quote_balance, quote_pairs, split_sentences

MAX_SENTENCE_CHARS = 800  # a "sentence" longer than this (a run-on table or list) is never chosen
MIN_HAN = 6  # a shown sentence needs at least this many Chinese characters
HEAD_MAX = 24  # a cross-head is at most this many characters
_PREFIXES = [
    re.compile(r"^本报讯\s*(?:[（(][^）)]{0,40}[）)])?\s*"),
    re.compile(rf"^本[报報][{HAN}\d]{{0,14}}[讯訊]\s*(?:[（(][^）)]{{0,40}}[）)])?\s*"),
    # any paper's dateline: 南屿晚报讯（记者 X）, 江城日报讯 （通讯员 X）
    re.compile(rf"^[{HAN}]{{1,8}}[报報][{HAN}·\d]{{0,8}}[讯訊]\s*(?:[（(][^）)]{{0,40}}[）)]|\s)\s*"),
    # a wire credit in brackets: （中央社記者X台北1日電）, （新华社记者 X）
    re.compile(rf"^[（(][^（）()]{{0,30}}(?:[电電]|记者[^）)]*|記者[^）)]*)[）)]\s*"),
    # a reporter's run-in credit: 記者X報道：, 本报记者X报道：
    re.compile(rf"^(?:本[报報])?(?:记者|記者)[{HAN}\s·]{{1,12}}(?:报道|報道)[：:]\s*"),
    re.compile(rf"^[【\[]?(?:新华社|中新社|中新网|人民网|新华网|央视网|央广网|本报|本報)[{HAN}]{{0,10}}"
               rf"(?:(?:\d{{1,2}}月)?\d{{1,2}}日)?[电電][】\]]?\s*(?:[（(][^）)]{{0,40}}[）)])?\s*"),
    re.compile(rf"^[{HAN}]{{0,10}}\d{{1,2}}月\d{{1,2}}日电\s*(?:[（(][^）)]{{0,40}}[）)])?\s*"),
    re.compile(rf"^[{HAN}]{{2,6}}消息[：:]\s*"),
    re.compile(r"^【[^】]{1,24}】\s*"),
    re.compile(r"^[（(](?:记者|通讯员|記者|通訊員)[^）)]{0,30}[）)]\s*"),
]
_JUNK = [
    re.compile(r"^[（(][^（(]*[）)][。.]?$"),  # a whole parenthesised note: (作者单位：…), (课题…)
    re.compile(r"作者单位|课题编号|基金项目|责任编辑|编辑[：:]|审核[：:]|校对[：:]|来源[：:]|美编[：:]|发布时间[：:]"),
    re.compile(r"^(?:本报)?(?:特约)?(?:记者|通讯员|实习生|摄影|文/图|图/文|文|图)[\s:：/]"),
    re.compile(r"^[□■▲◆●★☆·]|^(?:本报)?(?:特约)?(?:记者|通讯员|实习生|摄影)[^，。]{0,12}$"),
    re.compile(r"(?:记者|通讯员|記者)[^，。]{0,30}(?:报道|摄|攝)[。）)]?$"),
    re.compile(r"^图[为①-⑩\d]|[摄攝]$|^\S{0,12}\s*摄[）)]?$"),
    re.compile(r"!\[|\]\(|https?://|www\.|^\||\|$|^[-=*_]{3,}|^#|^>"),
    re.compile(r"扫描二维码|扫码|关注.{0,6}公众号|[下上][转接]\d+版|第\s*\d+\s*[页版]|《[^》]{1,12}[报報]》[（(]"),
    re.compile(r"【[^】]{0,12}(?:字体|打印|关闭)"),
    # the paper talking about itself: an editor's note, a series announced, a contact line
    re.compile(r"^(?:编者按|編者按|编者的话|编前语)|敬请关注|敬請關注|(?:推出|推出了)[^。]{0,20}系列|系列[^。]{0,12}(?:报道|報道|專題|专题)[^。]{0,6}[。]$"),
    re.compile(r"^(?:联系人|聯絡人|联系电话|聯絡電話|咨询电话|諮詢電話|报名电话|报名方式)[：:]"),
]
_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+[是、]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．]|[①-⑳]|第[一二三四五六七八九十]+[，,、])")
# an item of a list set one per paragraph (…宣传，不得承诺保本；): a clause, not a heading, and the
# items after it continue its sentence
_LIST_ITEM = re.compile(r"[，,、][^，,、]+[；;，,]$")
_INNER_PUNCT = re.compile(r"[，,、；;：:“”「」（）()]")


@dataclass(slots=True)
class Sentence:
    """One sentence of an article, in reading order."""

    text: str  # as printed (leading 本报讯（记者…）/ dateline credit stripped)
    paragraph: int  # index of its paragraph
    first: bool  # first sentence of its paragraph
    last: bool  # last sentence of its paragraph
    why: str = ""  # why it may not be shown: heading, junk, quote, fragment ("" = it may)
    said_by: int | None = None  # a quotation ending its paragraph: index of the next paragraph's attribution
    says: int | None = None  # an attribution opening its paragraph: index of the quotation it attributes

    @property
    def ok(self) -> bool:
        return not self.why

    @property
    def heading(self) -> bool:
        return self.why == "heading"


def strip_prefix(sentence: str) -> str:
    """The sentence without a leading 本报讯（记者 X）/ 新华社北京3月4日电 / 【本報消息】 credit."""
    for _ in range(3):
        before = sentence
        for rx in _PREFIXES:
            m = rx.match(sentence)
            if m and m.end() < len(sentence):
                sentence = sentence[m.end():].lstrip(" \u3000，,：:")
        if sentence == before:
            break
    return sentence


def han_count(text: str) -> int:
    return len(re.findall(rf"[{HAN}]", text))


def is_credit(text: str) -> bool:
    """A byline, credit, photo credit, note, source line or layout debris."""
    return any(rx.search(text) for rx in _JUNK)


def is_junk(sentence: str) -> bool:
    """Never a summary sentence: a credit or debris (``is_credit``), too short or too long."""
    return len(sentence) > MAX_SENTENCE_CHARS or han_count(sentence) < MIN_HAN or is_credit(sentence)


def headlike(text: str) -> bool:
    """Short, without inner punctuation: the shape of a cross-head (聚力作风建设攻坚突破。)."""
    body = text.rstrip("。！？!?")
    return 4 <= len(body) <= HEAD_MAX and not _INNER_PUNCT.search(body) and not re.search(r"[。！？!?]", body)


def _common_run(a: str, b: str) -> int:
    """Length of the longest common substring (short strings only)."""
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


def parallel(a: str, b: str) -> bool:
    """Two heads of one series: they share their first or last two characters, or a run of three."""
    a, b = a.rstrip("。！？!?"), b.rstrip("。！？!?")
    return a[:2] == b[:2] or a[-2:] == b[-2:] or _common_run(a, b) >= 3


def unfinished(paragraph: str) -> bool:
    """A prose paragraph the extraction broke off mid-sentence (the next one continues it): it has
    a clause mark inside and ends on a character (编者按：在云樟市，有一条24小 / 时不打烊的…)."""
    return len(paragraph) >= 8 and bool(re.search(r"[，。、：]", paragraph)) and not LINE_END.search(paragraph) \
        and (len(paragraph) >= 20 or bool(re.search(rf"[{HAN}0-9A-Za-z]$", paragraph)))


def _one_quote(text: str) -> bool:
    """The whole text is one quotation: its first open quote closes at its end."""
    pairs = quote_pairs(text)[0]
    return pairs.get(0) == len(text.rstrip()) - 1


def _ends_quote(text: str) -> bool:
    t = text.rstrip()
    return len(t) >= 2 and t[-1] in CLOSE_QUOTES and t[-2] in STOPS + "…"


def sentences_of(paragraphs: Sequence[str], subheads: Sequence[int] = (), banned: Sequence[str] = (),
                 whole_only: bool = True, semicolon_split: int | None = None) -> list[Sentence]:
    """Every sentence of the cleaned ``paragraphs``, in reading order, marked (see the module doc).

    ``subheads``: indices of paragraphs that are cross-heads; ``banned``: texts never to show
    (captions, the byline); ``whole_only``: a sentence that does not end with 。！？… may not be shown
    (off for free text scored by ROUGE, where ；-clauses count).
    """
    ban = {b.strip() for b in banned if b and b.strip()}
    heads = set(subheads)
    out: list[Sentence] = []
    openers: list[int] = []  # indices (into out) of run-in head candidates
    head_texts: list[str] = []  # heading paragraphs, for parallelism with run-in heads
    prev_unfinished = False
    last_pi = -1
    for pi, paragraph in enumerate(paragraphs):
        para = paragraph.strip()
        if not para:
            continue
        spans = split_sentences(para, semicolon_split)
        if pi in heads or (len(spans) == 1 and not LINE_END.search(para) and len(para) <= 30
                           and not _LIST_ITEM.search(para) and not unfinished(para)):
            heading = pi in heads or (han_count(para) >= 2 and not is_credit(para))
            out.append(Sentence(para, pi, True, True, "heading" if heading else "junk"))
            if heading:
                head_texts.append(para)
            prev_unfinished = False
            continue
        _, unmatched = quote_pairs(para)
        opened = min((i for i in unmatched if para[i] in OPEN_QUOTES), default=len(para))
        closed = max((i for i in unmatched if para[i] in CLOSE_QUOTES), default=-1)
        for k, (a, b) in enumerate(spans):
            text = para[a:b].strip()
            if k == 0:
                text = strip_prefix(text)
            s = Sentence(text, pi, k == 0, k == len(spans) - 1)
            if k == 0 and out and out[-1].last and out[-1].paragraph == last_pi and _ends_quote(out[-1].text) \
                    and attribution_end(para, 0, quote_pairs(para)[0]) is not None:
                s.says, out[-1].said_by = len(out) - 1, len(out)  # “…。”\n3月24日，书记彭志国说。
            if text in ban or para in ban or is_junk(text):
                s.why = "junk"
            elif quote_balance(text) != "ok" or a > opened or b <= closed:  # or inside a quotation left open
                s.why = "quote"
            elif (k == 0 and prev_unfinished) or (whole_only and not LINE_END.search(text)) \
                    or (whole_only and k > 0 and para[:a].rstrip()[-1:] in "；;"):
                s.why = "fragment"  # …；建成市城区大外环，…。: the last item of an enumeration, not a sentence
            elif k == len(spans) - 1 and not LINE_END.search(text) and len(text) < 30:
                s.why = "junk"  # a label or furniture line run into the paragraph, not prose
            elif k == 0 and headlike(text):
                openers.append(len(out))
            out.append(s)
        prev_unfinished = unfinished(para)
        last_pi = pi
    # a sentence that is a quotation and nothing else (“想管好…公心。”) is said by whoever the next
    # sentence names: it is shown with that sentence, or not at all
    for i, s in enumerate(out):
        if s.ok and s.said_by is None and s.text[:1] in OPEN_QUOTES and s.text[-1:] in CLOSE_QUOTES \
                and quote_balance(s.text) == "ok" and not quote_pairs(s.text)[1] and _one_quote(s.text):
            nxt = next((j for j in range(i + 1, min(i + 2, len(out))) if out[j].ok), None)
            if nxt is None:
                s.why = "quote"
            else:
                s.said_by = nxt
    # run-in heads: a short opener parallel to another opener or to a heading paragraph
    for i in openers:
        others = [out[j].text for j in openers if j != i] + head_texts
        if any(parallel(out[i].text, o) for o in others):
            out[i].why = "heading"
    return out

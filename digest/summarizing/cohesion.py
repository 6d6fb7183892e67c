"""Which sentence a sentence leans on: anaphora and discourse connectives at its opening.

A summary sentence that opens with 这/该/此/其, a personal pronoun or a connective (对此、此外、
同时、因此、下一步…) reads as nonsense when the sentence it points back to is not shown. A word
list only says a sentence *might* lean on another; ``antecedent`` decides from the text which one:

- a demonstrative with a noun (该镇 / 这座大桥 / 此次活动) is resolved to the nearest earlier
  sentence of its section that names that noun (杉岭镇, 溯河大桥…); for the article's first
  sentence the headline counts (``TITLE``: shown above the summary, so nothing is missing);
- a personal pronoun (他/她/他们) is resolved to the nearest earlier sentence that names a person
  (``persons``, from jieba's ``nr`` tags), else to the sentence before;
- a bare 这/此 (这也是… / 此举…), 其/它 and connectives lean on the sentence right before;
- demonstratives that point at the present, not at the text (这两年、这几天、这个夏天), the modal
  该 (该怎么办) and 其实/其他 lean on nothing.

Sections end at headings: a sentence never leans across a cross-head. Anaphora is looked up at
most ``REACH`` sentences back (Hobbs 1978 and centering theory put most antecedents in the previous
one or two sentences). A pronoun or demonstrative with nothing to point at -- first in its section
and absent from the headline -- is ``UNRESOLVED``: it points at nothing the reader has.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from .text import HAN

TITLE = -1  # the antecedent is the headline
UNRESOLVED = -2  # an anaphor with nothing before it to point at
REACH = 3

_DEICTIC = re.compile(r"^(?:这|這)(?:两|兩|几|幾|些|一|半)?(?:个|個)?(?:年|天|日|月|周|週|阵子|陣子|段时间|段時間|时期|時期|"
                      r"春天|夏天|秋天|冬天|周末|週末|两年|兩年|几年|幾年)")
_NOT_ANAPHORIC = re.compile(r"^(?:其实|其實|其他|其它|其余|其餘|该不该|該不該|该怎|該怎|该如何|該如何|此时此刻|此時此刻)")
_CONNECTIVE = re.compile(
    r"^(?:对此|對此|为此|為此|因此|所以|此外|另外|同时|同時|与此同时|與此同時|下一步|然而|但是|不过|不過|而且|并且|並且|"
    r"于是|於是|随后|隨後|此后|此後|之后|之後|其后|其後|其中|其次|再次|此前|由此|据此|據此|相比之下|反之|总之|總之|"
    r"综上|綜上|当天|當天|当日|當日|当晚|當晚|次日|同日|届时|屆時|如此|这样|這樣|那么|那麼|但|而|并|並)")
_DEMONSTRATIVE = re.compile(r"^(?:上述|本次|此次|这次|這次|这|這|该|該|此|那)")
_CLASSIFIER = re.compile(r"^(?:一|个|個|些|座|项|項|位|名|条|條|家|所|种|種|类|類|批|场|場|起|件|份|片|支|处|處|段|套|笔|筆|"
                         r"张|張|则|則|次|番|届|屆|轮|輪)")
_PRONOUN = re.compile(r"^(?:他们|她们|它们|他們|她們|它們|他|她|它|其)")
_ITEM = re.compile(r"^(?:[二三四五六七八九十]+是|[（(][二三四五六七八九十2-9]\d*[）)]|[2-9]\d*[、.．]|[②-⑳]|第[二三四五六七八九十]+[，,、]|"
                   r"(?:最后|最後|再者|还有|還有)[，,])")
_LEADING_WHEN = re.compile(rf"^[{HAN}0-9]{{1,7}}[前后後间間时時里裏来來中上下天年月日初底末][，,]")
_PERSONAL = ("他", "她")
_FUNCTION = "的了是在和也都就还又将把被为對对与與及并並而且即"


def opener(text: str) -> tuple[str, str] | None:
    """``(kind, word)`` when the sentence opens leaning on what came before, else None.

    kind: ``demonstrative`` (word: the noun after it, possibly ""), ``pronoun``, ``connective``,
    ``item`` (a later item of a list: 二是 / 2. / （二）).
    """
    t = text  # a quotation's 这/他 belong to the speaker, not to the text before it
    if not t or _NOT_ANAPHORIC.match(t) or _DEICTIC.match(t):
        return None
    m = _CONNECTIVE.match(t)
    if m:
        word = m.group(0)
        if len(word) == 1 and not re.match(r"[但而并並][，,]?[" + HAN + "]", t):
            return None
        if len(word) == 1 and t[1:2] in ("且", "非", "不", "无", "無", "列", "今", "后", "後", "未"):
            return None  # 并非 / 而今 …: a word that only starts with the connective's character
        return "connective", word
    m = _DEMONSTRATIVE.match(t)
    if m and not t.startswith(("这样", "這樣", "那么", "那麼", "那些年")):
        if t[0] in "该該" and len(t) > 1 and t[1] in "是要会會能可应應当當怎如不":
            return None  # the modal 该 (该怎么办, 该不该)
        rest = t[m.end():]
        c = _CLASSIFIER.match(rest)
        nouns = [re.match(rf"[{HAN}]{{0,2}}", x).group(0) for x in ((rest[c.end():], rest) if c else (rest,))]
        if c and len(nouns[-1]) < 2:
            nouns.pop()  # 这座1997年…: 座 is the classifier, not a noun
        head = re.match(rf"[^，,。！？；：是]{{1,14}}?的([{HAN}]{{2}})", rest)  # 这座1997年建成的大桥 -> 大桥
        if head:
            nouns.append(head.group(1))
        nouns = [n for n in nouns if n and n[0] not in _FUNCTION]
        return "demonstrative", "|".join(dict.fromkeys(nouns))
    if _PRONOUN.match(t):
        return "pronoun", _PRONOUN.match(t).group(0)
    m = _LEADING_WHEN.match(t)  # 半年前，他… / 十年间，它…: the pronoun after a short time or place phrase
    if m and _PRONOUN.match(t[m.end():]) and not t[m.end():].startswith(("其实", "其實", "其他", "其它", "其中")):
        return "pronoun", _PRONOUN.match(t[m.end():]).group(0)
    m = _ITEM.match(t)
    if m:
        return "item", m.group(0)
    return None


def _section_start(heads: Sequence[bool], i: int) -> int:
    j = i
    while j > 0 and not heads[j - 1]:
        j -= 1
    return j


def antecedent(texts: Sequence[str], i: int, title: str | None = None, heads: Sequence[bool] | None = None,
               persons: Sequence[bool] | None = None, skip: Sequence[bool] | None = None) -> int | None:
    """Index of the sentence that sentence ``i`` of ``texts`` (reading order) points back to.

    None: it leans on nothing; ``TITLE``: on the headline; ``UNRESOLVED``: on nothing the reader
    has. ``heads[j]``: sentence j is a heading (sections end there); ``persons[j]``: sentence j names
    a person; ``skip[j]``: sentence j is layout (a credit line), not text to lean on. Texts should be
    in simplified characters (``script.to_simplified``).
    """
    found = opener(texts[i])
    if found is None:
        return None
    kind, word = found
    heads = heads if heads is not None else [False] * len(texts)
    start = _section_start(heads, i)
    before = [j for j in range(i - 1, start - 1, -1) if not (skip and skip[j])][:REACH]
    if kind == "demonstrative":
        # the noun (这座大桥 -> 大桥, 该项目 -> 项目), else its first character (该镇召开 -> 镇 of 杉岭镇)
        nouns = [n for n in word.split("|") if n]
        keys = nouns + [n[0] for n in nouns if len(n) == 2 and n[0] not in _FUNCTION]
        for key in keys:
            for j in before:
                if key in texts[j]:
                    return j
        if not before:
            return TITLE if title and any(k in title for k in keys) else UNRESOLVED
        return before[0]
    if kind == "pronoun":
        if not before:
            return UNRESOLVED
        if word[0] in _PERSONAL and persons is not None:
            for j in before:
                if persons[j]:
                    return j
        return before[0]
    return before[0] if before else None  # connective, item

"""Join stories that jump across pages of one issue ((下转2版) … (上接1版), or a body cut at a
page end). Works on the PageParse values of the reader; pure functions."""
from __future__ import annotations

from typing import Sequence

from .repair import clean_line, ends_sentence, join_pair
from ..models import Article, Continuation, PageParse


_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def page_number(label: str) -> int | None:
    """The page a jump names: 3, 03, 三, 十二, 二十 -> int; A3 and the like -> None."""
    if label.isdigit():
        return int(label)
    if label and all(ch in _CN or ch == "十" for ch in label):
        if "十" not in label:
            return int("".join(str(_CN[ch]) for ch in label))
        tens, _, ones = label.partition("十")
        return (_CN.get(tens, 1) if tens else 1) * 10 + (_CN.get(ones, 0) if ones else 0)
    return None


def _label(c: Continuation) -> int | None:
    return page_number(c.page)


def join_continuations(pages: Sequence[PageParse]) -> list[Article]:
    """Join stories continued across pages of one issue into single articles.

    A story marked (下转N版) is joined with the story on page N marked (上接M版) (M = its own
    page); failing markers, a story whose last paragraph is cut mid-sentence at the end of a
    page is joined with an untitled, unsigned first story of the next page.
    """
    by_page = {p.page: list(p.articles) for p in pages}
    consumed: set[tuple[int, int]] = set()
    joined: dict[tuple[int, int], Article] = {}
    order = sorted(by_page)
    for pn in order:
        arts = by_page[pn]
        for a in arts:
            if (pn, a.position) in consumed:
                continue
            cur, cur_page = joined.get((pn, a.position), a), pn
            while True:
                tgt = _find_next(cur, cur_page, by_page, consumed, arts_last=by_page[cur_page][-1])
                if tgt is None:
                    break
                tp, ta = tgt
                consumed.add((tp, ta.position))
                cur = _concat(cur, ta)
                cur_page = tp
            joined[(pn, a.position)] = cur
    return [joined.get((pn, a.position), a) for pn in order for a in by_page[pn]
            if (pn, a.position) not in consumed]


def _find_next(a: Article, pn: int, by_page: dict, consumed: set, arts_last: Article):
    for c in a.continuations:
        if c.direction == "to" and _label(c) in by_page:
            tp = _label(c)
            for b in by_page[tp]:
                if (tp, b.position) in consumed or b is a:
                    continue
                if any(x.direction == "from" and _label(x) == pn for x in b.continuations):
                    return tp, b
    if a.position == arts_last.position and a.paragraphs and not ends_sentence(a.paragraphs[-1]) \
            and pn + 1 in by_page and by_page[pn + 1]:
        b = by_page[pn + 1][0]
        if (pn + 1, b.position) not in consumed and not b.title and not b.byline and b.duplicate_of is None \
                and not any(x.direction == "from" and _label(x) not in (None, pn) for x in b.continuations):
            return pn + 1, b
    return None


def _concat(a: Article, b: Article) -> Article:
    paras = list(a.paragraphs)
    rest = list(b.paragraphs)
    if paras and rest and not ends_sentence(paras[-1]):
        paras[-1] = clean_line(join_pair(paras[-1], rest.pop(0)), prose=True)
    conts = tuple(c for c in a.continuations if c.direction != "to") + \
        tuple(c for c in b.continuations if c.direction != "from")
    return Article(a.title or b.title, a.byline or b.byline, a.kind, tuple(paras + rest), a.position,
                   a.main_title or b.main_title, a.dateline or b.dateline, a.page, a.source,
                   a.captions + b.captions, conts, a.duplicate_of)

"""What a headline group is on its page: a story's headline, or a cross-head inside a story.

Decisions the assembler (:mod:`digest.reading.articles`) asks about a unit, from the units around
it and the page's own habits (:class:`PageStats`): does a header follow it (byline, lede, source
line, photo credit)? Is it a cross-head of the open story? Is a paragraph opening a story its
headline? Is a line only a rule?
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import fields as fl
from .fields import notice_title
from .furniture import RULE
from .repair import ends_sentence
from .unit import Unit
from .words import opens_mid_sentence


def next_index(units: list[Unit], skip) -> list[int]:
    """For each i, the index of the first unit after i that ``skip`` does not pass over
    (len(units) if none): one backward sweep, so a page of thousands of furniture lines stays linear."""
    out = [len(units)] * len(units)
    nxt = len(units)
    for j in range(len(units) - 1, -1, -1):
        out[j] = nxt
        if not skip(units[j]):
            nxt = j
    return out


def ahead(units: list[Unit], i: int, n: int = 3) -> list[Unit]:
    """The next n units after i, furniture and source lines skipped."""
    out = []
    for j in range(i + 1, len(units)):
        u = units[j]
        if u.kind in ("F", "X", "C"):
            continue
        out.append(u)
        if len(out) == n:
            break
    return out


def has_header(units: list[Unit], i: int) -> bool:
    """Is the headline group at i followed by what follows a headline: a byline, a source line,
    a lede (本报讯…), an editor's note, or a short paragraph closed by a photo credit?"""
    for j in range(i + 1, len(units)):
        u = units[j]
        if u.kind == "X":
            return True
        if u.kind not in ("F", "C", "H"):
            break
    nxt = ahead(units, i)
    if not nxt:
        return False
    a = nxt[0]
    if a.kind in ("B", "E", "N") or (a.kind == "P" and a.lede):
        return True
    # photo news: the caption closed by its credit, and no plain text of the same story after it
    # (a cross-head over a picture inside a story is followed by more of the story's paragraphs)
    return a.kind == "P" and len(nxt) > 1 and nxt[1].kind == "K" and nxt[1].photo \
        and not (len(nxt) > 2 and nxt[2].kind == "P" and not nxt[2].lede)


@dataclass(frozen=True)
class PageStats:
    """What the page's own headlines look like (for telling a cross-head from a headline)."""

    headers: int  # headline groups followed by a header (byline, source line, lede …)
    heads: int  # all headline groups
    top_level: int  # the markup level the page's headlines use (0: none)

    @property
    def header_habit(self) -> bool:
        return self.headers >= 2 and self.headers >= 0.5 * self.heads


def page_stats(units: list[Unit]) -> PageStats:
    heads = [i for i, u in enumerate(units) if u.kind == "H"]
    with_header = [i for i in heads if has_header(units, i)]
    levels = [min(units[i].levels) for i in with_header if units[i].level]
    return PageStats(len(with_header), len(heads), min(levels) if levels else 0)


SIGNED_HEAD = "subhead: a short head inside a signed story"


def subhead(units: list[Unit], i: int, cur: Any, stats: PageStats) -> str:
    """The reason a headline group at i is a cross-head of the open story ``cur`` ('' if not)."""
    u = units[i]
    if cur is None or not cur.paras or cur.closed or len(u.parts) != 1 or u.kind != "H":
        return ""
    if len(u.text) > 24 or has_header(units, i) or not ends_sentence(cur.paras[-1]) or notice_title(u.text):
        return ""
    label = re.match(r"^(\S{2,6}?)[：:]", u.text)
    if label and fl.column_name(label.group(1)) or fl.column_tag(u.text):
        return ""  # 社论：… / …（时评）: a piece of its own under its column's name, never a cross-head
    nxt = ahead(units, i)
    while len(nxt) > 1 and nxt[0].kind == "K":
        nxt = nxt[1:]  # the photo of the section under the cross-head, its caption before the text
    if not nxt or nxt[0].kind != "P" or opens_mid_sentence(nxt[0].text):
        return ""  # text that picks up a sentence mid-way is a column chunk, never the start of a section
    if stats.top_level and u.level > stats.top_level:
        return f"subhead: deeper heading level ({u.level}) than the page's headlines ({stats.top_level})"
    if u.centred:
        return ""  # set in the middle of a -layout page: a headline
    if stats.header_habit and (not stats.top_level or u.level != stats.top_level or not u.level):
        return (f"subhead: no byline, lede or source line follows it, while {stats.headers} of the "
                f"page's {stats.heads} headlines have one")
    if cur.names and not cur.signed and len(u.text) <= 10 and not u.level and not nxt[0].lede:
        return f"{SIGNED_HEAD}, and the text under it has no byline or lede of its own"
    return ""


def is_rule(text: str) -> bool:
    """A line that is only a rule (====, ＊＊＊＊, ————): it separates stories."""
    return RULE.fullmatch(text.strip()) is not None


def head_of_next(units: list[Unit], i: int, n1: str) -> bool:
    """Is paragraph i, opening a story, its headline: a short line (4–30 characters) with no
    sentence punctuation, followed by a paragraph that is no continuation of it?"""
    from .fields import heading_like

    t = units[i].text
    nxt = ahead(units, i, 1)
    return (n1 == "P" and bool(nxt) and 4 <= len(t) <= 30 and heading_like(t) and not ends_sentence(t)
            and not re.search(r"[，,。；：:]", t) and len(nxt[0].text) >= 2 * len(t) and not opens_mid_sentence(nxt[0].text))

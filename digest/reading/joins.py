"""Repairs on labelled units before assembly.

Repeated paragraphs are dropped (PDF extraction prints blocks twice); a short line that
interrupts a sentence is lifted out (a banner, half a headline); a headline group split by blank
lines is joined; paragraphs that a column or page break cut are glued again (across a page footer
too); a paragraph line cut inside a word is not a headline.
"""
from __future__ import annotations

import re

from .heads import has_header
from .fields import notice_title
from .printed_dates import ends_with_date
from .repair import clean_line, continues, ends_sentence, join_pair, key
from .unit import Unit
from .words import spans_word

_GLUE_NEXT = re.compile(r"^.{1,4}[。！？；]")


# -- 1. repair --------------------------------------------------------------------------

def dedupe_units(units: list[Unit]) -> tuple[list[Unit], list[Unit]]:
    """Drop repeated paragraphs (kept: the first copy that is not part of a pasted run)."""
    groups: dict[str, list[int]] = {}
    for i, u in enumerate(units):
        if u.kind == "P" and len(key(u.text)) >= 16:
            groups.setdefault(key(u.text), []).append(i)
    drop: set[int] = set()
    for idx in groups.values():
        if len(idx) < 2:
            continue
        lone = [i for i in idx if i - 1 not in idx and i + 1 not in idx]  # copies pasted in a row are strays
        keep = (lone or idx)[0]
        drop.update(i for i in idx if i != keep)
    return [u for i, u in enumerate(units) if i not in drop], [units[i] for i in sorted(drop)]


def repair(units: list[Unit]) -> list[Unit]:
    """Lift interlopers out of sentences, merge split headline groups, glue cut paragraphs."""
    out: list[Unit] = []
    i = 0
    while i < len(units):
        u = units[i]
        prev = _last_text(out)
        nxt = _next_text(units, i)
        single = u.kind in ("H", "N") and len(u.parts) == 1 and not u.level and not u.centred
        if single and nxt and nxt.kind == "P" and not nxt.lede and spans_word(u.text, nxt.text) \
                and not has_header(units, i):
            j = units.index(nxt)  # a paragraph cut inside a word (column or page end), not a headline
            nxt.text = clean_line(join_pair(u.text, nxt.text), prose=True)
            nxt.lines = u.lines + nxt.lines
            nxt.why = "body: paragraph (a line break inside a word joined)"
            out.extend(units[i + 1:j])
            i = j
            continue
        if single and prev and prev.kind == "P" and nxt and nxt.kind == "P" and not nxt.lede:
            if not ends_sentence(prev.text) and len(u.text) <= 12 and not notice_title(u.text) \
                    and not ends_with_date(prev.text):  # a notice ends with its signature and date
                prev.interlopers.append(u.text)  # banner or a headline half inside a sentence
                prev.lifted += u.lines
                i += 1
                continue
            if _GLUE_NEXT.match(nxt.text) and units[i + 1] is nxt:  # a run-in head cut by a column break
                out.append(Unit("P", clean_line(join_pair(u.text, nxt.text), prose=True),
                                "body: run-in head glued to its paragraph", u.lines + nxt.lines,
                                conts=nxt.conts, page=u.page))
                i += 2
                continue
        if u.kind == "H" and out and out[-1].kind == "H" and not u.block_start and u.page == out[-1].page:
            p = out[-1]
            p.breaks.append(len(p.parts))
            p.parts += u.parts  # one headline group, split by blank lines
            p.levels += u.levels
            p.lines += u.lines
            p.text = " | ".join(p.parts)
            i += 1
            continue
        if (u.kind == "P" and prev and prev.kind == "P" and not u.block_start and not u.lede
                and continues(prev.text, u.text)):
            p = prev  # a footer or running head between the halves stays furniture
            p.text = clean_line(join_pair(p.text, u.text), prose=True)
            p.conts.extend(u.conts)
            p.lines += u.lines
            i += 1
            continue
        out.append(u)
        i += 1
    return out


def _last_text(out: list[Unit]) -> Unit | None:
    """The last unit that is not edge furniture (a page footer does not interrupt a sentence)."""
    for u in reversed(out):
        if not (u.kind == "F" and u.category == "edge"):
            return u
    return None


def _next_text(units: list[Unit], i: int) -> Unit | None:
    for j in range(i + 1, len(units)):
        u = units[j]
        if not (u.kind == "F" and u.category == "edge"):
            return u
    return None

"""Assembly: labelled units -> articles.

1. ``repair``: repeated paragraphs are dropped (PDF extraction prints blocks twice); a short
   line that interrupts a sentence is lifted out (a banner, half a headline); paragraphs that a
   column break cut are glued again.
2. ``assemble``: a state machine turns units into draft stories. A headline either opens the
   next story ("forward" layout) or closes the story above it ("back" layout: headline printed
   after its body). Both readings are built and the one that leaves fewer untitled bodies and
   body-less headlines wins.
3. Cross-heads: a headline group inside an open story, with no byline, lede or source line after
   it, is a subhead of that story when the page's own headlines carry such a header — the
   document decides, not a list of strings.
4. Briefs: every ■ item is a story (a ■ headline with the paragraph under it, or a one-line item).
5. ``finish`` (:mod:`digest.reading.finish`): titles, bylines, kind, dateline, captions.
"""
from __future__ import annotations

import re

from dataclasses import dataclass, field

from ..models import Continuation
from . import fields as fl
from .heads import SIGNED_HEAD, PageStats, has_header, head_of_next, is_rule, next_index, subhead
from .repair import clean_line, ends_sentence
from .unit import Unit
from .words import starts_mid_sentence


@dataclass
class Draft:
    parts: list[str] = field(default_factory=list)
    levels: list[int] = field(default_factory=list)  # markup level of each part
    names: list[str] = field(default_factory=list)
    bare: bool = False
    paras: list[str] = field(default_factory=list)
    subheads: list[int] = field(default_factory=list)  # indices into paras
    subwhy: dict[int, str] = field(default_factory=dict)  # id(unit) -> why it is a cross-head
    captions: list[str] = field(default_factory=list)
    conts: list[Continuation] = field(default_factory=list)
    interlopers: list[str] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)  # every unit that went into the story
    date: str | None = None
    closed: bool = False
    signed: bool = False  # closed by an attribution/affiliation trailer
    lede: bool = False
    photo: bool = False  # closed by a photo credit (…摄): photo news
    note: list[str] = field(default_factory=list)  # an editor's note printed above the headline
    opened_by: str = ""
    position: int | None = None  # the article it became (set by finish)
    column: str = ""  # the standing head of the column it ran in (东方时评), set by finish
    lifted_from: "Draft | None" = None  # a headline candidate lifted out of this story's sentence


# -- 2. assemble ------------------------------------------------------------------------

def assemble(units: list[Unit], back: bool, stats: PageStats) -> tuple[list[Draft], list[Unit], list[Draft]]:
    """Units -> (stories, furniture units, headline-only drafts). ``back``: headlines close the
    story above them (layouts that print the headline after the body)."""
    drafts: list[Draft] = []
    furniture: list[Unit] = []
    orphans: list[Draft] = []
    cur: Draft | None = None
    pending: list[Continuation] = []

    def new(u: Unit | None = None, **kw) -> Draft:
        nonlocal cur, pending
        cur = Draft(**kw)
        cur.conts.extend(pending)
        pending = []
        if u is not None:
            cur.units.append(u)
        drafts.append(cur)
        return cur

    def crosshead(u: Unit, why: str) -> None:
        """Take ``u`` into the open story as a cross-head, saying why."""
        cur.subwhy[id(u)] = why
        cur.subheads.append(len(cur.paras))
        cur.paras.append(u.text)
        cur.units.append(u)

    def resplit(split: tuple[int, str] | None) -> bool:
        """Close ``cur`` before its paragraph ``split[0]`` (a headline taken for a cross-head or for
        text) and open a new story under that headline holding what followed it."""
        if split is None:
            return False
        k, head = split
        moved, cur.paras = cur.paras[k + 1:], cur.paras[:k]
        moved_subheads = [s - k - 1 for s in cur.subheads if s > k]
        cur.subheads = [s for s in cur.subheads if s < k]
        moved_units = [x for x in cur.units if x.kind in "PH" and x.text in moved or x.text == head]
        cur.units = [x for x in cur.units if x not in moved_units]
        cur.closed = True
        raw = next((x.raw for x in moved_units if x.text == head and x.raw), head)
        new(parts=[clean_line(raw, prose=False)], levels=[0], opened_by="H")
        cur.paras.extend(moved)
        cur.subheads = moved_subheads
        cur.units.extend(moved_units)
        return True

    content = next_index(units, lambda u: u.kind in ("F", "X", "C"))
    shown = next_index(units, lambda u: (u.kind == "F" and u.category == "edge") or u.kind == "X")
    box = False  # a box label (■链接) was just taken into the open story
    for i, u in enumerate(units):
        n1, n2 = _next_kinds(units, i, shown)
        box, was_box = False, box
        untitled = cur is not None and not cur.parts and bool(cur.paras)
        if u.kind == "F":
            furniture.append(u)
            j = content[i]
            inside = j < len(units) and units[j].kind == "P" and not units[j].lede \
                and not is_rule(u.text)  # a box label (亮点) inside the story; a rule ends it
            if u.category == "flow" and cur is not None and cur.paras and not inside:
                cur.closed = True  # a tool line, a column head or a credit of the paper ends the story
        elif u.kind == "X":
            furniture.append(u)
            if cur is not None and cur.paras:
                cur.closed = True  # 《X报》（…第5版）after a story (portal copies): the story ends there
        elif u.kind == "C":
            if cur is not None and (u.conts[0].direction == "to" or (cur.parts and not cur.paras)):
                cur.conts.extend(u.conts)  # 下转 ends the story above; 上接 under a headline is that story's
            else:
                pending.extend(u.conts)
            furniture.append(u)
        elif u.kind == "E":
            if cur is not None and (cur.parts or cur.names) and not cur.paras:
                cur.paras.append(u.text)  # between headline/byline and story: part of the story
                cur.units.append(u)
            else:
                new(u, note=[u.text], opened_by="E")  # printed above the headline it introduces
        elif u.kind == "Q":
            if u.brief_head and cur is not None and cur.paras and not cur.closed and fl.box_label(u.text):
                crosshead(u, "subhead: the label of a box inside the story (■链接)")
                box = True  # the box's own title, next, is a head inside the story too
                continue
            if u.brief_head and cur is not None and cur.paras and not cur.closed and cur.names and n1 == "P" \
                    and (len(u.text) <= 6 or len(u.text) <= 20 and not units[shown[i]].lede
                         and _leans_back(units[shown[i]].text, cur.paras)):
                crosshead(u, "subhead: a short marked head (◆案情回放) inside a signed story")
            elif u.brief_head:
                new(u, parts=[u.text], levels=[0], opened_by="H")
            else:
                new(u, paras=[u.text], opened_by="Q", closed=True)
        elif u.kind in "HN" and was_box and u.kind == "H" and len(u.parts) == 1 and n1 == "P":
            crosshead(u, "subhead: the title of a box inside the story")
        elif u.kind in "HN":
            if u.kind == "H" and len(u.parts) == 1 and fl.column_name(u.text) and n1 == "P" and not back \
                    and not has_header(units, i):
                furniture.append(Unit("F", u.text, "furniture: a column's label over its items", u.lines,
                                      page=u.page, category="flow"))  # 案件速递 over headline + text items
                if cur is not None:
                    cur.closed = True
                continue
            why = subhead(units, i, cur, stats) if not back else ""
            if not why and u.kind == "H" and len(u.parts) == 1 and len(u.text) <= 6 and n1 == "P" and cur is not None \
                    and cur.parts and cur.names and not cur.paras and not cur.closed:
                why = "subhead: a short label right under the headline and byline (【案情】), over the story's text"
            if why:
                crosshead(u, why)
                continue
            if u.kind == "N" and cur is not None and cur.parts and not cur.paras and not cur.names:
                cur.names = [u.text]
                cur.units.append(u)
                continue
            if cur is not None and cur.opened_by == "E" and not cur.parts and not cur.paras:
                cur.parts, cur.levels, cur.opened_by = list(u.parts), list(u.levels), "H"
                cur.units.append(u)  # the headline under its editor's note
                continue
            followed_by_head = n1 in ("H", "") or (n1 == "B" and n2 in ("H", ""))
            same_group = (cur is not None and cur.opened_by in ("H", "orphan") and cur.parts and not cur.paras
                          and not cur.names and not u.block_start and u.kind == "H")
            if untitled and (back or followed_by_head) and not u.block_start:
                cur.parts, cur.levels, cur.closed = list(u.parts), list(u.levels), True
                cur.units.append(u)
            elif (untitled and not back and cur.opened_by == "L" and len(u.parts) > 1 and n1 == "P"
                  and not any(p.startswith("——") for p in u.parts) and not u.block_start):
                cur.parts, cur.levels, cur.closed = u.parts[:1], u.levels[:1], True  # closes the story above
                new(u, parts=u.parts[1:], levels=u.levels[1:], opened_by="H")
            elif same_group:
                cur.parts.extend(u.parts)  # a headline group split by blank lines
                cur.levels.extend(u.levels)
                cur.units.append(u)
            elif back and cur is not None:
                cur = Draft(parts=list(u.parts), closed=True, opened_by="orphan", units=[u])
                orphans.append(cur)  # headline whose body is not on the page
            else:
                new(u, parts=list(u.parts), levels=list(u.levels), opened_by="H")
        elif u.kind == "D":
            if cur is not None and cur.parts and not cur.paras:
                cur.date = u.text
                cur.units.append(u)
            elif cur is not None and not cur.closed:
                cur.paras.append(u.text)
                cur.units.append(u)
            else:
                furniture.append(u)
        elif u.kind == "B":
            if cur is None or cur.signed or cur.photo or (cur.closed and cur.paras and cur.opened_by == "Q"):
                new(u, names=list(u.names), bare=u.bare, opened_by="B")
            elif not cur.paras:
                cur.bare = u.bare and (cur.bare or not cur.names)
                cur.names.extend(x for x in u.names if x not in cur.names)
                cur.units.append(u)
            elif not cur.names and (n1 in ("H", "B", "T", "F", "")
                                    or (cur.opened_by == "H" and len(cur.paras) <= 1 and not cur.closed)):
                cur.names, cur.bare = list(u.names), u.bare
                cur.units.append(u)
                if n1 != "P":
                    cur.closed = True
            elif cur.names and u.names and not set(u.names) & set(cur.names) \
                    and resplit(_split_for_credit(cur, signed_only=True) if u.bare else _split_for_credit(cur)):
                cur.names, cur.bare = list(u.names), True
                cur.units.append(u)  # an author mark after the text signs the piece that began at a cross-head
                cur.closed = not u.bare  # 作者：X after the text ends its piece (■ X may sign a piece in parts)
            else:
                new(u, names=list(u.names), bare=u.bare, opened_by="B")
        elif u.kind == "T" and u.names and not u.bare and cur is not None and cur.parts and not cur.paras \
                and not cur.names and not cur.closed:
            cur.names = list(u.names)  # （融媒记者 X） right under the headline: the story's byline
            u.why = "byline in brackets under the headline"
            cur.units.append(u)
        elif u.kind == "T":
            if cur is None or (cur.closed and cur.signed) or (cur.closed and cur.opened_by == "Q"):
                new(opened_by="T")
            elif u.names and (cur.names and not set(u.names) & set(cur.names)
                              or not cur.names and cur.paras and _WIRE_OPEN.match(cur.paras[0])):
                resplit(_split_for_credit(cur))  # the credit names other reporters (or the paper's own after a
                # wire story): their story began at a head
            cur.paras.append(u.text)
            cur.units.append(u)
            if u.names and not cur.names:
                cur.names, cur.bare = list(u.names), u.bare
            cur.closed = True
            cur.signed = cur.signed or u.bare  # affiliation/attribution sign the piece; a funding note only ends it
        elif u.kind == "K":
            under_crosshead = cur is not None and bool(cur.subheads) and cur.subheads[-1] >= len(cur.paras) - 2
            credits_caption = cur is not None and bool(cur.units) and cur.units[-1].kind == "K" \
                and not cur.units[-1].photo  # 图为… then 本报记者 X 摄: the picture's credit
            inset = cur is not None and len(cur.paras) >= 2 and _SELF_CREDITED.search(u.text) is not None \
                and not cur.closed  # a picture set into a story's text, its caption with its own credit
            if u.photo and cur is not None and not cur.photo and (cur.paras or cur.parts) and not cur.closed \
                    and not under_crosshead and not credits_caption and not inset:
                cur.paras.append(u.text)  # the photographer's credit closes photo news
                cur.units.append(u)
                if not cur.names:
                    cur.names = list(u.names)
                cur.photo = cur.closed = True
            elif under_crosshead and u.photo and cur.units[-1].kind == "P" and cur.units[-1].why.endswith("(the text of photo news)"):
                cur.captions.append(f"{cur.paras.pop()} {u.text}")  # a picture under a cross-head: its caption
                cur.units.append(u)
            elif cur is not None and cur.photo and cur.closed and len(u.text) >= 20 and _SELF_CREDITED.search(u.text):
                new(u, paras=[u.text], opened_by="K")  # photo news closed by its credit, then a credited caption: its own
                cur.names = fl.photo_credit(re.split(r"[。！]", u.text)[-1].strip()) or []
            elif cur is not None and (cur.paras or ((cur.parts or cur.names) and not u.photo and not cur.closed)):
                cur.captions.append(u.text)  # the caption of the story's photo (also between header and text)
                cur.units.append(u)
            else:
                new(u, paras=[u.text], opened_by="K")
        else:  # P
            starts_frame = u.block_start and cur is not None and cur.paras and ends_sentence(cur.paras[-1])
            jump_in = any(c.direction == "from" for c in u.conts) and cur is not None and cur.paras
            if u.lede:
                after_note = cur is not None and bool(cur.units) and cur.units[-1].kind == "E"  # 编者按 then the letter
                if cur is None or (cur.paras and not after_note) or (cur.closed and not cur.parts) or (back and cur.closed):
                    new(opened_by="L")
                cur.lede = True
                if u.names and not cur.names:
                    cur.names = list(u.names)
            elif cur is None or cur.closed or starts_frame or jump_in or _cut_from_above(drafts, cur, u):
                if not back and not jump_in and not u.conts and head_of_next(units, i, n1):
                    u.text = fl.numbered_item(u.text) or u.text  # 4.县图书馆…: a numbered story
                    u.kind, u.parts, u.levels = "H", [u.text], [0]  # 父亲的自行车 over the text of a new story
                    u.why = "headline: a short line over the text, after a story that ended (no byline or lede)"
                    new(u, parts=[u.text], levels=[0], opened_by="H")
                    continue
                new(opened_by="P")
            cur.paras.append(u.text)
            cur.units.append(u)
            cur.conts.extend(u.conts)
            cur.interlopers.extend(u.interlopers)
            if fl.closing_credit(u.text):
                cur.closed = True  # …（记者 X） closing the text: the story ends here
    for d in drafts:
        if d.note:  # an editor's note opens the story it introduces
            d.subheads = [k + len(d.note) for k in d.subheads]
            d.paras[:0] = d.note
    orphans += [d for d in drafts if d.parts and not d.paras and not d.captions]
    drafts = [d for d in drafts if d.paras or d.captions]
    if pending and drafts:
        drafts[-1].conts.extend(pending)
    return drafts, furniture, orphans


def _cut_from_above(drafts: list[Draft], cur: Draft, u: Unit) -> bool:
    """Is paragraph ``u`` the rest of a sentence that an earlier story on the page left open
    (4.6亿元。… after …去年实现产值), while the story in hand ended its sentence? Then it is a
    column chunk in the wrong place, not this story's next paragraph (reorder joins it)."""
    if not cur.paras or not ends_sentence(cur.paras[-1]):
        return False
    return any(d is not cur and d.paras and not d.photo and starts_mid_sentence(u.text, d.paras[-1])
               for d in drafts[-4:])


def _split_for_credit(d: Draft, signed_only: bool = False) -> tuple[int, str] | None:
    """(index, text) of the last headline-shaped paragraph of ``d`` that follows a finished sentence:
    where a story without blank lines around its headline began inside the story above.
    ``signed_only``: only a cross-head taken for one because the story above was signed."""
    from .fields import heading_like

    if signed_only:
        signed = {x.text for x in d.units if d.subwhy.get(id(x), "").startswith(SIGNED_HEAD)}
        return next(((k, d.paras[k]) for k in reversed(d.subheads)
                     if 0 < k < len(d.paras) - 1 and d.paras[k] in signed), None)
    for k in range(len(d.paras) - 1, 0, -1):
        p = d.paras[k]
        if k not in d.subheads and len(p) <= 30 and heading_like(p) and ends_sentence(d.paras[k - 1]) \
                and k + 1 < len(d.paras):
            return k, p
    # else the last cross-head taken for one only by the page's habit (not by a deeper heading
    # level): a story has one set of credits, so a closing credit naming others starts a new story
    by_level = {x.text for x in d.units if d.subwhy.get(id(x), "").startswith("subhead: deeper")}
    for k in reversed(d.subheads):
        if 0 < k < len(d.paras) - 1 and d.paras[k] not in by_level:
            return k, d.paras[k]
    return None


_WIRE_OPEN = re.compile(r"^(?:据)?(?:新华社|中新社|中新网|人民网|央视|[\u4e00-\u9fff]{1,4}社)[^，。]{0,12}[电電]|^据[\u4e00-\u9fff]{1,6}社")
_SELF_CREDITED = re.compile(r"[。！]\s*[^。！？]{2,24}[摄攝][)）]?$")  # …作业。新华社记者 X 摄
_BACK = re.compile(r"^(?:该|这|此|其|他|她|它)[^，。]")


def _leans_back(text: str, paras: list[str]) -> bool:
    """The paragraph under a marked head goes on with the story above: it opens pointing back
    (该科主任医师…, 他说…) or with a name of three or more characters the story already used
    (沈知远说…). A brief of its own opens afresh (a date, a place, a new subject)."""
    if _BACK.match(text):
        return True
    head = re.split(r"[，。：:]", text, maxsplit=1)[0][:12]
    above = "".join(paras)
    return any(head[k:k + 3] in above for k in range(len(head) - 2))


def _next_kinds(units: list[Unit], i: int, shown: list[int]) -> tuple[str, str]:
    """The kinds of the next two units after i that are not edge furniture or source lines
    ('' past the end); ``shown`` is _next_index of those."""
    j = shown[i]
    k = shown[j] if j < len(units) else len(units)
    return (units[j].kind if j < len(units) else "", units[k].kind if k < len(units) else "")


def cost(drafts: list[Draft], orphans: list[Draft]) -> int:
    """Untitled stories (jump continuations, captions and one-line briefs excepted) plus headline-only blocks."""
    untitled = sum(1 for d in drafts if not d.parts and not any(c.direction == "from" for c in d.conts)
                   and not caption_block(d) and d.opened_by != "Q")
    return untitled + len(orphans)


def caption_block(d: Draft) -> bool:
    """A short untitled frame not opened by a dateline: a photo caption (allowed to be untitled)."""
    return not d.lede and sum(len(p) for p in d.paras) < 250 and d.opened_by in ("P", "B", "K")

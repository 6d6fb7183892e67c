"""Split one page of extracted newspaper text into articles.

Pipeline (all linear in the number of lines):

1. ``_units``: classify lines into units — furniture (F), continuation marker (C), byline (B),
   closing trailer such as ``(作者单位：…)`` (T), date line (D), photo caption (K), and runs of
   other lines that become a headline group (H, headline-shaped lines) or prose paragraphs (P).
2. ``_repair``: drop repeated paragraphs, lift short lines that interrupt a sentence (banners,
   a headline half printed mid-column), glue paragraphs a column break cut.
3. ``_assemble``: a state machine turns units into draft articles. Headlines either open the
   next story ("forward" layout) or close the story before them ("back" layout, headline after
   body). Both readings are built and the one leaving fewer untitled bodies and body-less
   headlines wins; either reading always hands a headline back to an untitled body when the
   headline is directly followed (after an optional author mark) by another headline.
4. ``_finish``: titles, bylines, kind, dateline, captions, page-level de-duplication.

Decisions: duplicated blocks are dropped (listed in ``PageParse.duplicates``); headline-only
blocks (a headline whose body is not on the page, e.g. a teaser) are not emitted as articles
and are listed in ``PageParse.orphan_titles``; captions attach to the story they follow, a
caption block of its own becomes a ``photo_caption`` article.

Helpers: repair.py (text repair), patterns.py (line patterns, headline/kind rules).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import patterns as L
from .repair import (clean_line, continues, ends_sentence, join_lines, join_pair, key,
                    strip_controls, strip_markdown)

from ..models import Article, Continuation, PageParse

_ENUM = re.compile(r"^([一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．])")
_FULL_DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")  # a notice's signature date
_GLUE_NEXT = re.compile(r"^.{1,4}[。！？；]")


@dataclass
class _Unit:
    kind: str  # F C B T D K H P
    text: str = ""
    parts: list[str] = field(default_factory=list)  # H: headline parts
    level: int = 0  # markdown heading level
    levels: list[int] = field(default_factory=list)  # H: level of each part
    block_start: bool = False  # indented line: a new text frame
    names: list[str] = field(default_factory=list)
    bare: bool = False  # B: author mark without reporter words
    conts: list[Continuation] = field(default_factory=list)
    interlopers: list[str] = field(default_factory=list)
    lede: bool = False


@dataclass
class _Draft:
    parts: list[str] = field(default_factory=list)
    levels: list[int] = field(default_factory=list)  # markdown level of each part
    names: list[str] = field(default_factory=list)
    bare: bool = False
    paras: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    conts: list[Continuation] = field(default_factory=list)
    interlopers: list[str] = field(default_factory=list)
    date: str | None = None
    closed: bool = False
    signed: bool = False  # closed by an attribution/affiliation trailer
    lede: bool = False
    opened_by: str = ""


# -- 1. units ---------------------------------------------------------------------------

def _units(text: str) -> list[_Unit]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    nonblank = [ln for ln in lines if ln.strip()]
    indented = sum(1 for ln in nonblank if ln[:1] in " \u3000\t")
    use_indent = indented <= max(2, 0.2 * len(nonblank))  # indentation marks frames only if rare
    units: list[_Unit] = []
    run: list[tuple[str, int, bool, list]] = []

    def flush() -> None:
        if run:
            units.extend(_run_units(run))
            run.clear()

    for raw in lines:
        line, hint = strip_markdown(raw)
        if not line.strip():
            flush()
            continue
        indent = use_indent and raw[:1] in " \u3000\t"
        line, conts = L.continuations(line)
        s = line.strip()
        if not s:
            flush()
            units.extend(_Unit("C", conts=[c]) for c in conts)
            continue
        cls = _classify(s, hint.heading)
        if cls is not None:
            flush()
            cls.conts = conts
            units.append(cls)
            continue
        if indent or hint.heading or (run and run[-1][1]):
            flush()
        run.append((s, hint.heading, indent, conts))
    flush()
    return units


def _classify(s: str, level: int) -> _Unit | None:
    t = L.trailer(s)
    if t:
        return _Unit("T", clean_line(s, prose=True), names=t[1], bare=t[0] != "note")
    d = L.date_line(s)
    if d:
        return _Unit("D", d)
    b = L.byline_line(s)
    if b and not level:
        return _Unit("B", s, names=b[0], bare=b[1])
    if L.is_furniture(s):
        return _Unit("F", s)
    if L.caption_like(s) and not level and not s.startswith("▶"):
        return _Unit("K", clean_line(s, prose=False))
    return None


def _run_units(run: list[tuple[str, int, bool, list]]) -> list[_Unit]:
    units = _shape_run(run)
    for *_, conts in run:
        for c in conts:
            units[0 if c.direction == "from" else -1].conts.append(c)
    return units


def _shape_run(run: list[tuple[str, int, bool, list]]) -> list[_Unit]:
    texts = [r[0] for r in run]
    level, indent = run[0][1], run[0][2]
    short = [clean_line(t, prose=False) for t in texts]
    commas = sum(s.count("，") + s.count("、") for s in short)
    heading = (len(run) <= 3 and commas <= 1 and all(L.heading_like(s) for s in short)
               or (level > 0 and len(run) == 1 and not ends_sentence(short[0])))
    if heading and (_ENUM.match(short[0]) or (len(run) > 1 and _FULL_DATE.match(short[-1]))):
        heading = False  # 一、… / (三)… : a section head inside a long piece
    if heading and len(run) == 1 and L.maybe_name(short[0]):
        return [_Unit("N", short[0], parts=[short[0]], level=level, levels=[level], block_start=indent)]
    if heading:
        parts = [short[0]]
        for prev, s in zip(short, short[1:]):
            if s.startswith("——") or " " in prev:
                parts.append(s)
            else:
                parts[-1] = join_pair(parts[-1], s)
        return [_Unit("H", " | ".join(parts), parts=parts, level=level, levels=[level] * len(parts),
                      block_start=indent)]
    out = []
    for i, p in enumerate(join_lines(texts)):
        c = clean_line(p, prose=True)
        m = L.lede(p)
        out.append(_Unit("P", c, block_start=indent and i == 0, lede=m is not None, names=m[1] if m else []))
    return out


# -- 2. repair --------------------------------------------------------------------------

def _dedupe_units(units: list[_Unit]) -> tuple[list[_Unit], list[str]]:
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
    return [u for i, u in enumerate(units) if i not in drop], [units[i].text for i in sorted(drop)]


def _repair(units: list[_Unit]) -> list[_Unit]:
    out: list[_Unit] = []
    i = 0
    while i < len(units):
        u = units[i]
        prev = out[-1] if out else None
        nxt = units[i + 1] if i + 1 < len(units) else None
        single = u.kind in ("H", "N") and len(u.parts) == 1 and not u.level
        if single and prev and prev.kind == "P" and nxt and nxt.kind == "P" and not nxt.lede:
            if not ends_sentence(prev.text) and len(u.text) <= 12:
                prev.interlopers.append(u.text)  # banner or a headline half inside a sentence
                i += 1
                continue
            if _GLUE_NEXT.match(nxt.text):  # a run-in head cut by a column break
                out.append(_Unit("P", clean_line(join_pair(u.text, nxt.text), prose=True), conts=nxt.conts))
                i += 2
                continue
        if u.kind == "H" and prev and prev.kind == "H" and not u.block_start:
            prev.parts += u.parts  # one headline group, split by blank lines
            prev.levels += u.levels
            prev.text = " | ".join(prev.parts)
            i += 1
            continue
        if (u.kind == "P" and prev and prev.kind == "P" and not u.block_start and not u.lede
                and continues(prev.text, u.text)):
            prev.text = clean_line(join_pair(prev.text, u.text), prose=True)
            prev.conts.extend(u.conts)
            i += 1
            continue
        out.append(u)
        i += 1
    return out


# -- 3. assemble ------------------------------------------------------------------------

def _next_kinds(units: list[_Unit], i: int) -> tuple[str, str]:
    a = units[i + 1].kind if i + 1 < len(units) else ""
    b = units[i + 2].kind if i + 2 < len(units) else ""
    return a, b


def _assemble(units: list[_Unit], back: bool) -> tuple[list[_Draft], list[str], list[str]]:
    drafts: list[_Draft] = []
    furniture: list[str] = []
    orphan_drafts: list[_Draft] = []
    cur: _Draft | None = None
    pending: list[Continuation] = []

    def new(**kw) -> _Draft:
        nonlocal cur, pending
        cur = _Draft(**kw)
        cur.conts.extend(pending)
        pending = []
        drafts.append(cur)
        return cur

    for i, u in enumerate(units):
        n1, n2 = _next_kinds(units, i)
        untitled = cur is not None and not cur.parts and bool(cur.paras)
        if u.kind == "F":
            furniture.append(u.text)
        elif u.kind == "C":
            if u.conts[0].direction == "to" and cur is not None:
                cur.conts.extend(u.conts)
            else:
                pending.extend(u.conts)
        elif u.kind in "HN":
            if u.kind == "N" and cur is not None and cur.parts and not cur.paras and not cur.names:
                cur.names = [u.text]
                continue
            followed_by_head = n1 in ("H", "") or (n1 == "B" and n2 in ("H", ""))
            same_group = (cur is not None and cur.opened_by in ("H", "orphan") and cur.parts and not cur.paras
                          and not cur.names and not u.block_start and u.kind == "H")
            if untitled and (back or followed_by_head) and not u.block_start:
                cur.parts, cur.levels, cur.closed = list(u.parts), list(u.levels), True
            elif (untitled and not back and cur.opened_by == "L" and len(u.parts) > 1 and n1 == "P"
                  and not any(p.startswith("——") for p in u.parts) and not u.block_start):
                cur.parts, cur.levels, cur.closed = u.parts[:1], u.levels[:1], True  # closes the story above
                new(parts=u.parts[1:], levels=u.levels[1:], opened_by="H")
            elif same_group:
                cur.parts.extend(u.parts)  # a headline group split by blank lines
                cur.levels.extend(u.levels)
            elif back and cur is not None:
                cur = _Draft(parts=list(u.parts), closed=True, opened_by="orphan")
                orphan_drafts.append(cur)  # headline whose body is not on the page
            else:
                new(parts=list(u.parts), levels=list(u.levels), opened_by="H")
        elif u.kind == "D":
            if cur is not None and cur.parts and not cur.paras:
                cur.date = u.text
            elif cur is not None and not cur.closed:
                cur.paras.append(u.text)
        elif u.kind == "B":
            if cur is None or cur.signed:
                new(names=list(u.names), bare=u.bare, opened_by="B")
            elif not cur.paras:
                cur.bare = u.bare and (cur.bare or not cur.names)
                cur.names.extend(x for x in u.names if x not in cur.names)
            elif not cur.names and (n1 in ("H", "B", "T", "F", "")
                                    or (cur.opened_by == "H" and len(cur.paras) <= 1 and not cur.closed)):
                cur.names, cur.bare = list(u.names), u.bare
                if n1 != "P":
                    cur.closed = True
            else:
                new(names=list(u.names), bare=u.bare, opened_by="B")
        elif u.kind == "T":
            if cur is None or (cur.closed and cur.signed):
                new(opened_by="T")
            cur.paras.append(u.text)
            if u.names and not cur.names:
                cur.names, cur.bare = list(u.names), True
            cur.closed = True
            cur.signed = cur.signed or u.bare  # affiliation/attribution sign the piece; a funding note only ends it
        elif u.kind == "K":
            if cur is not None and cur.paras:
                cur.captions.append(u.text)
            else:
                new(paras=[u.text], opened_by="K")
        else:  # P
            starts_frame = u.block_start and cur is not None and cur.paras and ends_sentence(cur.paras[-1])
            jump_in = any(c.direction == "from" for c in u.conts) and cur is not None and cur.paras
            if u.lede:
                if cur is None or cur.paras or (cur.closed and not cur.parts) or (back and cur.closed):
                    new(opened_by="L")
                cur.lede = True
                if u.names and not cur.names:
                    cur.names = list(u.names)
            elif cur is None or cur.closed or starts_frame or jump_in:
                new(opened_by="P")
            cur.paras.append(u.text)
            cur.conts.extend(u.conts)
            cur.interlopers.extend(u.interlopers)
    orphan_drafts += [d for d in drafts if d.parts and not d.paras and not d.captions]
    drafts = [d for d in drafts if d.paras or d.captions]
    if pending and drafts:
        drafts[-1].conts.extend(pending)
    return drafts, furniture, [" | ".join(d.parts) for d in orphan_drafts]


def _cost(drafts: list[_Draft], orphans: list[str]) -> int:
    untitled = sum(1 for d in drafts if not d.parts and not any(c.direction == "from" for c in d.conts)
                   and not _caption_block(d))
    return untitled + len(orphans)


def _caption_block(d: _Draft) -> bool:
    """A short untitled frame not opened by a dateline: a photo caption (allowed to be untitled)."""
    return not d.lede and sum(len(p) for p in d.paras) < 250 and d.opened_by in ("P", "B", "K")


# -- 4. finish --------------------------------------------------------------------------

def _finish(drafts: list[_Draft], furniture: list[str], source: str, page: int) -> tuple[list[Article], list[str]]:
    arts: list[Article] = []
    seen: set[str] = set()
    dups: list[str] = []
    for d in drafts:
        paras = []
        for p in d.paras:
            k = key(p)
            if len(k) >= 16 and k in seen:
                dups.append(p)
                continue
            seen.add(k)
            paras.append(p)
        if not paras and not d.captions:
            continue
        if not paras:
            paras, d.captions = list(d.captions), []
        title, main = L.headline(d, furniture)
        names = d.names
        date = d.date
        if date is None and paras:
            first = paras[0]
            lm = L.lede(first)
            if lm and lm[1] and not names:
                names = lm[1]
            date = L.dateline(first)
        kind = L.kind_of(title, d, paras)  # decided before the bullets go: ▶ marks a caption
        paras = [_BULLET.sub("", p) for p in paras]
        arts.append(Article(
            title=title, byline=" ".join(names) or None, kind=kind,
            paragraphs=tuple(p for p in paras if p), position=len(arts), main_title=main, dateline=date,
            page=page, source=source, captions=tuple(d.captions), continuations=tuple(d.conts)))
    return arts, dups


_BULLET = re.compile(r"^[▶►▷●◆◇★☆◎▲△]+\s*")  # layout bullets opening a paragraph: not text


def segment_page(text: str, source: str = "", page: int = 1) -> PageParse:
    """Split one page's text into articles (see the module docstring for the rules)."""
    units, dups = _dedupe_units(_units(strip_controls(text or "")))
    units = _repair(units)
    best = None
    for back in (False, True):
        drafts, furniture, orphans = _assemble(units, back)
        cost = _cost(drafts, orphans)
        if best is None or cost < best[0]:
            best = (cost, drafts, furniture, orphans)
    _, drafts, furniture, orphans = best
    arts, more = _finish(drafts, furniture, source, page)
    conts = tuple(c for u in units for c in u.conts)
    return PageParse(tuple(arts), tuple(dict.fromkeys(furniture)), conts, tuple(orphans),
                     tuple(dups + more), source, page)

"""The line labeller: a Document's lines -> units, each with a label and the reason for it.

A cascade over the line features of :mod:`digest.reading.lines` (GROBID-style: one decision per
step, each with a stated reason):

1. furniture (:mod:`digest.reading.furniture`): masthead, 版 label, footers, credits, menus …;
2. single-line fields (:mod:`digest.reading.fields`): source line ``X``, jump marker ``C``,
   closing credit or trailer ``T``, date line ``D``, byline ``B`` (incl. 本报记者 + the name on
   the next line, 文/…, metadata lines), photo caption or credit ``K``, brief item ``Q``
   (■ headline or ■ one-line brief), editor's note ``E`` (编者按);
3. the remaining lines, in runs between blank lines (and page, heading or centring changes):
   a short run of headline-shaped lines is a headline group ``H`` (or a name ``N``), anything
   else becomes paragraphs ``P``;
4. document-level decisions: the standing head of a briefs column is furniture; a headline
   group that is really a cross-head inside a story becomes a subhead ``S`` (decided by the
   assembler, which knows the story around it).
"""
from __future__ import annotations

import re

from . import fields as fl
from . import furniture as fu
from . import shapes as sh
from .lines import Document
from .repair import clean_line, ends_sentence, join_pair
from .runs import caption_lines, paragraph_lines, run_units, trailing_head
from .unit import Unit

_BRIEF = re.compile(f"^[{fl.MARKS}]\\s*(\\S.*)$")
_NOTE = re.compile(r"^[【\[]?\s*(编者按|編者按|编者的话|編者的話|编前语|編前語)\s*[】\]]?\s*[:：]?\s*")
_GLUED_MARK = re.compile(f"^[{fl.MARKS}]\\s*([\u4e00-\u9fff]{{2,4}})[ \u3000]+(\\S.{{20,}})$")
_CREDIT_OPEN = re.compile(r"^[(（]\s*(新华社|中新社|[\u4e00-\u9fff]{2,6}社|本报|本報)[^()（）]{0,24}$")


def units(doc: Document) -> list[Unit]:
    """Label a document's lines and group them into units (see the module docstring)."""
    lines = doc.lines
    furn = fu.find(doc)
    # a small indent (1–3 columns) set apart from the rest marks a new text frame; a paragraph
    # indent (two ideographic spaces, four columns or more) only starts a paragraph
    indented = sum(1 for ln in lines if 0 < ln.indent < 4)
    use_indent = doc.format != "layout" and indented <= max(2, 0.2 * len(lines))
    para_lines = paragraph_lines(doc)
    out: list[Unit] = []
    run: list[int] = []

    def flush() -> None:
        if run:
            out.extend(run_units(doc, list(run), use_indent, para_lines))
            run.clear()

    def flush_before_header(photo: bool = False) -> None:
        """A header is coming (byline, lede, photo credit): the headline-shaped lines at the end of
        the run, after a finished sentence, are its headline even with no blank line around them."""
        k = trailing_head(doc, run, photo)
        if k:
            body, head = run[:-k], run[-k:]
            n = caption_lines(doc, run) if photo else 0
            caption = head[len(head) - n:] if photo else []
            head = head[:len(head) - n] if photo else head
            run[:] = body
            flush()
            for u in sh.numbered_heads(run_units(doc, head, use_indent, para_lines)):
                if u.kind in ("H", "N"):
                    u.why = "headline: headline-shaped line(s) right above a byline, lede or photo credit"
                out.append(u)
            run[:] = caption
        flush()

    numbered = False  # inside a column of numbered briefs (1. 2. 3. / ① ② ③) under its label
    i = 0
    while i < len(lines):
        ln = lines[i]
        s = ln.text.strip()
        prev = lines[i - 1] if i else None
        if numbered and ln.blank_before and fl.numbered_item(s) is None:
            numbered = False
        if prev is None or ln.blank_before or ln.page != prev.page or ln.heading or prev.heading \
                or ln.centred != prev.centred or ln.bold != prev.bold:
            flush()
        if i in furn:
            flush()
            cat, why = furn[i]
            out.append(Unit("F", s, f"furniture: {why}", [i], page=ln.page, category=cat))
            i += 1
            continue
        src = fu.source_line(s)
        if src:
            flush()
            out.append(Unit("X", s, f"source line of {src[0]} (data, not text)", [i], page=ln.page))
            i += 1
            continue
        s, conts = fl.continuations(s)
        s = s.strip()
        if not s:
            flush()
            out.extend(Unit("C", ln.text.strip(), "jump marker (上接/下转)", [i], conts=[c], page=ln.page)
                       for c in conts)
            i += 1
            continue
        glued = _GLUED_MARK.match(s)
        if glued and fl.maybe_name(glued.group(1)):
            flush()  # □王某 with the first paragraph on the same line
            out.append(Unit("B", s[:glued.end(1)], "byline: author mark glued to the first paragraph", [i],
                            names=[glued.group(1)], bare=True, page=ln.page))
            rest = glued.group(2)
            m = fl.lede(rest)
            out.append(Unit("P", clean_line(rest, prose=True), "body: paragraph after its author mark", [i],
                            lede=m is not None, names=m[1] if m else [], page=ln.page, conts=conts))
            i += 1
            continue
        item = fl.numbered_item(s)
        if item is not None and (numbered or (not run and _label_above(out))):
            flush()  # a numbered brief: its own story, like a ■ item
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            head = (fl.heading_like(item) and not ends_sentence(item) and nxt is not None and not nxt.blank_before
                    and fl.numbered_item(nxt.text) is None)
            out.append(Unit("Q", clean_line(item, prose=not head), "brief: numbered headline" if head else
                            "brief: numbered one-line item", [i], brief_head=head, page=ln.page, conts=conts))
            numbered = True
            i += 1
            continue
        caption = fl.split_photo_credit(s) if not fl.lede(s) else None
        k = trailing_head(doc, run + [i], photo=True) if caption is not None else 0
        above = next((x for x in reversed(out) if not (x.kind == "F" and x.category == fu.EDGE)), None)  # a picture between
        if caption is not None and (k or (not run and above is not None and (above.kind == "H" or above.photo))):
            run.append(i)  # a caption with its photographer's credit under a headline: photo news
            head = run[-k:-1] if k else []
            run[:] = run[:-k] if k else run[:-1]
            flush()
            for u in sh.numbered_heads(run_units(doc, head, use_indent, para_lines)) if head else []:
                if u.kind in ("H", "N"):
                    u.why = "headline: headline-shaped line(s) right above a photo caption"
                out.append(u)
            out.append(Unit("P", clean_line(caption[0], prose=True), "body: photo caption (the text of photo news)",
                            [i], page=ln.page, conts=conts))
            out.append(Unit("K", s[len(caption[0]):].strip(" 　（()）"), "photo credit glued to its caption", [i],
                            names=caption[1], photo=True, page=ln.page))
            i += 1
            continue
        ri = sh.run_in(s)
        if ri is not None:
            flush()  # ■城南片区今起停气检修　28日起，…: a brief's headline run in with its text
            head, rest, marked = ri
            used = 1
            while not ends_sentence(rest) and i + used < len(lines) and not lines[i + used].blank_before \
                    and i + used not in furn and lines[i + used].text.strip()[:1] not in fl.MARKS + "【" \
                    and sh.run_in(lines[i + used].text.strip()) is None:
                rest = join_pair(rest, lines[i + used].text.strip())  # the item wrapped onto the next line
                used += 1
            m = fl.lede(rest)
            out.append(Unit("Q" if marked else "H", head, "headline: run in with its text, set apart by a gap",
                            [i], parts=[head], levels=[0], brief_head=True, page=ln.page))
            out.append(Unit("P", clean_line(rest, prose=True), "body: text run in after its headline",
                            list(range(i, i + used)), lede=m is not None, names=m[1] if m else [], page=ln.page))
            i += used
            continue
        hb = sh.head_and_byline(s)
        if hb:
            flush()  # 标题　　本报记者　X: the headline and its byline set on one line
            head, tail, (names, bare) = hb
            out.append(Unit("H", head, "headline: set on one line with its byline", [i], parts=[head], levels=[0],
                            page=ln.page))
            out.append(Unit("B", tail, "byline: on the headline's line, after a wide gap", [i], names=names,
                            bare=bare, page=ln.page))
            i += 1
            continue
        if sh.UNIT_ITEM.match(s) and not fl.lede(s) and any(
                0 <= j < len(lines) and not (j == i + 1 and lines[j].blank_before) and not (j == i - 1 and ln.blank_before)
                and sh.UNIT_ITEM.match(lines[j].text.strip()) for j in (i - 1, i + 1)):
            flush()  # 【经济管理学院】11月15日，…: one item of a column of news from units, each its own brief
            out.append(Unit("Q", clean_line(s, prose=True), "brief: an item opened by its unit's name in 【】", [i],
                            page=ln.page, conts=conts))
            i += 1
            continue
        rows = sh.table(lines, i, furn)
        if rows:
            flush()  # a data box (results, standings) set as text: one paragraph of the story it follows
            out.append(Unit("P", " / ".join(" ".join(lines[k].text.split()) for k in range(i, i + rows)),
                            "body: a data table (rows of cells set apart by wide gaps)", list(range(i, i + rows)),
                            page=ln.page))
            i += rows
            continue
        unit, used = _classify(doc, i, s)
        if unit is not None and unit.kind == "K" and not unit.photo and not para_lines:
            used = _wrapped_caption(doc, i, unit, furn)
        if unit is not None and unit.kind == "Q" and not para_lines:
            used = _wrapped_item(doc, i, unit, furn)
        if unit is not None:
            if unit.kind == "B" or (unit.kind == "K" and unit.photo):
                flush_before_header(photo=unit.kind == "K")
            else:
                flush()
            unit.conts = conts
            out.append(unit)
            i += used
            continue
        if run and fl.lede(s):
            flush_before_header()  # a lede opens a story: never the middle of a paragraph
        if run and fl.notice_title(s) and ends_sentence(lines[run[-1]].text.strip()):
            flush()  # a notice's title (停水通知) after a finished sentence heads the notice
            run.append(i)
            flush()
            i += 1
            continue
        if run and (0 < ln.indent < 4 and use_indent):
            flush()
        run.append(i)
        i += 1
    flush()
    _brief_items(out)
    _ad_boxes(out)
    _column_labels(out)
    return out


def _run_on(doc: Document, i: int, text: str, furniture: dict, most: int, done, refuse) -> tuple[str, int] | None:
    """Line i's ``text`` carried on over the next lines (no blank line between, at most ``most``)
    until ``done(text)``; a line that is furniture, ``refuse(line, text)``, a byline or a lede stops
    it. ``(text, end)`` when it took lines and ends a sentence, else None."""
    j = i + 1
    while j < len(doc.lines) and j - i <= most and not done(text) and j not in furniture:
        ln = doc.lines[j]
        t = ln.text.strip()
        if ln.blank_before or not t or refuse(ln, t) or fl.byline_line(t) or fl.lede(t):
            break
        text, j = join_pair(text, t), j + 1
    return (text, j) if j > i + 1 and ends_sentence(text) else None


def _wrapped_item(doc: Document, i: int, unit: Unit, furniture: dict) -> int:
    """A ● item the narrow column wrapped (●石门镇新建的农村寄递物流综合服务 / 站投入使用，…): its line is
    as long as the column's lines and ends no sentence, so the next lines (no blank line between,
    at most 2) carry it on until a sentence ends. Returns the lines taken; sets ``unit``'s text."""
    widths = sorted(len(ln.text.strip()) for ln in doc.lines if len(ln.text.strip()) >= 8 and not ln.furniture)
    if not widths or ends_sentence(unit.text) or len(doc.lines[i].text.strip()) < 0.9 * widths[len(widths) // 2]:
        return 1
    got = _run_on(doc, i, unit.text, furniture, 2, ends_sentence, lambda ln, t: bool(_BRIEF.match(t)))
    if got is None:
        return 1
    unit.text, unit.lines, unit.brief_head = got[0], list(range(i, got[1])), False
    unit.why = "brief: ■ one-line item (wrapped over lines)"
    return got[1] - i


_CREDIT_END = re.compile(r"[摄攝](?:影)?[)）]?$")  # …。单小雨 摄: its credit closes the caption


def _wrapped_caption(doc: Document, i: int, unit: Unit, furniture: dict) -> int:
    """A photo caption (图为…) that the column wrapped: take the following lines, with no blank
    line between, until its sentence ends or its credit closes it (at most 3 more; never a photo
    credit, byline or lede). Returns the number of lines the caption takes, and sets ``unit``'s text
    and lines."""
    page = doc.lines[i].page
    got = _run_on(doc, i, doc.lines[i].text.strip(), furniture, 3,
                  lambda x: ends_sentence(x) or _CREDIT_END.search(x) is not None,
                  lambda ln, t: ln.page != page or bool(fl.photo_credit(t)))
    if got is None:
        return 1
    unit.text, unit.lines = clean_line(got[0], prose=False), list(range(i, got[1]))
    unit.why = "photo caption (wrapped over lines)"
    return got[1] - i


def _label_above(out: list[Unit]) -> bool:
    """Is the last unit a column's standing head (a short one-part headline: 城事速览, 便民提示)?"""
    return bool(out) and out[-1].kind == "H" and len(out[-1].parts) == 1 and len(out[-1].text) <= 8


def _classify(doc: Document, i: int, s: str) -> tuple[Unit | None, int]:
    """A unit for a line that is recognisable on its own (and how many lines it takes)."""
    ln = doc.lines[i]
    nxt = doc.lines[i + 1] if i + 1 < len(doc.lines) else None
    page = ln.page
    if _CREDIT_OPEN.match(s) and nxt is not None and nxt.text.strip().endswith(("）", ")")) \
            and len(nxt.text.strip()) <= 30 and not nxt.blank_before:
        joined = s + nxt.text.strip()  # a closing credit wrapped over two lines
        t = fl.trailer(joined)
        if t:
            return Unit("T", clean_line(joined, prose=True), "closing credit (wrapped over two lines)",
                        [i, i + 1], names=t[1], bare=False, page=page), 2
    t = fl.trailer(s)
    if t:
        why = {"affiliation": "author's affiliation (作者单位)", "attribution": "author attribution",
               "note": "funding note", "credit": "closing wire credit"}[t[0]]
        return Unit("T", clean_line(s, prose=True), why, [i], names=t[1], bare=t[0] in ("affiliation", "attribution"),
                    page=page), 1
    d = fl.date_line(s)
    if d:
        return Unit("D", d, "date line", [i], page=page), 1
    if fl.role_only(s) and nxt is not None and fl.name_only(nxt.text) and nxt.blank_before == 0:
        return Unit("B", f"{s} {nxt.text.strip()}", "byline: role line, names on the next line", [i, i + 1],
                    names=fl.name_only(nxt.text), page=page), 2
    meta = fl.metadata_byline(s)
    if meta:
        return Unit("B", s, "byline: metadata line (作者：…)", [i], names=meta, page=page), 1
    src = _byline_with_source(s)
    if src:
        return Unit("B", s, "byline with source line", [i], names=src, page=page), 1
    pc = fl.photo_credit(s)
    if pc:
        return Unit("K", clean_line(s, prose=False), "photo credit (…摄)", [i], names=pc, photo=True, page=page), 1
    if fl.house_author(s) and not ln.heading:
        return Unit("B", s, "byline: the paper's commentator (本报评论员), no personal name", [i], names=[],
                    bare=True, page=page), 1
    b = fl.byline_line(s)
    if b and not ln.heading:
        return Unit("B", s, "byline" + (" (author mark)" if b[1] else ""), [i], names=b[0], bare=b[1], page=page), 1
    m = _BRIEF.match(s)
    if m and fl.column_name(m.group(1).strip()):
        return Unit("F", s, "furniture: a column's standing head (■ 简讯)", [i], page=page, category=fu.FLOW), 1
    if m and fl.byline_line(s) is None:
        body = m.group(1).strip()
        head = fl.heading_like(body) and not ends_sentence(body) and len(body) <= 40
        return Unit("Q", body, "brief: ■ headline" if head else "brief: ■ one-line item", [i],
                    brief_head=head, page=page), 1
    if _NOTE.match(s):
        return Unit("E", clean_line(s, prose=True), "editor's note (编者按)", [i], page=page), 1
    if fl.caption_like(s) and not ln.heading and not s.startswith("▶"):
        return Unit("K", clean_line(s, prose=False), "photo caption", [i], page=page), 1
    return None, 1


def _byline_with_source(s: str) -> list[str] | None:
    """Names of a byline glued to a source line: 闻人舟《东方日报》（2026年03月09日 第 05 版）."""
    k = s.find("《")
    if k < 2 or not fu.source_line(s[k:]):
        return None
    names = fl.names_of(s[:k])
    return names if names and len("".join(names)) >= len(s[:k].strip()) - 6 else None


def _brief_items(units: list[Unit]) -> None:
    """A ■ line with no paragraph under it, among other ■ items, is a one-line item even when it
    has no final punctuation (its neighbours say what the column is)."""
    for i, u in enumerate(units):
        if u.kind != "Q" or not u.brief_head:
            continue
        nxt = next((units[j] for j in range(i + 1, len(units)) if units[j].kind not in ("F", "C")), None)
        if nxt is None or nxt.kind == "Q":
            u.brief_head, u.why = False, "brief: ■ one-line item (no paragraph under it, like its neighbours)"


_CONTACT = re.compile(r"(电话|热线|咨询|报名|订购|订阅)\s*[:：]?\s*[\d（(][\d\s()（）-]{6,}|(主办|承办|协办|出品)\s*[:：]")


def _ad_boxes(units: list[Unit]) -> None:
    """A headline-shaped group holding a contact line (电话/报名咨询 and a number, 主办：…) is an
    advertisement or promotion box: headlines never carry one."""
    for i, u in enumerate(units):
        if u.kind == "H" and any(_CONTACT.search(p) for p in u.parts):
            u.kind, u.category, u.why = "F", fu.FLOW, "furniture: advertisement or promotion box (a contact line)"
            if i and units[i - 1].kind == "H" and len(units[i - 1].parts) == 1:
                p = units[i - 1]  # the box's own headline line just above it
                p.kind, p.category, p.why = "F", fu.FLOW, "furniture: advertisement or promotion box (its heading)"


def _column_labels(units: list[Unit]) -> None:
    """The standing head of a briefs column (简讯, 一句话新闻): a one-part headline followed,
    past source lines and furniture, by ■ brief items, is furniture."""
    for i, u in enumerate(units):
        if u.kind != "H" or len(u.parts) != 1 or len(u.text) > 10:
            continue
        j = i + 1
        while j < len(units) and units[j].kind in ("X", "F"):
            j += 1
        if j < len(units) and units[j].kind == "Q":
            u.kind, u.category, u.why = "F", fu.FLOW, "furniture: standing head of a briefs column"

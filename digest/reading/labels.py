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
from dataclasses import dataclass, field

from ..models import Continuation
from . import fields as fl
from . import furniture as fu
from .lines import Document
from .repair import clean_line, ends_sentence, fix_spaces, join_lines, join_pair
from .words import spans_word

_ENUM = re.compile(r"^([一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．])")
_FULL_DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")  # a notice's signature date
_BRIEF = re.compile(f"^[{fl.MARKS}]\\s*(\\S.*)$")
_NOTE = re.compile(r"^[【\[]?\s*(编者按|編者按|编者的话|編者的話|编前语|編前語)\s*[】\]]?\s*[:：]?\s*")
_GLUED_MARK = re.compile(f"^[{fl.MARKS}]\\s*([\u4e00-\u9fff]{{2,4}})[ \u3000]+(\\S.{{20,}})$")
_CREDIT_OPEN = re.compile(r"^[(（]\s*(新华社|中新社|[\u4e00-\u9fff]{2,6}社|本报|本報)[^()（）]{0,24}$")


@dataclass
class Unit:
    """A labelled piece of a page: one line, or a run of lines read as one thing."""

    kind: str  # F X C B T D K Q E H N P (S: set by the assembler)
    text: str = ""
    why: str = ""  # the reason for the label, shown by --explain
    lines: list[int] = field(default_factory=list)  # indices into Document.lines
    parts: list[str] = field(default_factory=list)  # H: headline parts
    level: int = 0  # markup heading level (or type-size rank in a PDF)
    levels: list[int] = field(default_factory=list)  # H: level of each part
    block_start: bool = False  # a new text frame (indented line in a page that rarely indents)
    names: list[str] = field(default_factory=list)
    bare: bool = False  # B: author mark without reporter words
    conts: list[Continuation] = field(default_factory=list)
    interlopers: list[str] = field(default_factory=list)
    lifted: list[int] = field(default_factory=list)  # P: lines of the interlopers lifted out of it
    lede: bool = False  # P: opens with 本报讯 / a 电头
    page: int = 1  # physical page of its first line
    centred: bool = False
    category: str = ""  # F: edge | flow
    photo: bool = False  # K: a photo credit (本报记者 X 摄)
    brief_head: bool = False  # Q: a ■ headline (its body follows), else a one-line brief
    raw: str = ""  # P: the paragraph before prose cleaning (a headline found in it keeps its gaps)


def units(doc: Document) -> list[Unit]:
    """Label a document's lines and group them into units (see the module docstring)."""
    lines = doc.lines
    furn = fu.find(doc)
    # a small indent (1–3 columns) set apart from the rest marks a new text frame; a paragraph
    # indent (two ideographic spaces, four columns or more) only starts a paragraph
    indented = sum(1 for ln in lines if 0 < ln.indent < 4)
    use_indent = doc.format != "layout" and indented <= max(2, 0.2 * len(lines))
    para_lines = _paragraph_lines(doc)
    out: list[Unit] = []
    run: list[int] = []

    def flush() -> None:
        if run:
            out.extend(_run_units(doc, list(run), use_indent, para_lines))
            run.clear()

    def flush_before_header(photo: bool = False) -> None:
        """A header is coming (byline, lede, photo credit): the headline-shaped lines at the end of
        the run, after a finished sentence, are its headline even with no blank line around them."""
        k = _trailing_head(doc, run, photo)
        if k:
            body, head = run[:-k], run[-k:]
            n = _caption_lines(doc, run) if photo else 0
            caption = head[len(head) - n:] if photo else []
            head = head[:len(head) - n] if photo else head
            run[:] = body
            flush()
            for u in _run_units(doc, head, use_indent, para_lines):
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
        k = _trailing_head(doc, run + [i], photo=True) if caption is not None else 0
        if caption is not None and (k or (not run and out and (out[-1].kind == "H" or out[-1].photo))):
            run.append(i)  # a caption with its photographer's credit under a headline: photo news
            head = run[-k:-1] if k else []
            run[:] = run[:-k] if k else run[:-1]
            flush()
            for u in _run_units(doc, head, use_indent, para_lines) if head else []:
                if u.kind in ("H", "N"):
                    u.why = "headline: headline-shaped line(s) right above a photo caption"
                out.append(u)
            out.append(Unit("P", clean_line(caption[0], prose=True), "body: photo caption (the text of photo news)",
                            [i], page=ln.page, conts=conts))
            out.append(Unit("K", s[len(caption[0]):].strip(" 　（()）"), "photo credit glued to its caption", [i],
                            names=caption[1], photo=True, page=ln.page))
            i += 1
            continue
        unit, used = _classify(doc, i, s)
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


def _paragraph_lines(doc: Document) -> bool:
    """Are the page's lines whole paragraphs (web copies, OCR and plain text without wrapping)
    rather than hard-wrapped column lines? Most long lines end a sentence."""
    long = [ln.text.strip() for ln in doc.lines if len(ln.text.strip()) >= 20 and not ln.furniture]
    return len(long) >= 4 and sum(1 for x in long if ends_sentence(x)) >= 0.75 * len(long)


def _label_above(out: list[Unit]) -> bool:
    """Is the last unit a column's standing head (a short one-part headline: 城事速览, 便民提示)?"""
    return bool(out) and out[-1].kind == "H" and len(out[-1].parts) == 1 and len(out[-1].text) <= 8


def _caption_lines(doc: Document, run: list[int]) -> int:
    """How many lines at the end of ``run`` are the caption of photo news about to be credited:
    the lines (under 150 characters together) after the last headline-shaped line that follows
    a finished sentence; 1 when there is no such headline."""
    texts = [clean_line(doc.lines[i].text.strip(), prose=False) for i in run[-7:]]
    size = 0
    for n in range(1, len(texts)):
        size += len(texts[-n])
        if size > 150:
            break
        head = texts[-n - 1]
        before = texts[-n - 2] if n + 2 <= len(texts) else None
        if fl.heading_like(head) and not fl.lede(head) and (
                (before is None and len(run) == n + 1) or (before is not None and ends_sentence(before))):
            return n
    return 1


def _trailing_head(doc: Document, run: list[int], photo: bool) -> int:
    """How many lines at the end of ``run`` are a headline (1–3 lines): headline-shaped, each short,
    and after a line that ends a sentence (or at the start of the run). Before a photo credit the
    last lines are the caption, so the headline sits above them (the count then includes the caption)."""
    tail = _caption_lines(doc, run) if photo else 0
    window = run[-(3 + tail + 1):]  # the head lines and the line before them
    texts = [clean_line(doc.lines[i].text.strip(), prose=False) for i in window]
    whole = len(window) == len(run)
    if photo and (len(texts) <= tail or fl.heading_like(texts[-1])):
        return 0
    best = 0
    for k in (1, 2, 3):
        start = len(texts) - tail - k
        if start < 0:
            break
        head = texts[start:start + k]
        if not all(fl.heading_like(h) and len(h) <= 40 and not fl.lede(h) for h in head):
            break
        if (start == 0 and whole) or (start > 0 and ends_sentence(texts[start - 1])):
            best = k
    return best + tail if best else 0


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
    b = fl.byline_line(s)
    if b and not ln.heading:
        return Unit("B", s, "byline" + (" (author mark)" if b[1] else ""), [i], names=b[0], bare=b[1], page=page), 1
    m = _BRIEF.match(s)
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


def _run_units(doc: Document, run: list[int], use_indent: bool, para_lines: bool = False) -> list[Unit]:
    units = _shape_run(doc, run, use_indent, para_lines)
    for i in run:
        _, conts = fl.continuations(doc.lines[i].text)
        for c in conts:
            units[0 if c.direction == "from" else -1].conts.append(c)
    return units


def _shape_run(doc: Document, run: list[int], use_indent: bool, para_lines: bool = False) -> list[Unit]:
    lines = [doc.lines[i] for i in run]
    texts = [fl.continuations(ln.text)[0].strip() for ln in lines]
    first = lines[0]
    level, indent, page = first.heading, use_indent and 0 < first.indent < 4, first.page
    # a long run is a headline only in its first lines: clean just those (cleaning is the costly part)
    short = [clean_line(t, prose=False) for t in (texts if len(run) <= 3 or first.centred or level else texts[:4])]
    commas = sum(s.count("，") + s.count("、") for s in short)
    shaped = all(fl.heading_like(s) for s in short)
    heading = ((len(run) <= 3 and commas <= 1 and shaped)
               or (level > 0 and len(run) == 1 and not ends_sentence(_untagged(short[0])))
               or (first.centred and len(run) <= 3 and shaped))
    if doc.format == "pdf" and not level:
        heading = False  # a PDF shows its type sizes: text set at body size is not a headline
    why = "headline: short headline-shaped line(s)"
    if level:
        why = f"headline: heading level {level}"
    elif first.centred:
        why = "headline: centred headline-shaped line(s)"
    if heading and (_ENUM.match(short[0]) or (len(run) > 1 and _FULL_DATE.match(short[-1]))):
        heading = False  # 一、… / (三)… : a section head inside a long piece
    if heading and any(fl.lede(x) for x in short):
        heading = False  # a line that opens with 本报讯 / a 电头 is the start of a story's text
    if not heading and doc.format != "pdf":
        k = _head_lines(short, texts)
        if k:  # a headline set right on top of its column, no blank line between (narrow pdftotext columns)
            head = _shape_run(doc, run[:k], use_indent, para_lines)
            for u in head:
                if u.kind == "H":
                    u.why = "headline: short headline-shaped line(s) on top of a column of full lines"
            return head + _shape_run(doc, run[k:], use_indent, para_lines)
    if heading and len(run) == 1 and fl.maybe_name(short[0]) and not fl.column_name(short[0]):
        return [Unit("N", short[0], "a lone name (author or speaker line)", run, parts=[short[0]], level=level,
                     levels=[level], block_start=indent, page=page)]
    if heading:
        if doc.stray_spaces:  # no gap in a headline was printed: the extraction put them there
            short = [fix_spaces(s, prose=True) for s in short]
        parts = [short[0]]
        for prev, s in zip(short, short[1:]):
            if wrapped(prev, s):
                parts[-1] = join_pair(parts[-1], s)
            else:
                parts.append(s)
        return [Unit("H", " | ".join(parts), why, run, parts=parts, level=level, levels=[level] * len(parts),
                     block_start=indent, page=page, centred=first.centred)]
    out = []
    k = 0
    for n, p in enumerate(join_lines(texts, paragraph_lines=para_lines)):
        span = _span(texts, k, p)
        c = clean_line(p, prose=True)
        m = fl.lede(p)
        out.append(Unit("P", c, "body: paragraph" + (" opening with a dateline/lede" if m else ""),
                        run[k:k + span], block_start=indent and n == 0, lede=m is not None, raw=p,
                        names=m[1] if m else [], page=doc.lines[run[min(k, len(run) - 1)]].page))
        k += span
    return out


_CLAUSE_START = re.compile(r"^(今起|今年|明年|今日|昨日|近日|日前|即日起|本月|下月|本周|今冬|今春|今夏|今秋|\d{1,2}月)")
_OPEN_END = re.compile(r"[的和与及把让对为向从被将、，,“‘《（]$")
_OPEN_PLACE = re.compile(r"在[^，,。\s]{1,10}[中上里内下间]$")  # an open 在…中 phrase still needs its predicate


def wrapped(first: str, second: str) -> bool:
    """Is ``second`` the rest of a headline line the layout wrapped (join without a separator),
    rather than the next part of a headline stack (引题 / 主题 / 副题)?

    A 副题 opens with a dash; a lone column tag （记者手记） is the wrapped end of its line; a line
    that ends in an open structure (的, 与, 、, “, an open 在…中) or inside a word (十年接 / 听…)
    continues. Otherwise the remainder
    of a wrapped line is short — at most 0.7 of a first line of 8 or more characters — unless it
    opens a clause of its own (今起…, 3月…)."""
    a, b = first.strip(), second.strip()
    if b.startswith("——"):
        return False
    if fl.column_tag(b) == b:
        return True
    if _OPEN_END.search(a) or _OPEN_PLACE.search(a) or spans_word(a, b):
        return True
    if _CLAUSE_START.match(b):
        return False
    la, lb = _letters(a), _letters(b)
    return la >= 8 and lb <= 0.7 * la


def _letters(s: str) -> int:
    """Characters that take a type width of their own: CJK, digits and letters (not punctuation)."""
    return sum(1 for ch in s if ch.isalnum())


def _untagged(s: str) -> str:
    """A headline without its column tag （时评） and final ？/！ (what is left must not end a sentence)."""
    tag = fl.column_tag(s)
    s = s[:-len(tag)] if tag and len(s) > len(tag) else s
    return s.rstrip("？！?!")


def _head_lines(short: list[str], texts: list[str]) -> int:
    """How many of a run's first lines (1–3) are a headline set on top of its column: headline-shaped,
    no comma or full stop, clearly narrower than the full lines below (at least three of them,
    starting a sentence of their own rather than continuing the last head line's word).
    ``short``: the first lines cleaned; ``texts``: all lines of the run."""
    for k in (1, 2, 3):
        rest = [len(t.strip()) for t in texts[k:]]
        if len(rest) < 3 or len(short) <= k:
            return 0
        width = max(rest)
        head = short[:k]
        if not all(fl.heading_like(h) and not re.search(r"[，,。；]", h) and len(h) <= 0.7 * width
                   and len(h) >= 4 for h in head):
            return 0
        full = sum(1 for x in rest if x >= 0.85 * width)
        if full >= 2 and not fl.heading_like(short[k]) and not spans_word(head[-1], short[k]) \
                and not ends_sentence(head[-1]):
            return k
    return 0


def _span(texts: list[str], k: int, paragraph: str) -> int:
    """How many of texts[k:] make up ``paragraph`` (join_lines glues lines without separators)."""
    want = len("".join(paragraph.split()))
    got = n = 0
    while k + n < len(texts) and got < want:
        got += len("".join(texts[k + n].split()))
        n += 1
    return max(1, n)


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

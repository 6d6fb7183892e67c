"""Runs of lines between blank lines -> headline groups or paragraphs.

A run of a few short headline-shaped lines is a headline group (``H``; one wrapped headline line
is joined, a stack of 引题 / 主题 / 副题 is kept in parts), a lone surname-led short line a name
(``N``), anything else paragraphs (``P``). A headline set right on top of a column, or right above
a byline, a lede or a photo caption with no blank line around it, is split off the run.
"""
from __future__ import annotations

import re

from . import fields as fl
from .lines import Document
from .repair import clean_line, ends_sentence, fix_spaces, join_lines, join_pair
from .unit import Unit
from .words import spans_word

_ENUM = re.compile(r"^([一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．])")
_FULL_DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")  # a notice's signature date


def paragraph_lines(doc: Document) -> bool:
    """Are the page's lines whole paragraphs (web copies, OCR and plain text without wrapping)
    rather than hard-wrapped column lines? Most long lines end a sentence."""
    long = [ln.text.strip() for ln in doc.lines if len(ln.text.strip()) >= 20 and not ln.furniture]
    return len(long) >= 4 and sum(1 for x in long if ends_sentence(x)) >= 0.75 * len(long)


def caption_lines(doc: Document, run: list[int]) -> int:
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
            if before is None and n >= 2 and fl.column_name(head) and fl.heading_like(texts[-n]) \
                    and not ends_sentence(texts[-n]):
                return n - 1  # a column label (漫画, 图说) above the picture's own title
            return n
    return 1


# a chart's or table's closing line (数据来源：…　制图：…): what follows starts afresh
_CLOSER = re.compile(r"^(?:数据来源|資料來源|资料来源|数据|制图|製圖|制表)\s*[:：]")


def trailing_head(doc: Document, run: list[int], photo: bool) -> int:
    """How many lines at the end of ``run`` are a headline (1–3 lines): headline-shaped, each short,
    and after a line that ends a sentence (or at the start of the run). Before a photo credit the
    last lines are the caption, so the headline sits above them (the count then includes the caption)."""
    tail = caption_lines(doc, run) if photo else 0
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
        if (start == 0 and whole) or (start > 0 and (ends_sentence(texts[start - 1]) or _CLOSER.match(texts[start - 1]))):
            best = k
    return best + tail if best else 0


def run_units(doc: Document, run: list[int], use_indent: bool, para_lines: bool = False) -> list[Unit]:
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
    deck = next((k + 1 for k in range(1, min(3, len(short) - 1)) if short[k].startswith("——")), 0)
    if not heading and deck and len(run) > deck and all(fl.heading_like(x) for x in short[:deck]) \
            and not any(fl.lede(x) for x in short[:deck]):
        head = _shape_run(doc, run[:deck], use_indent, para_lines)  # a headline and its —— deck over the text
        return head + _shape_run(doc, run[deck:], use_indent, para_lines)
    if not heading and doc.format != "pdf":
        k = _head_lines(short, texts) or (1 if len(run) > 1 and fl.notice_title(short[0]) else 0) \
            or _head_over_name(short, texts)
        if k:  # a headline set right on top of its column, no blank line between (narrow pdftotext columns)
            head = _shape_run(doc, run[:k], use_indent, para_lines)
            for u in head:
                if u.kind == "H":
                    u.why = "headline: short headline-shaped line(s) on top of a column of full lines"
            return head + _shape_run(doc, run[k:], use_indent, para_lines)
    if not heading and len(run) >= 2 and len(texts[0]) <= 4 and fl.maybe_name(texts[0]) \
            and not fl.column_name(texts[0]) and len(texts[1]) >= 20:
        return ([Unit("N", texts[0], "a lone name over the text (its author)", run[:1], parts=[texts[0]],
                      page=page)] + _shape_run(doc, run[1:], use_indent, para_lines))
    if heading and len(run) == 1 and fl.maybe_name(short[0]) and not fl.column_name(short[0]):
        return [Unit("N", short[0], "a lone name (author or speaker line)", run, parts=[short[0]], level=level,
                     levels=[level], block_start=indent, page=page)]
    if heading:
        if doc.stray_spaces:  # no gap in a headline was printed: the extraction put them there
            short = [fix_spaces(s, prose=True) for s in short]
        parts = [short[0]]
        for prev, s in zip(short, short[1:]):
            if wrapped(prev, s, hard_wrapped=not para_lines):
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


_CLAUSE_START = re.compile(r"^(第[一二三四五六七八九十百\d]+[章回节部篇]|今起|今年|明年|今日|昨日|近日|日前|即日起|本月|下月|本周|今冬|今春|今夏|今秋|\d{1,2}月)")
_OPEN_END = re.compile(r"[的和与及把让对为向从被将、，,“‘《（]$")
_OPEN_PLACE = re.compile(r"在[^，,。\s]{1,10}[中上里内下间]$")  # an open 在…中 phrase still needs its predicate
_OPEN_COUNT = re.compile(r"(?:\d+|[一二两三四五六七八九十百千万]+)[处个家条项名所座批套台辆只款类]$")  # 新增12处 | “口袋健身角”: the count needs its noun


def wrapped(first: str, second: str, hard_wrapped: bool = False) -> bool:
    """Is ``second`` the rest of a headline line the layout wrapped (join without a separator),
    rather than the next part of a headline stack (引题 / 主题 / 副题)?

    A 副题 opens with a dash; a lone column tag （记者手记） is the wrapped end of its line; a line
    that ends in an open structure (的, 与, 、, “, an open 在…中) or inside a word (十年接 / 听…)
    continues. Otherwise the remainder
    of a wrapped line is short — at most 0.7 of a first line of 8 or more characters — unless it
    opens a clause of its own (今起…, 3月…). On a page of hard-wrapped column lines
    (``hard_wrapped``), two lines of the same width (6 or more characters) are one headline that
    filled its column twice: a 引题 and its 主题 are set in different sizes and rarely match."""
    a, b = first.strip(), second.strip()
    if b.startswith("——"):
        return False
    if fl.column_tag(b) == b:
        return True
    if _OPEN_END.search(a) or _OPEN_PLACE.search(a) or _OPEN_COUNT.search(a) or spans_word(a, b):
        return True
    if _CLAUSE_START.match(b) or a.endswith(("）", ")")):
        return False  # a new clause, or a line closed by its bracket (（37）, （外一首）) is whole
    la, lb = _letters(a), _letters(b)
    if hard_wrapped and la == lb >= 6 and len(a) == len(b):
        return True
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
        below = len(texts[k].strip()) >= 0.85 * width or not fl.heading_like(short[k])  # a full line follows
        if full >= 2 and below and not spans_word(head[-1], short[k]) and not ends_sentence(head[-1]):
            return k
    return 0


def _head_over_name(short: list[str], texts: list[str]) -> int:
    """1 when a run opens with a headline line right above a bare author name and the text
    (a headline, the author's name on its own line, then the piece: portal and web copies)."""
    if len(texts) < 3 or not fl.heading_like(short[0]) or ends_sentence(short[0]) or len(short[0]) > 30:
        return 0
    name = texts[1].strip()
    return 1 if fl.maybe_name(name) and len(name) <= 4 and len(texts[2].strip()) >= 20 else 0


def _span(texts: list[str], k: int, paragraph: str) -> int:
    """How many of texts[k:] make up ``paragraph`` (join_lines glues lines without separators)."""
    want = len("".join(paragraph.split()))
    got = n = 0
    while k + n < len(texts) and got < want:
        got += len("".join(texts[k + n].split()))
        n += 1
    return max(1, n)

"""Field-labelled e-paper text exports -> the plain document shape the labeller reads.

Many e-paper systems offer a "text version" (文字版 / 导出) of a page in which every article is a
list of labelled fields::

    版面：第05版　经济          <- header fields of the page
    日期：2026-02-17
    ==========
    1.                          <- item number
    引题：…                     <- kicker (肩题 / 眉题)
    标题：…                     <- main headline (主题 / 主标题)
    副题：…                     <- deck (副标题)
    作者：本报记者 X            <- byline (a bio in brackets may follow the name)
    正文：                      <- the body follows (or starts on the same line)
    　　paragraph …
    ----------

The field name says the role of each line, so the export is turned into what a plain page looks
like (a label standing alone takes the line below as its value): the field values become headline lines, a ``作者：X`` byline line and paragraphs, with a blank
line before each article; empty fields, item numbers, rules and the header fields are furniture;
the ``日期`` field is the printed issue date (put into the document's metadata).

A word processor's export that puts each paragraph's style before it (``[引题] …``, ``[标题一] …``,
``[署名] …``, ``[正文] …``, ``[小标题] …``, ``[图片说明] …``, ``[页眉] …``) is read the same way: the
style names the field; 页眉/页脚/图片 lines are furniture, a 小标题 or 图片说明 a line of text.

An export is recognised by its fields, not by one system's spelling: at least three field lines,
among them a title field and a body field (a web copy's ``作者：…　来源：…`` line is not enough).
"""
from __future__ import annotations

import re

from .lines import Line

_KICKER = ("引题", "肩题", "眉题")
_TITLE = ("标题", "主题", "主标题", "大标题")
_DECK = ("副题", "副标题", "子标题")
_AUTHOR = ("作者", "署名", "稿件作者")
_BODY = ("正文", "内容", "稿件正文")
_HEADER = ("版面", "版次", "版名", "版号", "日期", "出版日期", "刊期", "期号", "期数", "报纸", "报名", "刊名")
_FIELD = re.compile(r"^(%s)\s*[:：]\s*(.*)$" % "|".join(
    sorted(_KICKER + _TITLE + _DECK + _AUTHOR + _BODY + _HEADER, key=len, reverse=True)))
# a word processor's export with the paragraph style before every line: [标题一] …, [正文] …
_CHROME = ("页眉", "页脚", "图片", "图像")  # running head and foot, a picture's file name: furniture
_PLAIN = ("小标题", "图片说明", "图注", "题注")  # a cross-head, a caption: text lines for the labeller
_STYLED = re.compile(r"^[\[【]\s*(%s)\s*[一二三四五六1-6]?\s*[\]】]\s*(.*)$" % "|".join(
    sorted(_KICKER + _TITLE + _DECK + _AUTHOR + _BODY + _HEADER + _CHROME + _PLAIN, key=len, reverse=True)))
_NUMBER = re.compile(r"^(第\s*)?\d{1,3}\s*[.、．)）]?$|^[（(]\d{1,3}[)）]$")
_RULE = re.compile(r"^[-=_*~—－＝·.]{3,}$")
_BIO = re.compile(r"\s*[（(][^（）()]*(作者系|系|为|是|现任|单位)[^（）()]*[）)]\s*$")
_DATE = re.compile(r"(19|20)\d{2}\s*(年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[-./]\s*\d{1,2}\s*[-./]\s*\d{1,2})")


def is_export(lines: list[Line]) -> bool:
    """True when the lines are a field-labelled text export: 3+ field lines, with a title field
    (标题/主题) and a body field (正文/内容) among them."""
    names = [m.group(1) for m in (_field(ln.text.strip()) for ln in lines) if m]
    return len(names) >= 3 and any(n in _TITLE for n in names) and any(n in _BODY for n in names)


def from_export(lines: list[Line], meta: dict) -> list[Line]:
    """The lines of a field export rewritten as a plain page (see the module docstring); line
    numbers are kept, so every label still points to the export's own line. ``meta`` receives the
    ``日期`` field as ``date`` (when it holds a date) unless a date is already there."""
    out: list[Line] = []
    fresh = True  # the next line opens a block (after a number, rule, header or bare 正文：)
    in_title = False  # the last line written was a title field (the next one continues the stack)
    pending = ""  # a field whose label stood alone with its value on the line below
    for k, ln in enumerate(lines):
        s = ln.text.strip()
        if ln.furniture:
            out.append(ln)
            continue
        m = _field(s)
        if m is not None and m.group(1) in _CHROME:
            out.append(_furniture(ln, f"{m.group(1)} of a word processor's export ([{m.group(1)}] style)"))
            continue
        if m is not None and m.group(1) in _PLAIN:  # [小标题] / [图片说明]: the text, as a line of its own
            out.append(Line(**{**ln.__dict__, "text": m.group(2).strip(), "indent": 0,
                               "blank_before": 1 if m.group(1) != "小标题" else 0}))
            fresh = in_title = False
            continue
        if pending and m is None and not (_NUMBER.match(s) or _RULE.match(s)):
            m = _FIELD.match(f"{pending}：{s}")
        pending = ""
        if _NUMBER.match(s) or _RULE.match(s):
            out.append(_furniture(ln, "item number or rule between the articles of a text export"))
            fresh, in_title = True, False
            continue
        if m is None:  # a body paragraph (after 正文：) or a line the export did not label
            out.append(Line(**{**ln.__dict__, "blank_before": max(ln.blank_before, 1 if fresh else 0)}))
            fresh = in_title = False
            continue
        name, value = m.group(1), m.group(2).strip()
        if name in _HEADER:
            date = _DATE.search(value) if name in ("日期", "出版日期") else None
            if date:
                meta.setdefault("date", date.group(0))
            out.append(_furniture(ln, f"converter header (e-paper text export: {name} field of the page)"))
            fresh, in_title = True, False
            continue
        if not value and name not in _BODY and _value_below(lines, k):
            pending = name
            out.append(_furniture(ln, f"field label of a text export ({name}：, its value on the line below)"))
            continue
        if not value:
            out.append(_furniture(ln, f"empty field of a text export ({name}：)"))
            fresh = fresh or name in _BODY  # a bare 正文： : the body starts on the next line
            continue
        title = name in _KICKER + _TITLE + _DECK
        if name in _AUTHOR:
            # the metadata byline form, names set apart by single spaces (the field holds only names;
            # a bio in brackets is not one)
            value = "作者：" + " ".join(_BIO.sub("", value).split())
        blank = 0 if title and in_title else 1
        out.append(Line(**{**ln.__dict__, "text": value, "blank_before": blank, "indent": 0}))
        fresh, in_title = False, title
    return out


def _field(s: str) -> re.Match | None:
    """A field line (标题：…) or a style-tagged line ([标题一] …): group 1 the name, 2 the value."""
    return _FIELD.match(s) or _STYLED.match(s)


def _value_below(lines: list[Line], k: int) -> bool:
    """Whether the line after a bare field label is its value: there is one, not blank-separated,
    not itself a field, a number or a rule."""
    if k + 1 >= len(lines):
        return False
    nxt = lines[k + 1]
    s = nxt.text.strip()
    return not nxt.blank_before and not nxt.furniture and not _field(s) and not _NUMBER.match(s) \
        and not _RULE.match(s)


def _furniture(ln: Line, why: str) -> Line:
    return Line(**{**ln.__dict__, "furniture": why})

"""What a page's furniture says: the paper, the issue date and the 版 label it prints
(:func:`printed_facts`), and the 版 pages of a whole issue's text dump (:func:`issue_pages`).
The lines themselves are found by :mod:`digest.reading.furniture`."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .furniture import _DATED, _PAPER, EDGE, _menu, line_reason
from .lines import Document
from .printed_dates import printed_date
from .repair import CJK


@dataclass(frozen=True)
class Printed:
    """What the furniture of a page says about the paper (all optional)."""

    paper: str | None = None
    date: dt.date | None = None
    date_text: str = ""  # the printed date as found ("2026年3月5日", "二〇二六年三月十五日")
    date_line: int | None = None  # line number it was found on
    page_label: str | None = None  # "3", "A06"
    section: str | None = None  # "民生", "区县新闻"


def printed_facts(doc: Document, furniture: dict[int, tuple[str, str]], sources: dict[int, tuple[str, str]],
                  year_hint: int | None = None) -> Printed:
    """Paper, issue date and 版 label from the furniture and source lines of a page.

    The masthead and source lines are the paper's own statement of its date; the first one
    that parses wins. Metadata of a web copy (``发布时间：2026-03-20``) and YAML front matter count
    too. Dates inside stories are never looked at here."""
    paper = date = label = section = None
    date_text, date_no = "", None
    if year_hint is None:
        years = [int(y) for ln in doc.lines for y in re.findall(r"(?<!\d)(20\d{2}|19\d{2})\s*年", ln.text)]
        year_hint = max(years) if years else dt.date.today().year
    candidates: list[tuple[int, str]] = []
    for i in sorted(set(furniture) | set(sources)):
        why = furniture.get(i, ("", "source"))[1]
        if i in sources or any(w in why for w in _DATED):  # not menus, lists, ads: they quote other days
            candidates.append((i, doc.lines[i].text.strip()))
    meta = doc.meta or {}
    if meta.get("date"):
        got = printed_date(str(meta["date"]), year_hint)
        if got:
            date, date_text = got
    for i, s in candidates:
        if date is None and "date" not in meta:
            got = printed_date(s, year_hint)
            if got:
                date, date_text = got
                date_no = doc.lines[i].no
        if paper is None:
            src = sources.get(i)
            quoted = re.search(r"[《〈]([^》〉]{2,20})[》〉]", s) if src else None
            m = _PAPER.search(quoted.group(1) if quoted else s)
            if m and ((src and quoted) or furniture.get(i, ("", ""))[1].startswith("masthead")) \
                    and m.group(1) not in ("本报", "本報", "该报", "我报"):  # 本报记者 names no paper
                paper = m.group(1)
        if label is None and (i in sources or furniture.get(i, ("", ""))[0] == EDGE):
            m = re.search(r"第\s*([A-Z]?\d{1,3})\s*版|(?<![A-Z\d])([A-Z]\d{2})(?!\d)", s)
            if m:
                label = (m.group(1) or m.group(2)).lstrip("0") or "0"
                sec = re.search(rf"版\s*[:：]?\s*([{CJK}]{{2,8}})$|[A-Z]\d{{2}}\s+([{CJK}]{{2,8}})$", s)
                section = (sec.group(1) or sec.group(2)) if sec and not _menu(s) else section
    if meta.get("paper") or meta.get("publication"):
        paper = str(meta.get("paper") or meta.get("publication"))
    return Printed(paper, date, date_text, date_no, label, section)


def issue_pages(text: str) -> list[tuple[int | None, str]]:
    """A text dump of a whole issue (``pdftotext`` of a multi-page PDF): its form-feed pages with
    the 版 number each prints (第3版, 第 03 版, A06 is not a number), when at least two pages print
    distinct numbers; otherwise the whole text as one page (the form feeds then only break the
    pages of one 版, as a generator that sets each article on its own PDF page does)."""
    parts = text.split("\f")
    if len(parts) < 2:
        return [(None, text)]
    labels: list[int | None] = []
    for part in parts:
        lines = [ln.strip() for ln in part.split("\n") if ln.strip()]
        label = None
        for s in lines[:6] + lines[-6:]:
            r = line_reason(s)
            if r and (r[1] == "版 label" or r[1] == "masthead date line"):
                m = re.search(r"第\s*(\d{1,3})\s*版|^(\d{1,3})\s*版", " ".join(s.split()))
                if m:
                    label = int(m.group(1) or m.group(2))
                    break
        labels.append(label)
    found = [x for x in labels if x is not None]
    if len(found) < 2 or len(set(found)) != len(found):
        return [(None, text)]
    out: list[tuple[int | None, str]] = []
    for label, part in zip(labels, parts):
        if not part.strip():
            continue
        if label is None and out:  # a page printing no label goes on the 版 before it
            out[-1] = (out[-1][0], out[-1][1] + "\f" + part)
        else:
            out.append((label, part))
    return out

"""The issue date of a page or an issue: printed by the paper, or guessed (and said to be a guess).

Rules, in order:

1. **printed** — the paper's own date: the masthead or running head (``2026年3月5日 星期四``,
   ``2026.03.05``, ``二〇二六年三月十五日``), a source line under a headline
   (``《东方日报》（2026年3月5日 第 04 版）``), a web copy's metadata (``发布时间：2026-03-20``), YAML
   front matter, a PDF's masthead. Dates inside stories are never used for this.
2. **guess** — no printed date: a paper reports what has happened, so the issue comes after the
   latest past event its stories date exactly (``8月14日``, with the year printed nearby): the
   day after it, or the first day after a month named as past (``2025年7月召开的``). Dates that look
   ahead (将于…, 截止…, 到…, …前, …起; 截至 means "as of" and counts) and bare years (``1997年建成``)
   never count.
3. nothing usable — ``None``; the caller falls back to the file's time and says so.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Sequence


_FULL = re.compile(r"(?<!\d)(19\d{2}|20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_MONTH_DAY = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:\s*[至到—–\-~]\s*(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日)?")
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})\s*年(?!\s*\d{1,2}\s*月\s*\d{1,2}\s*日)")
_YEAR_MONTH = re.compile(r"(?<!\d)(19\d{2}|20\d{2})\s*年\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*日)(份)?(召开|举行|举办|发布|出台|印发|"
                         r"开幕|闭幕|启动|通过|完成|以来|底|中旬|下旬|初)")
_AHEAD = re.compile(r"(将于|将在|将|计划|预计|拟|截止|截止到|截至日期|截稿|到|至|前|争取|力争|有效期|之前|起至)\s*$")
_DEADLINE = re.compile(r"(截稿|截止|期限|有效期|报名|申报)(时间|日期)?\s*[:：为是]?\s*$")
_TARGET_AFTER = re.compile(r"^\s*(前|之前|以前|截止|到期|止|起|开始)")  # 自3月15日起: a start still ahead


@dataclass(frozen=True)
class DateDecision:
    date: dt.date | None
    rule: str  # printed | guess | none
    evidence: str


def guess(text: str) -> DateDecision | None:
    """Guess from the dates of past events in the stories (see the module docstring)."""
    days: list[tuple[dt.date, str]] = []
    months: list[tuple[dt.date, str]] = []
    ahead_years = []
    for m in _FULL.finditer(text):
        if _looks_ahead(text, m):
            ahead_years.append(int(m.group(1)))  # a deadline still names the current year
            continue
        try:
            days.append((dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), m.group(0)))
        except ValueError:
            pass
    years = [int(m.group(1)) for m in _YEAR.finditer(text)
             if not _AHEAD.search(text[max(0, m.start() - 4):m.start()]) and not _TARGET_AFTER.match(text[m.end():])]
    years += [d.year for d, _ in days] + ahead_years
    for m in _YEAR_MONTH.finditer(text):
        y, mo = int(m.group(1)), int(m.group(2))
        if 1 <= mo <= 12 and m.group(4) not in ("底",):
            months.append((dt.date(y + mo // 12, mo % 12 + 1, 1), m.group(0)))  # the month after it
    if years:
        year = max(years)
        for m in _MONTH_DAY.finditer(text):
            if _looks_ahead(text, m):
                continue
            mo = int(m.group(3) or m.group(1))
            day = int(m.group(4) or m.group(2))
            try:
                days.append((dt.date(year, mo, day), m.group(0)))
            except ValueError:
                pass
    cands = [(d + dt.timedelta(days=1), f"the day after the latest reported event ({ev})") for d, ev in days]
    cands += [(d, f"after the month named as past ({ev})") for d, ev in months]
    if not cands:
        return None
    best, why = max(cands)
    return DateDecision(best, "guess", f"guessed: {why}; no date is printed on the page")


def _looks_ahead(text: str, m: re.Match) -> bool:
    before = text[max(0, m.start() - 8):m.start()]
    if re.search(r"截至\s*$", before):
        return False  # 截至11月5日: "as of", a day already past
    return bool(_AHEAD.search(before[-4:]) or _DEADLINE.search(before) or _TARGET_AFTER.match(text[m.end():]))


def issue_date(texts: Sequence[str]) -> DateDecision:
    """The issue date of pages given as text: printed on a page, else guessed from the stories.

    Only the furniture pass runs here (masthead, source and metadata lines carry the printed
    date; furniture never counts as story text), not the whole reader."""
    from . import furniture as fu
    from .fields import metadata_byline
    from .formats import to_document
    from .printed import printed_facts

    found, story = [], []
    for text in texts:
        doc = to_document(text)
        furn = fu.find(doc)
        sources = {i: ("", ln.text) for i, ln in enumerate(doc.lines)
                   if i not in furn and (fu.source_line(ln.text) or metadata_byline(ln.text) or "《" in ln.text[:20])}
        p = printed_facts(doc, furn, sources)
        if p.date:
            found.append(p.date)
        story += [ln.text for i, ln in enumerate(doc.lines) if i not in furn and i not in sources]
    if found:
        best = max(set(found), key=lambda d: (found.count(d), d))
        return DateDecision(best, "printed", f"printed on the page: {best.isoformat()}")
    return guess("\n".join(story)) or DateDecision(None, "none", "no date printed and no dated event in the stories")

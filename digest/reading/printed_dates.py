"""Calendar dates as papers print them: 2026年3月5日, 2026.03.05, 二〇二六年三月十五日, the Minguo
calendar (中華民國113年10月2日), and a year-less 3月5日 with its weekday. Used by the furniture
finder (mastheads, source lines) and the PDF reader's masthead."""
from __future__ import annotations

import datetime as dt
import re

DATE_FULL = re.compile(r"(?<!\d)(19\d{2}|20\d{2})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|[.\-/／]\s*(\d{1,2})\s*[.\-/／]\s*"
                        r"(\d{1,2})(?!\d))")
_CN_DIGIT = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
DATE_ROC = re.compile(r"(?:中華民國|中华民国|民國|民国)\s*(\d{2,3})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
DATE_CN = re.compile("([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
MONTH_DAY = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*日")
WEEKDAY = re.compile(r"(星期|礼拜|禮拜|周|週)([一二三四五六日天])")


def cn_number(s: str) -> int:
    """Chinese numerals to an integer: 二〇二六 -> 2026, 十二 -> 12, 三十一 -> 31 (KeyError if not numerals)."""
    if all(ch in _CN_DIGIT for ch in s):
        return int("".join(str(_CN_DIGIT[ch]) for ch in s))
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN_DIGIT[s[1]]
    if s.endswith("十"):
        return _CN_DIGIT[s[0]] * 10
    a, _, b = s.partition("十")
    return _CN_DIGIT[a] * 10 + _CN_DIGIT[b]


def printed_date(s: str, year_hint: int | None = None) -> tuple[dt.date, str] | None:
    """A calendar date printed in a masthead/source/metadata line: 2026年3月5日, 2026.03.05,
    2026-03-05, 2026/03/05, 二〇二六年三月十五日; a year-less 3月5日 with its weekday (星期四)
    takes the year, within 12 years of ``year_hint``, on which that day was that weekday."""
    for m in DATE_FULL.finditer(s):  # the first that is a real day (2026.13.45 is not)
        try:
            return dt.date(int(m.group(1)), int(m.group(2) or m.group(4)), int(m.group(3) or m.group(5))), m.group(0)
        except ValueError:
            continue
    try:
        m = DATE_CN.search(s)
        if m:
            return dt.date(cn_number(m.group(1)), cn_number(m.group(2)), cn_number(m.group(3))), m.group(0)
        m = DATE_ROC.search(s)
        if m:  # the Minguo calendar: year 1 = 1912
            return dt.date(int(m.group(1)) + 1911, int(m.group(2)), int(m.group(3))), m.group(0)
    except (ValueError, KeyError):
        return None
    m, w = MONTH_DAY.search(s), WEEKDAY.search(s)
    if m and w and year_hint:
        weekday = min("一二三四五六日天".index(w.group(2)), 6)
        # years printed in stories are mostly past ones: look forward from the hint first
        for y in [*range(year_hint, year_hint + 13), *range(year_hint - 1, year_hint - 13, -1)]:
            try:
                d = dt.date(y, int(m.group(1)), int(m.group(2)))
            except ValueError:
                continue
            if d.weekday() == weekday:
                return d, m.group(0) + w.group(0)
    return None


_ENDS_WITH_DATE = re.compile(r"(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月"
                             r"\s*[\d一二三四五六七八九十]{1,3}\s*日$")


def ends_with_date(text: str) -> bool:
    """Does ``text`` end with a full calendar date (2025年7月2日, 二〇二五年五月十二日) — a notice's
    signature date, which closes the notice?"""
    return _ENDS_WITH_DATE.search(text.strip()) is not None

"""Lines that hold two things side by side, and blocks of lines that are one thing.

A brief's headline run in with its text (``■城南片区今起停气检修　28日起，…``), a headline and
its byline on one line (``标题　　本报记者　X``), numbered headlines (``1.标题``), items opened by a
unit's name in 【】 and data tables set as text — each recognised by its shape, for the line
labeller (:mod:`digest.reading.labels`).
"""
from __future__ import annotations

import re

from . import fields as fl
from .repair import clean_line, ends_sentence
from .unit import Unit

UNIT_ITEM = re.compile(r"^【([^】\s]{0,10}(?:学院|大学|中学|小学|学校|局|厅|委|办|中心|公司|医院|馆|站|所|队|部|社区|街道|"
                        r"镇|乡|村|区|县|市|集团|协会|商会|研究院))】(?=.{15,})")  # 【外国语学院】text…: a unit's news
_WIDE_GAP = re.compile(r"[ \t]{2,}|\u3000{2,}")
_RUN_IN_GAP = re.compile(r"[ \t]{2,}|\u3000+|[ \t](?=本报讯|本報訊|本报[^\s，。]{1,8}讯|新华社)")


def run_in(s: str):
    """(headline, text, marked) for a brief whose headline runs in with its text on one line,
    set apart by a gap (an ideographic space, two spaces, or a space before 本报讯): ■城南片区今起
    停气检修　28日起，…; None otherwise. ``marked``: the line opens with a brief's mark (■ ●)."""
    marked = s[:1] in fl.MARKS
    body = s[1:].strip() if marked else s.strip()
    m = _RUN_IN_GAP.search(body)
    if not m:
        return None
    head, rest = body[:m.start()].strip(), body[m.end():].strip()
    if not (4 <= len(head) <= 30 and fl.heading_like(head) and not re.search(r"[，。；：:]", head)) \
            or fl.byline_line(head) or fl.byline_line(rest) or len(rest) < 15 or fl.lede(body):
        return None  # 本报杭州4月21日电　（记者…）: a lede's 电头, not a headline
    lede = fl.lede(rest)
    if not marked and not lede and not (m.group(0).startswith("\u3000")
                                        and re.search(r"[，。]", rest)):
        return None  # an unmarked line splits only at an ideographic gap before prose, or before a lede
    return head, rest, marked


def numbered_heads(units: list[Unit]) -> list[Unit]:
    """Headline units for numbered lines (1.标题, 2.“小院议事”…) set right above a byline, lede or
    caption: numbered stories, their number dropped (a numbered line is otherwise a section head)."""
    out: list[Unit] = []
    for u in units:
        item = fl.numbered_item(u.text) if u.kind == "P" else None
        if item and fl.heading_like(item.split("——")[0]) and not ends_sentence(item) and len(item) <= 60:
            main, dash, deck = item.partition("——")  # the paragraph may hold the —— deck joined to it
            parts = [main.strip()] + ([dash + deck.strip()] if deck.strip() else [])
            u = Unit("H", " | ".join(parts), "headline: a numbered headline over its story", u.lines, parts=parts,
                     levels=[0] * len(parts), page=u.page)
        if out and u.kind == "H" and out[-1].kind == "H" and u.text.startswith("——"):
            out[-1].parts.append(u.text)  # its —— deck
            out[-1].lines += u.lines
            continue
        out.append(u)
    return out


def head_and_byline(s: str):
    """(headline, byline text, (names, bare)) when a line is a headline and its byline side by side,
    set apart by a wide gap (two spaces or ideographic spaces or more); None otherwise."""
    for m in _WIDE_GAP.finditer(s):
        head, tail = s[:m.start()].strip(), s[m.end():].strip()
        if not head or not tail:
            continue
        b = fl.byline_line(tail)
        if b and b[0] and fl.heading_like(head) and 4 <= len(head) <= 40 and fl.byline_line(head) is None \
                and not fl.lede(head):
            return clean_line(head, prose=False), tail, b
    return None


def table(lines, i: int, furn: dict) -> int:
    """How many lines from i make a data table: lines with no blank line between them that are table
    rows (table_row) or header rows (four or more short labels: 排名　球队　场次　积分), at least
    two of them rows and the first not a header alone."""
    def header(k: int) -> bool:
        cells = [c for c in CELL_GAP.split(lines[k].text.strip()) if c]
        return len(cells) >= 4 and all(len(c) <= 4 for c in cells)

    n = rows = 0
    while i + n < len(lines) and i + n not in furn and (n == 0 or not lines[i + n].blank_before):
        if table_row(lines[i + n].text):
            rows += 1
        elif not header(i + n):
            break
        n += 1
    return n if rows >= 2 else 0


CELL_GAP = re.compile(r"[ \t]{2,}|\u3000+")


def table_row(text: str) -> bool:
    """A row of a data table set as text (results, standings, prices): three or more cells set
    apart by wide gaps (two spaces or more, or ideographic spaces), two of them holding figures
    (12, 2∶1, 1小时05分), none a sentence."""
    cells = [c for c in CELL_GAP.split(text.strip()) if c]
    return len(cells) >= 3 and sum(1 for c in cells if re.search(r"\d", c)) >= 2 \
        and not any(re.search(r"[。！？；，]", c) for c in cells) and max(len(c) for c in cells) <= 20

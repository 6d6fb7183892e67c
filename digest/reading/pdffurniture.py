"""Page furniture of a PDF page, found by position and by recurrence, and what the masthead says.

Furniture is what a newspaper prints on a page that belongs to no story: the masthead or the
running header with the paper's name, the date and the 版 label, the editor credits, the running
footer, section labels on coloured bands, the teaser list (今日导读 … 〔3版〕), the weather box.

* **Position**: the page's top and bottom bands (white gaps across the whole page width cut them
  off) are furniture when they carry a furniture sign: a printed date, a 版 label, an editor
  credit, masthead-size type, publishing data (社址, 定价, 出版物号, a web address), a QR prompt,
  or a line that recurs on other pages.
* **Recurrence**: a short line near the top or bottom edge that comes back on other pages of the
  same PDF, digits aside (``第03版`` / ``第04版``), is a running header or footer.
* **Shape**: reversed type (white on a coloured band) of a few characters is a label; a block whose
  lines end in page references is a teaser list; short lines with ℃ or 风…级 are the weather.

:func:`masthead_meta` reads the furniture lines for the issue date, the 版 label and the paper.
"""
from __future__ import annotations

import re
from typing import Iterable, Sequence

from .pdflayout import Block, Node, PLine, bands
from .printed_dates import DATE_CN, DATE_FULL, cn_number, printed_date

_LABEL = re.compile(r"第\s*([A-Z]?\s*\d{1,3}|[一二三四五六七八九十]{1,3})\s*版(?![权本面式])"
                    r"|(?<![\d今共全计期日])([A-Z]?\s*\d{1,3})\s*版(?![权本面式])")
_JUMP = re.compile(r"[上下]\s*[接转]|[接转]\s*第")
_EDITOR = re.compile(r"(责任编辑|本版编辑|责编|编辑|美编|校对|版式|组版|审读|值班|视觉|制图)\s*[:：]")
_PUBLISHING = re.compile(r"社址|地址|电话|热线|邮编|印刷|定价|零售价|每份|发行|出版|出版物号|CN\s*\d|ISSN|网址|邮箱|"
                         r"E-?mail|https?:|www\.|\.(?:cn|com|net)\b|扫码|二维码|客户端|下载|公众号|星期[一二三四五六日天]")
_PAGE_REF = re.compile(r"[〔（(【\[]\s*第?\s*[A-Z]?\d{1,3}\s*版\s*[〕）)】\]]$|[见详]\s*第?\s*[A-Z]?\d{1,3}\s*版\s*$")
_WEATHER = re.compile(r"-?\d+\s*[℃°]|[东南西北]?风\s*\d+(?:\s*[～~至-]\s*\d+)?\s*级|空气质量|天气预报|今日天气")
_AD = re.compile(r"(电话|热线|咨询|主办|承办|协办|联办|支持单位|冠名|赞助|订阅|订购|报名|广告)\s*[:：]|\s宣$|^公益广告")
_PUNCT = re.compile(r"[，。、；：！？“”‘’（）()《》,.!?:;\d]")
_PAPER = re.compile(r"^[\u4e00-\u9fff·]{2,12}(报|刊)$")
_DIGITS = re.compile(r"\d+")


def signature(line: PLine, height: float) -> str:
    """A line as a running header or footer recurs from page to page: the same words (numbers
    aside, spaces ignored), in the same type size, at the same height on the page."""
    text = _DIGITS.sub("#", "".join(line.text.split()))
    return f"{text}|{round(line.size)}|{round(20 * line.top / max(1.0, height))}"


def edge_lines(lines: Iterable[PLine], height: float) -> list[PLine]:
    """Lines near the top or bottom edge: candidates for a running header or footer."""
    return [ln for ln in lines if ln.bottom <= 0.15 * height or ln.top >= 0.85 * height]


def _sign(line: PLine, body: float, recurring: set[str], height: float) -> str:
    """The furniture sign a line carries, as a reason, or ''."""
    text = "".join(line.text.split())
    if signature(line, height) in recurring and len(text) <= 60:
        return "recurs on other pages"
    if _LABEL.search(text) and len(text) <= 40 and not _JUMP.search(text):
        return "版 label"
    if _EDITOR.search(text):
        return "editor credit"
    if (DATE_FULL.search(text) or DATE_CN.search(text)) and len(text) <= 40:
        return "printed date"
    if _PUBLISHING.search(text) and len(text) <= 80:
        return "publishing data"
    return ""


def _masthead(line: PLine, body: float) -> bool:
    """The paper's name in display type: a few characters at least 2.5 times the body size."""
    text = "".join(line.text.split())
    return line.size >= 2.5 * body and len(text) <= 12 and not re.search(r"[，。、；：！？“”]", text)


def furniture(blocks: Sequence[Block], width: float, height: float, body: float,
              recurring: set[str]) -> tuple[dict[int, str], set[int]]:
    """Furniture of one page: ``({id(line): reason}, {index of each header/footer block})``.

    ``blocks`` are the page's blocks (any order); ``recurring`` the signatures (:func:`signature`)
    of edge lines seen on other pages of the PDF.
    """
    reasons: dict[int, str] = {}
    edge: set[int] = set()
    index = {id(b): i for i, b in enumerate(blocks)}
    page_bands = bands(list(blocks))
    for zone, seq in (("header", page_bands), ("footer", page_bands[::-1])):
        for k, band in enumerate(seq):
            lines = [ln for b in band for ln in b.lines]
            inside = (max(b.bottom for b in band) <= 0.25 * height if zone == "header"
                      else min(b.top for b in band) >= 0.8 * height)
            signs = [s for s in (_sign(ln, body, recurring, height) for ln in lines) if s]
            if zone == "header" and k == 0 and any(_masthead(ln, body) for ln in lines):
                signs.append("masthead")
            if not inside or not signs:
                break
            for b in band:
                edge.add(index[id(b)])
            for ln in lines:
                reasons[id(ln)] = f"{zone}: {signs[0]}"
    for b in blocks:
        texts = ["".join(ln.text.split()) for ln in b.lines]
        for ln, text in zip(b.lines, texts):
            if id(ln) in reasons:
                continue
            near_edge = ln.bottom <= 0.1 * height or ln.top >= 0.92 * height
            sign = _sign(ln, body, recurring, height) if near_edge else ""
            if sign:
                reasons[id(ln)] = f"{'header' if ln.top < height / 2 else 'footer'}: {sign}"
            elif ln.light and len(text) <= 8:
                reasons[id(ln)] = "label on a coloured band"
        if sum(bool(_PAGE_REF.search(t)) for t in texts) * 2 > len(texts) and all(len(t) <= 40 for t in texts):
            for ln in b.lines:
                reasons.setdefault(id(ln), "teaser list (page references)")
        elif any(_WEATHER.search(t) for t in texts) and all(len(t) <= 16 for t in texts):
            for ln in b.lines:
                reasons.setdefault(id(ln), "weather")
    return reasons, edge


def layout_furniture(tree: Node, order: Sequence[Block], body: float, heading, reasons: dict[int, str]) -> None:
    """Furniture found from the page's structure, added to ``reasons`` ({id(line): reason}):

    * an advertisement or promotion: a region of the XY-cut (``tree``) without running text
      (no body-size block of two lines or more) that prints contact or sponsor data
      (电话：, 咨询：, 主办：, an organisation signing with 宣);
    * a section label: a short heading (at most 6 characters, no punctuation) read right before
      a headline at most as large as itself (东方论坛 over its commentaries, 经济简讯 over its
      briefs; a 引题 is smaller than its headline), or before a teaser list or weather box.
    ``heading(block)`` tells whether a block is a headline.
    """
    def running(b: Block) -> bool:
        return len(b.lines) >= 2 and 0.94 * body <= b.size <= 1.07 * body and not b.bold

    stack = [tree]
    while stack:
        node = stack.pop()
        lines = [ln for b in node.blocks for ln in b.lines]
        if (node is not tree and len(node.blocks) <= 14 and not any(running(b) for b in node.blocks)
                and any(_AD.search(ln.text.strip()) for ln in lines)):
            for ln in lines:
                reasons.setdefault(id(ln), "advertisement (no running text, contact or sponsor data)")
            continue
        stack.extend(node.parts)
    for b, nxt in zip(order, order[1:]):
        text = "".join(b.lines[0].text.split())
        if len(b.lines) != 1 or not heading(b) or len(text) > 6 or _PUNCT.search(text):
            continue
        if id(b.lines[0]) in reasons:
            continue
        if all(id(ln) in reasons for ln in nxt.lines) and any(
                reasons[id(ln)].startswith(("teaser", "weather")) for ln in nxt.lines):
            reasons[id(b.lines[0])] = "label of a teaser list or weather box"
        elif heading(nxt) and nxt.size <= 1.05 * b.size and not nxt.lines[0].text.lstrip().startswith(("—", "－")):
            reasons[id(b.lines[0])] = "section label over the headlines below it"


def masthead_meta(lines: Sequence[PLine]) -> dict:
    """What the furniture lines print: ``{"date": "YYYY-MM-DD", "page_label": "第03版",
    "page_number": 3, "paper": "东方日报"}`` (keys only when found)."""
    meta: dict = {}
    texts = ["".join(ln.text.split()) for ln in lines]
    for text in texts:
        found = printed_date(text)
        if found:
            meta["date"] = found[0].isoformat()
            break
    labels = [m for t in texts if not _JUMP.search(t) for m in _LABEL.finditer(t)]
    labels.sort(key=lambda m: not m.group(1))  # 第N版 before a bare N版
    if labels:
        m = labels[0]
        meta["page_label"] = m.group(0).strip()
        num = m.group(1) or m.group(2)
        n = int(re.sub(r"\D", "", num)) if num[-1].isdigit() else _cn_number(num)
        if n:
            meta["page_number"] = n
    papers = [ln for ln in lines if _PAPER.match("".join(ln.text.split()))]
    if papers:
        meta["paper"] = "".join(max(papers, key=lambda ln: ln.size).text.split())
    return meta


def _cn_number(s: str) -> int | None:
    try:
        return cn_number(s)
    except (KeyError, IndexError, ValueError):
        return None

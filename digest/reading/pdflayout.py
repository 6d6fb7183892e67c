"""Page layout: characters -> lines -> blocks -> reading order.

* **Lines** (:func:`build_lines`): glyphs that follow each other in the content stream on one
  baseline form runs; runs on one baseline with no more than half an em between them form a line.
  A column gutter (an em or more of white) always ends a line, so columns are never interleaved,
  the fault of ``pdftotext``. A stack of glyphs (vertical writing) is a line of its own.
* **Blocks** (:func:`build_blocks`): a line joins the block right above it when it is set in the
  same type (size within 6 %, same weight and colour), lies inside the block's column and follows
  at the block's own leading. A block is a column frame of one story part: a headline, a byline,
  a column of body text, a caption, a box.
* **Reading order** (:func:`xy_tree`, :func:`reading_order`): recursive XY-cut (Nagy & Seth,
  "Hierarchical representation of optically scanned documents", 1984) over block boxes, one cut
  at a time at the region's widest white gap: a gutter through its whole height (read left, then
  right) or a gap through its whole width (read top, then bottom). Cutting at the widest gap first
  keeps a story module whole: the white between modules is wider than a chance alignment of
  gaps inside two neighbouring stories, and a column gutter wider than the gaps inside a story
  beside it.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from statistics import median
from typing import Iterable, Sequence

from .pdfpage import Char

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


@dataclass(slots=True)
class PLine:
    """A printed line: its glyphs left to right (top to bottom when vertical)."""

    chars: list[Char]
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    light: bool
    vertical: bool = False
    text: str = ""
    block: int = -1

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def mid(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(slots=True)
class Block:
    """Lines of one column frame set in one type."""

    lines: list[PLine] = field(default_factory=list)
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    bold: bool = False
    light: bool = False
    max_width: float = 0.0
    gaps: list[float] = field(default_factory=list)
    frame: tuple[float, float] = (0.0, 0.0)  # x-extent of the region the block was read in
    image: bool = False  # a photo: no text, but it takes room in the layout

    @classmethod
    def photo(cls, box: tuple[float, float, float, float]) -> "Block":
        x0, top, x1, bottom = box
        return cls(x0=x0, x1=x1, top=top, bottom=bottom, image=True)

    def add(self, line: PLine) -> None:
        if self.lines:
            self.gaps.append(line.top - self.lines[-1].bottom)
            self.x0, self.x1 = min(self.x0, line.x0), max(self.x1, line.x1)
            self.bottom = max(self.bottom, line.bottom)
        else:
            self.x0, self.x1, self.top, self.bottom = line.x0, line.x1, line.top, line.bottom
            self.size, self.bold, self.light = line.size, line.bold, line.light
        self.max_width = max(self.max_width, line.width)
        self.lines.append(line)


# -- lines ---------------------------------------------------------------------------------------

def _vov(a: Char | PLine, b: Char | PLine) -> float:
    """Vertical overlap of two boxes as a share of the lower one's height."""
    ov = min(a.bottom, b.bottom) - max(a.top, b.top)
    return ov / max(0.1, min(a.bottom - a.top, b.bottom - b.top))


def _hov(a, b) -> float:
    ov = min(a.x1, b.x1) - max(a.x0, b.x0)
    return ov / max(0.1, min(a.x1 - a.x0, b.x1 - b.x0))


def _same_size(a: float, b: float, tol: float) -> bool:
    return max(a, b) <= min(a, b) * (1 + tol)


def _runs(chars: Sequence[Char]) -> list[list[Char]]:
    """Glyphs that follow each other in the content stream along one line (or one vertical stack)."""
    runs: list[list[Char]] = []
    cur: list[Char] = []
    direction = ""  # "h", "v" or "" (one glyph so far)
    for c in chars:
        if cur:
            p = cur[-1]
            s = min(p.size, c.size)
            reach = 2.5 if c.space_before else 1.5  # wide gaps are checked against gutters later
            horiz = (_vov(p, c) >= 0.5 and c.x0 > p.x0 - 0.1 * s and c.x0 - p.x1 <= reach * s
                     and _same_size(p.size, c.size, 0.35))
            vert = (not horiz and _hov(p, c) >= 0.5 and -0.3 * s <= c.top - p.bottom <= 0.6 * s
                    and _same_size(p.size, c.size, 0.1))
            if horiz and direction in ("", "h"):
                direction = "h"
                cur.append(c)
                continue
            if vert and direction in ("", "v"):
                direction = "v"
                cur.append(c)
                continue
            runs.append(cur)
        cur, direction = [c], ""
    if cur:
        runs.append(cur)
    return runs


def _line_of(chars: list[Char], vertical: bool = False) -> PLine:
    if not vertical:
        chars = sorted(chars, key=lambda c: c.x0)
        # a glyph printed twice on itself (fake bold, shadow) is read once; one glyph that maps to
        # two code points (—— drawn as one wide dash) comes as neighbours in the stream and stays
        chars = [c for i, c in enumerate(chars)
                 if not (i and c.text == chars[i - 1].text and c.x0 - chars[i - 1].x0 < 0.3 * c.size
                         and abs(c.seq - chars[i - 1].seq) > 1)]
    sizes = sorted(c.size for c in chars)
    size = sizes[len(sizes) // 2]
    body = [c for c in chars if c.size >= size * 0.8] or chars  # a small mark does not set the box
    line = PLine(chars, min(c.x0 for c in chars), max(c.x1 for c in chars), min(c.top for c in body),
                 max(c.bottom for c in body), size, sum(c.bold for c in chars) * 2 > len(chars),
                 sum(c.light for c in chars) * 2 > len(chars), vertical)
    line.text = _text(line)
    return line


def _text(line: PLine) -> str:
    """The line's text; a white gap wider than the line's own letter spacing becomes one space."""
    chars = line.chars
    if line.vertical or len(chars) < 2:
        return "".join(c.text for c in chars)
    gaps = [b.x0 - a.x1 for a, b in zip(chars, chars[1:])]
    usual = median(gaps)
    out = [chars[0].text]
    for (a, b), g in zip(zip(chars, chars[1:]), gaps):
        s = min(a.size, b.size)
        latin = not _CJK.match(a.text) and not _CJK.match(b.text)
        if (b.space_before and g > 0.1 * s) or g > (0.18 * s if latin else max(0.3 * s, usual + 0.25 * s)):
            out.append(" ")
        out.append(b.text)
    return "".join(out)


def build_lines(chars: Sequence[Char]) -> list[PLine]:
    """Lines of a page from its glyphs (see the module docstring). Order: top to bottom, left to right."""
    horizontal: list[list[Char]] = []
    lines: list[PLine] = []
    for run in _runs(chars):
        if len(run) >= 2 and run[1].top >= run[0].bottom - 0.3 * run[0].size and _hov(run[0], run[1]) >= 0.5:
            for c in run:
                c.vertical = True
            lines.append(_line_of(run, vertical=True))
        else:
            horizontal.append(run)
    # runs on one baseline, close together, make one line
    boxes = sorted((_line_of(r) for r in horizontal), key=lambda ln: (ln.mid, ln.x0))
    rows: list[list[PLine]] = []
    for ln in boxes:
        for row in reversed(rows[-4:]):
            ref = row[0]
            if abs(ln.mid - ref.mid) <= 0.3 * min(ln.size, ref.size):
                row.append(ln)
                break
        else:
            rows.append([ln])
    for row in rows:
        row.sort(key=lambda ln: ln.x0)
        cur = row[0]
        for ln in row[1:]:
            s = min(cur.size, ln.size)
            if (ln.x0 > cur.x0 and ln.x0 - cur.x1 <= 0.5 * s and _same_size(cur.size, ln.size, 0.35)
                    and _vov(cur, ln) >= 0.5):
                cur = _line_of(cur.chars + ln.chars)
            else:
                lines.append(cur)
                cur = ln
        lines.append(cur)
    lines = _split_at_gutters(lines)
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


def _split_at_gutters(lines: list[PLine]) -> list[PLine]:
    """Cut a line at a wide gap (about an em or more) where the lines above and below show a
    column gutter: other lines end at the gap's left edge or start at its right edge. A wide word
    gap (a headline's two halves, a box title) has no such neighbours and stays."""
    by_mid = sorted((ln for ln in lines if not ln.vertical), key=lambda ln: ln.mid)
    mids = [ln.mid for ln in by_mid]
    out: list[PLine] = []
    for ln in lines:
        if ln.vertical or len(ln.chars) < 2:
            out.append(ln)
            continue
        cuts = []
        for k, (a, b) in enumerate(zip(ln.chars, ln.chars[1:]), 1):
            s = min(a.size, b.size)
            if b.x0 - a.x1 >= 0.9 * s and _gutter_at(a.x1, b.x0, ln, s, by_mid, mids):
                cuts.append(k)
        if not cuts:
            out.append(ln)
            continue
        for lo, hi in zip([0] + cuts, cuts + [len(ln.chars)]):
            out.append(_line_of(ln.chars[lo:hi]))
    return out


def _gutter_at(g0: float, g1: float, line: PLine, s: float, by_mid: list[PLine], mids: list[float]) -> bool:
    """True when at least two lines within a few rows show white at the same place: they end at
    its left edge, start at its right edge, or have a gap of their own across it."""
    lo, hi = bisect_left(mids, line.mid - 6 * s), bisect_right(mids, line.mid + 6 * s)
    a, b = g0 + 0.1 * s, g1 - 0.1 * s  # the core of the gap
    hits = 0
    for other in by_mid[lo:hi]:
        if other is line or other.x1 < g0 - 0.6 * s or other.x0 > g1 + 0.6 * s:
            continue
        if g0 - 0.6 * s <= other.x1 <= g0 + 0.3 * s or g1 - 0.3 * s <= other.x0 <= g1 + 0.6 * s:
            hits += 1
        elif other.x0 < a and other.x1 > b and not any(c.x1 > a and c.x0 < b for c in other.chars):
            hits += 1
    return hits >= 2


# -- blocks --------------------------------------------------------------------------------------

def _fits(block: Block, line: PLine, body: float) -> float | None:
    """The gap at which ``line`` would continue ``block``, or None when it cannot."""
    last = block.lines[-1]
    if line.vertical or last.vertical:
        return None
    if not _same_size(block.size, line.size, 0.03) or line.bold != block.bold or line.light != block.light:
        return None
    if line.size >= 1.07 * body and line.text.lstrip().startswith("—"):
        return None  # ——副题 under a headline of the same size
    span = block.x1 - block.x0
    ov = min(block.x1, line.x1) - max(block.x0, line.x0)
    if ov < 0.5 * min(span, line.width) and not (abs(line.x0 - block.x0) <= 2.5 * line.size and ov > -line.size):
        return None  # neither inside the block's column nor flush with it (a short line under an indent)
    if line.size < 1.07 * body and line.width > 1.25 * block.max_width + line.size:
        return None  # running text never gets wider than its column (a headline's second line may)
    gap = line.top - last.bottom
    s = line.size
    if block.gaps:
        usual = median(block.gaps)
        limit = usual + 0.35 * s
    else:
        limit = 1.0 * s
    if -0.25 * s <= gap <= limit:
        return gap
    return None


def build_blocks(lines: Sequence[PLine], body: float) -> list[Block]:
    """Group lines (sorted top to bottom) into blocks; sets ``PLine.block`` to the block's index.
    ``body``: the page's running-text size (:func:`body_size`)."""
    blocks: list[Block] = []
    open_: list[int] = []
    for line in lines:
        best, best_gap = None, None
        for bi in open_:
            gap = _fits(blocks[bi], line, body)
            if gap is not None and (best_gap is None or gap < best_gap):
                best, best_gap = bi, gap
        if best is None:
            blocks.append(Block())
            best = len(blocks) - 1
            open_.append(best)
        blocks[best].add(line)
        # blocks far above can take no more lines
        open_ = [bi for bi in open_ if blocks[bi].bottom >= line.top - 3 * line.size]
    for i, b in enumerate(blocks):
        for ln in b.lines:
            ln.block = i
    return blocks


# -- reading order -------------------------------------------------------------------------------

def _widest_gap(intervals: Iterable[tuple[float, float]]) -> tuple[float, float] | None:
    """(position, width) of the widest white gap between the merged intervals, or None."""
    best = None
    end = None
    for lo, hi in sorted(intervals):
        if end is not None and lo - end > 0.5 and (best is None or lo - end > best[1]):
            best = ((end + lo) / 2, lo - end)
        end = hi if end is None else max(end, hi)
    return best


def bands(blocks: list[Block]) -> list[list[Block]]:
    """Blocks grouped into bands, top to bottom, at the white gaps that run across all of them."""
    out: list[list[Block]] = []
    end = None
    for b in sorted(blocks, key=lambda b: b.top):
        if end is None or b.top - end > 0.5:
            out.append([b])
        else:
            out[-1].append(b)
        end = b.bottom if end is None else max(end, b.bottom)
    return out


@dataclass(slots=True)
class Node:
    """A region of the XY-cut: its blocks and, unless a leaf, the two parts it was cut into."""

    blocks: list[Block]
    parts: list["Node"] = field(default_factory=list)
    cut: str = ""  # "x" (columns, left | right), "y" (top / bottom) or "" (a leaf)

    def order(self) -> list[Block]:
        """The text blocks in reading order (photos left out)."""
        if self.parts:
            return [b for p in self.parts for b in p.order()]
        return [b for b in self.blocks if not b.image]

    def walk(self):
        yield self
        for p in self.parts:
            yield from p.walk()


def xy_tree(blocks: list[Block], frame: tuple[float, float] | None = None) -> Node:
    """The recursive XY-cut of ``blocks``: each region is cut at its widest white gap, a gutter
    that runs through its whole height (x) or a gap that runs through its whole width (y),
    whichever is wider (a gutter on a tie). Sets each block's ``frame``: the x-extent of the
    smallest region it was read in (a story module, a column), against which it is centred."""
    if frame is None and blocks:
        frame = (min(b.x0 for b in blocks), max(b.x1 for b in blocks))
    if len(blocks) > 1:
        v = _widest_gap((b.x0, b.x1) for b in blocks)
        h = _widest_gap((b.top, b.bottom) for b in blocks)
        if v is not None and (h is None or v[1] >= h[1]):
            left = [b for b in blocks if (b.x0 + b.x1) / 2 < v[0]]
            right = [b for b in blocks if (b.x0 + b.x1) / 2 >= v[0]]
            return Node(blocks, [xy_tree(part, (min(b.x0 for b in part), max(b.x1 for b in part)))
                                 for part in (left, right)], "x")
        if h is not None:
            top = [b for b in blocks if (b.top + b.bottom) / 2 < h[0]]
            bottom = [b for b in blocks if (b.top + b.bottom) / 2 >= h[0]]
            return Node(blocks, [xy_tree(top, frame), xy_tree(bottom, frame)], "y")
    for b in blocks:
        b.frame = frame or (b.x0, b.x1)
    # blocks that no straight cut separates (overlapping frames): top to bottom, left to right
    return Node(sorted(blocks, key=lambda b: (b.top, b.x0)))


def reading_order(blocks: list[Block]) -> list[Block]:
    """Blocks in reading order (see :func:`xy_tree` and the module docstring)."""
    return xy_tree(list(blocks)).order()


def body_size(chars: Sequence[Char]) -> float:
    """The type size (points) that most glyphs of the page are set in: its running text."""
    counts: dict[float, int] = {}
    for c in chars:
        k = round(c.size * 4) / 4
        counts[k] = counts.get(k, 0) + 1
    return max(counts, key=lambda k: (counts[k], -k)) if counts else 10.0




_CREDIT = re.compile(r"(摄|供图|图片|制图|视觉中国|新华社发|[(（][^()（）]{0,12}发[)）])$|^图为|^图[:：/]|[(（](左|右|中|前排|后排)[一二三四五六七八九十起]?[)）]")


def is_caption(block: Block, body: float, photos: Sequence[Block] = ()) -> bool:
    """A photo caption: a few lines in smaller type than the running text, set right under or
    over a photo, or with a photo credit (…摄, 供图, 新华社发) or caption words (图为, （左）)."""
    if block.image or block.bold or block.size > 0.96 * body or len(block.lines) > 4:
        return False
    text = "".join("".join(ln.text.split()) for ln in block.lines)
    if _CREDIT.search(text):
        return True
    for p in photos:
        near = min(abs(block.top - p.bottom), abs(p.top - block.bottom)) <= 1.5 * block.size
        if near and _hov(block, p) >= 0.5:
            return True
    return False


def attach_captions(order: list[Block], body: float, heading, photos: Sequence[Block] = ()) -> list[Block]:
    """Move each photo caption that comes before its story's running text to the end of that
    text (up to the next headline), where readers and the labeller expect it. ``heading(block)``
    tells whether a block is a headline."""
    out = list(order)
    i = 0
    while i < len(out):
        b = out[i]
        nxt = out[i + 1] if i + 1 < len(out) else None
        if is_caption(b, body, photos) and nxt is not None and not heading(nxt) and not is_caption(nxt, body, photos):
            j = i + 1
            while j + 1 < len(out) and not heading(out[j + 1]) and not is_caption(out[j + 1], body, photos):
                j += 1
            out.insert(j, out.pop(i))
            continue_from = j + 1
            i = continue_from
            continue
        i += 1
    return out

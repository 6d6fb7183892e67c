"""One PDF page as characters: text, box, type size, weight and colour of every glyph (pypdfium2).

This is the only module that talks to PDFium for text; ``pdflayout`` turns the characters into
lines and blocks. Coordinates are points from the page's top-left corner (y grows downwards),
whatever the page's rotation or crop box.
"""
from __future__ import annotations

import ctypes
import math
import re
import unicodedata
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from .chars import LOOKALIKES

_BOLD_NAME = re.compile(r"bold|heavy|black|semibold|demi|[-_,]B$|W[6-9]$|粗", re.I)


@dataclass(slots=True)
class Char:
    """One glyph. ``size`` is the rendered type size in points (font size × text matrix scale)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    light: bool  # fill colour close to white: reversed text on a coloured band or box
    vertical: bool = False  # set by pdflayout for glyphs of a vertical (top-to-bottom) line
    seq: int = 0  # order in the content stream
    space_before: bool = False  # a space character precedes it in the stream: a word gap, not a gutter


@dataclass(slots=True)
class PageChars:
    chars: list[Char]
    width: float
    height: float
    images: list[tuple[float, float, float, float]]  # (x0, top, x1, bottom) of each visible image

    @property
    def image_area(self) -> float:
        """Share of the page that images cover (0..1; overlaps count twice)."""
        area = sum((x1 - x0) * (b - t) for x0, t, x1, b in self.images)
        return area / max(1.0, self.width * self.height)


def page_chars(page: pdfium.PdfPage) -> PageChars:
    """Every visible character of ``page`` (see :class:`Char`), in content-stream order.

    Glyphs that PDFium generates (spaces and line breaks it infers) are left out: lines and word
    gaps are rebuilt from positions. Look-alike code points (⽇ for 日) are repaired here.
    """
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        chars = _chars(textpage, height)
    finally:
        textpage.close()
    return PageChars(chars, width, height, _images(page, height))


def _chars(textpage: pdfium.PdfTextPage, height: float) -> list[Char]:
    out: list[Char] = []
    n = textpage.count_chars()
    rect = raw.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    tp = textpage.raw
    style: dict[int, tuple[float, bool, bool, bool]] = {}  # per text object: size, turned, bold, light
    fonts: dict[bytes, bool] = {}
    space = False
    for i in range(n):
        if raw.FPDFText_IsGenerated(tp, i) == 1:
            continue
        code = raw.FPDFText_GetUnicode(tp, i)
        if code < 32 or code in (0xFFFE, 0xFFFF) or 0xD800 <= code <= 0xDFFF:
            continue
        ch = LOOKALIKES.get(code) or chr(code)
        if ch.isspace():
            space = True
            continue
        if not raw.FPDFText_GetLooseCharBox(tp, i, rect):
            continue
        obj = ctypes.cast(raw.FPDFText_GetTextObject(tp, i), ctypes.c_void_p).value or -i
        st = style.get(obj)
        if st is None:  # glyphs of one text object share font, size, matrix and colour
            st = style[obj] = _style(tp, i, fonts)
        size, turned, bold, light = st
        if size <= 0.5:
            size = rect.top - rect.bottom
            if size <= 0.5:
                continue  # invisible or degenerate
        if turned or not raw.FPDFText_GetCharOrigin(tp, i, ox, oy):
            x0, x1, top, bottom = rect.left, rect.right, height - rect.top, height - rect.bottom
        else:
            # the glyph's em box from its origin: Type 3 fonts give glyph-tight "loose" boxes,
            # which would make 一 a hairline and open gaps after every comma
            x0, top, bottom = ox.value, height - oy.value - 0.88 * size, height - oy.value + 0.12 * size
            x1 = x0 + size if unicodedata.east_asian_width(ch) in "WF" else max(rect.right, x0 + 0.2 * size)
        out.append(Char(ch, x0, x1, top, bottom, round(size, 2), bold, light, seq=i, space_before=space))
        space = False
    return out


def _style(tp, i: int, fonts: dict[bytes, bool]) -> tuple[float, bool, bool, bool]:
    """(type size in points, turned, bold, light) of character ``i`` (and of its text object)."""
    matrix = raw.FS_MATRIX()
    scale, turned = 1.0, False
    if raw.FPDFText_GetMatrix(tp, i, matrix):
        scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c)) or 1.0
        turned = abs(matrix.b) > 0.01 * scale or abs(matrix.c) > 0.01 * scale or matrix.a < 0
    size = raw.FPDFText_GetFontSize(tp, i) * scale
    bold = raw.FPDFText_GetFontWeight(tp, i) >= 600
    if not bold:
        name, flags = ctypes.create_string_buffer(128), ctypes.c_int()
        length = raw.FPDFText_GetFontInfo(tp, i, name, len(name), flags)
        key = name.value if length else b""
        if key not in fonts:
            fonts[key] = bool(key and _BOLD_NAME.search(key.decode("latin-1").split("+")[-1]))
        bold = fonts[key] or bool(flags.value & (1 << 18))  # ForceBold flag
    r, g, b, a = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    light = bool(raw.FPDFText_GetFillColor(tp, i, r, g, b, a)) and min(r.value, g.value, b.value) >= 235 and a.value > 0
    return size, turned, bold, light


def _images(page: pdfium.PdfPage, height: float) -> list[tuple[float, float, float, float]]:
    """Visible boxes of the page's images (photos, a scan): each image object's bounds cut to its
    clipping path (a photo placed in a frame is often larger than the frame)."""
    out = []
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    pg = page.raw
    for i in range(raw.FPDFPage_CountObjects(pg)):
        obj = raw.FPDFPage_GetObject(pg, i)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_FORM and not _holds_image(obj):
            continue
        if kind not in (raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_FORM):
            continue
        if not raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            continue
        box = [left.value, bottom.value, right.value, top.value]
        clip = _clip_box(obj)
        if clip:
            box = [max(box[0], clip[0]), max(box[1], clip[1]), min(box[2], clip[2]), min(box[3], clip[3])]
        if box[2] - box[0] >= 10 and box[3] - box[1] >= 10:
            out.append((box[0], height - box[3], box[2], height - box[1]))
    return out


def _holds_image(form, depth: int = 0) -> bool:
    for k in range(raw.FPDFFormObj_CountObjects(form)):
        obj = raw.FPDFFormObj_GetObject(form, k)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_IMAGE or (kind == raw.FPDF_PAGEOBJ_FORM and depth < 2 and _holds_image(obj, depth + 1)):
            return True
    return False


def _clip_box(obj) -> tuple[float, float, float, float] | None:
    """Bounding box of an object's clipping path (the intersection of its paths' boxes), or None."""
    clip = raw.FPDFPageObj_GetClipPath(obj)
    if not clip:
        return None
    box = None
    x, y = ctypes.c_float(), ctypes.c_float()
    for p in range(raw.FPDFClipPath_CountPaths(clip)):
        xs, ys = [], []
        for k in range(raw.FPDFClipPath_CountPathSegments(clip, p)):
            seg = raw.FPDFClipPath_GetPathSegment(clip, p, k)
            if seg and raw.FPDFPathSegment_GetPoint(seg, x, y):
                xs.append(x.value)
                ys.append(y.value)
        if xs:
            b = (min(xs), min(ys), max(xs), max(ys))
            box = b if box is None else (max(box[0], b[0]), max(box[1], b[1]), min(box[2], b[2]), min(box[3], b[3]))
    return box

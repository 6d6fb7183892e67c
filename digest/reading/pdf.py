"""Read e-paper PDFs: one :class:`~digest.reading.lines.Document` per page, streamed.

    read_pdf(path) -> Iterator[Document]      # one per PDF page (a 版), memory flat

Each page goes characters -> lines -> blocks -> reading order (``pdfpage``, ``pdflayout``), its
furniture is marked by position and by recurrence across the PDF's pages (``pdffurniture``), and
the result is a Document of the page's lines in reading order with their layout facts: type
size and the heading level it implies, bold, centring, indentation, the block they belong to and
their box. A headline block is one line (a headline the PDF breaks over two lines is one part);
running text is one line per paragraph, as in a text dump (a paragraph that a column break cuts
is two lines in two blocks), with the first printed line's indent; every other block keeps its
printed lines. ``Document.meta`` holds what the masthead or running header prints: ``date``
(ISO), ``page_label`` (``第03版``), ``page_number`` (3), ``paper``; and, for a page that cannot be
read, ``problem`` and ``hint``.

Library: pypdfium2 (PDFium, Apache-2.0/BSD-3-Clause), chosen by measurement: it reads the
development PDFs' glyphs with their sizes and boxes about 30 times faster than pdfminer.six /
pdfplumber (BENCHMARKS.md), and renders page images for the preview with the same engine.

Errors: a PDF that cannot be opened raises a :class:`PdfError` (an ``InputError`` naming the
file, with a hint): :class:`PdfEncryptedError`, :class:`PdfBrokenError`. A page without a text
layer (a scan) or that cannot be parsed is yielded as a Document without lines whose meta says
why (``problem``, ``hint``): the other pages go on. :class:`NoTextLayerError` is what callers raise
or report for such pages.
"""
from __future__ import annotations

import os
import re
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pypdfium2 as pdfium

from ..errors import InputError
from ..inputs import Root, open_input
from .lines import Document, Line
from .pdffurniture import edge_lines, furniture, layout_furniture, masthead_meta, signature
from .pdflayout import Block, PLine, attach_captions, body_size, build_blocks, build_lines, xy_tree
from .pdfpage import page_chars

OCR_HINT = "no text layer: run OCR first, for example ocrmypdf (digest has no OCR engine)"
_SOURCE = re.compile(r"^(?P<path>.+\.pdf)#page=(?P<page>\d+)$", re.I)


class PdfError(InputError):
    """A PDF that cannot be read. ``path`` names the file (and page, as ``file.pdf#page=N``)."""


class PdfEncryptedError(PdfError):
    """The PDF needs a password."""


class PdfBrokenError(PdfError):
    """Not a PDF, truncated, or damaged beyond repair."""


class NoTextLayerError(PdfError):
    """The page (or every page) is an image: a scan without text."""


def is_pdf(path: str | os.PathLike) -> bool:
    """True for a ``.pdf`` name or a file that starts with ``%PDF`` (sniffed through the guarded
    open, digest.inputs: a FIFO is never opened)."""
    p = Path(path)
    if p.suffix.lower() == ".pdf":
        return True
    try:
        with open_input(p) as fh:
            return fh.read(5).startswith(b"%PDF")
    except (InputError, OSError):
        return False


def pdf_source(path: str | os.PathLike, page: int) -> str:
    """How a PDF page is named in sources and messages: ``file.pdf#page=3`` (1-based, RFC 8118)."""
    return f"{path}#page={page}"


def split_source(source: str) -> tuple[str, int] | None:
    """``("file.pdf", 3)`` for ``file.pdf#page=3``; None for any other source."""
    m = _SOURCE.match(source or "")
    return (m.group("path"), int(m.group("page"))) if m else None


def open_pdf(path: str | os.PathLike, *, root: Root | None = None) -> pdfium.PdfDocument:
    """Open a PDF with PDFium, through the guarded open (digest.inputs: a regular file inside
    `root`; None: `path` as named on the command line); PDFium reads the open file, not the path.
    Raises PdfEncryptedError / PdfBrokenError / PdfError naming the file, or the InputError of the
    guard (outside its root, not a regular file, missing)."""
    name = str(path)
    fh = open_input(path, root)
    try:
        return _document_of(fh)
    except pdfium.PdfiumError as exc:
        fh.close()
        text = str(exc)
        if "password" in text.lower():
            raise PdfEncryptedError(name, "the PDF is encrypted (password protected)",
                                    "save an unprotected copy (for example qpdf --decrypt) and ingest that") from None
        if "format" in text.lower() or "data format" in text.lower():
            raise PdfBrokenError(name, "not a readable PDF (damaged or truncated)",
                                 "download the file again; `qpdf --check FILE` shows what is wrong") from None
        raise PdfError(name, f"cannot open the PDF: {text}", "check that the file is a complete PDF") from None
    except OSError as exc:
        fh.close()
        raise PdfError(name, f"cannot read: {exc.strerror or exc}") from None
    except BaseException:
        fh.close()
        raise


def _document_of(fh) -> pdfium.PdfDocument:
    """PDFium's document of the open file `fh`. On Linux PDFium opens ``/proc/self/fd/N`` (the
    very file the guard checked, never its path again) at its native speed, and `fh` is closed;
    elsewhere it reads through `fh` (about 12 % slower), which the document then closes."""
    proc = f"/proc/self/fd/{fh.fileno()}"
    if os.path.exists(proc):
        try:
            return pdfium.PdfDocument(proc)
        finally:
            fh.close()
    return pdfium.PdfDocument(fh, autoclose=True)


@dataclass
class _Page:
    number: int  # 1-based page of the PDF
    width: float
    height: float
    body: float
    lines: list[PLine]
    blocks: list[Block]
    photos: list[Block]
    problem: str = ""
    hint: str = ""


def read_pdf(path: str | os.PathLike, *, lookahead: int = 2, root: Root | None = None) -> Iterator[Document]:
    """Yield one Document per page of the PDF at ``path``, in page order.

    Streamed: at most ``lookahead`` + 1 pages are held at a time (the look-ahead lets a running
    header be recognised on page 1 because it recurs on pages 2 and 3), so memory stays flat over
    a PDF of hundreds of pages. Raises :class:`PdfError` subclasses when the file cannot be opened,
    and the guard's InputError when it is not a regular file inside `root` (see :func:`open_pdf`).
    """
    pdf = open_pdf(path, root=root)
    try:
        seen: dict[str, set[int]] = {}
        window: deque[_Page] = deque()
        for i in range(len(pdf)):
            page = _load(pdf, i, str(path))
            for ln in edge_lines(page.lines, page.height):
                seen.setdefault(signature(ln, page.height), set()).add(page.number)
            window.append(page)
            if len(window) > lookahead:
                yield _document(window.popleft(), str(path), seen)
        while window:
            yield _document(window.popleft(), str(path), seen)
    finally:
        pdf.close()


def _load(pdf: pdfium.PdfDocument, index: int, path: str) -> _Page:
    try:
        page = pdf[index]
    except pdfium.PdfiumError as exc:
        return _Page(index + 1, 0, 0, 10.0, [], [], [], f"page cannot be read ({exc})",
                     "the PDF is damaged; download it again")
    try:
        pc = page_chars(page)
    finally:
        page.close()
    if not pc.chars:
        if pc.images:
            return _Page(index + 1, pc.width, pc.height, 10.0, [], [], [], "no text layer (the page is an image)", OCR_HINT)
        return _Page(index + 1, pc.width, pc.height, 10.0, [], [], [], "no text on the page", "")
    lines = build_lines(pc.chars)
    body = body_size(pc.chars)
    photos = [Block.photo(box) for box in pc.images]
    return _Page(index + 1, pc.width, pc.height, body, lines, build_blocks(lines, body), photos)


def _document(page: _Page, path: str, seen: dict[str, set[int]]) -> Document:
    source = pdf_source(path, page.number)
    base = dict(pdf_page=page.number)
    if page.problem:
        return Document((), "pdf", source, {**base, "problem": page.problem, "hint": page.hint},
                        page.body, page.width or None, page.height or None)
    recurring = {sig for sig, pages in seen.items() if len(pages - {page.number}) >= 1}
    body = page.body
    reasons, edge = furniture(page.blocks, page.width, page.height, body, recurring)
    top = [b for i, b in enumerate(page.blocks) if i in edge and b.top < page.height / 2]
    bottom = [b for i, b in enumerate(page.blocks) if i in edge and b.top >= page.height / 2]
    for b in top + bottom:
        b.frame = (0.0, page.width)
    tree = xy_tree([b for i, b in enumerate(page.blocks) if i not in edge] + page.photos)

    def heading(b: Block) -> bool:
        return heading_level(b, body) > 0

    content = attach_captions(tree.order(), body, heading, page.photos)
    layout_furniture(tree, content, body, heading, reasons)
    ordered = sorted(top, key=lambda b: (b.top, b.x0)) + content + sorted(bottom, key=lambda b: (b.top, b.x0))
    lines: list[Line] = []
    for bi, b in enumerate(ordered):
        level = heading_level(b, body)
        # a headline the PDF breaks over several lines is one line (one headline part); running
        # text is one line per paragraph, as text dumps have it
        rows = [b.lines] if level else paragraphs(b)
        for k, row in enumerate(rows):
            first = row[0]
            x0, x1 = min(ln.x0 for ln in row), max(ln.x1 for ln in row)
            lines.append(Line(
                text=join_lines([ln.text for ln in row]), no=len(lines) + 1, page=page.number,
                blank_before=int(k == 0 and bi > 0), indent=0 if level else _indent(first, b), heading=level,
                bold=all(ln.bold for ln in row), centred=_centred(x0, x1, first.size, b),
                furniture=next((reasons[id(ln)] for ln in row if id(ln) in reasons), ""),
                size=round(first.size, 2), x0=round(x0, 1), x1=round(x1, 1), top=round(first.top, 1),
                bottom=round(row[-1].bottom, 1), block=bi))
    meta = {**base, **masthead_meta([ln for ln in page.lines if id(ln) in reasons
                                     and reasons[id(ln)].startswith(("header", "footer"))])}
    return Document(tuple(lines), "pdf", source, meta, body, page.width, page.height)


_MARKS = "■□●◆◇▲△★☆▶►"


def paragraphs(block: Block) -> list[list[PLine]]:
    """The printed lines of a text block grouped into paragraphs: a paragraph starts with a
    first-line indent, after a line that stops short of the column's right edge, or with a
    bullet (■ ●); lines of a centred block stay one per paragraph."""
    out: list[list[PLine]] = []
    right = block.x1
    for ln in block.lines:
        prev = out[-1][-1] if out else None
        new = (prev is None or ln.x0 - block.x0 >= 0.8 * ln.size or ln.text[:1] in _MARKS
               or prev.x1 < right - 1.5 * ln.size)
        if new:
            out.append([ln])
        else:
            out[-1].append(ln)
    return out


def join_lines(parts: list[str]) -> str:
    """Printed lines of one headline or paragraph as one string: Chinese runs on without a
    space, a Latin word or number broken at the line end gets one back."""
    out = parts[0].strip()
    for p in parts[1:]:
        p = p.strip()
        if out and p and out[-1].isascii() and out[-1].isalnum() and p[0].isascii() and p[0].isalnum():
            out += " " + p
        else:
            out += p
    return out


def heading_level(block: Block, body: float) -> int:
    """1..3 from the block's type size against the page's body size (1 = largest), 0 for body text.

    ≥ 1.4 × body: 1 (headlines, and the big 引题 and 副题 beside them); ≥ 1.2 ×: 2 (small
    引题 and 副题); ≥ 1.07 ×, or bold in one or two lines that end without a full stop: 3 (brief
    titles, cross-heads). A story's headline is level 1 whatever its size, so a cross-head (3)
    is always deeper than the page's headlines.
    """
    ratio = block.size / body if body else 1.0
    if ratio >= 1.4:
        return 1
    if ratio >= 1.2:
        return 2
    if ratio >= 1.07:
        return 3
    if block.bold and len(block.lines) <= 2 and block.lines[-1].text.rstrip()[-1:] not in "。！？；":
        return 3
    return 0


def _indent(line: PLine, block: Block) -> int:
    """Indentation in columns (an em counts 2, like an ideographic space) from the block's left edge."""
    if len(block.lines) < 2:
        return 0
    return max(0, round(2 * (line.x0 - block.x0) / max(1.0, line.size)))


def _centred(x0: float, x1: float, size: float, block: Block) -> bool:
    """Set in the middle of the region the block was read in, with room on both sides."""
    lo, hi = block.frame if block.frame != (0.0, 0.0) else (block.x0, block.x1)
    room = hi - lo
    return x1 - x0 < room - 2 * size and abs((x0 + x1) / 2 - (lo + hi) / 2) <= max(size, 0.03 * room)


def document_text(doc: Document, furniture: bool = True) -> str:
    """The page's text in reading order: one printed line per line, a blank line between blocks.
    Furniture lines are kept unless ``furniture`` is false (the source view strikes them out).
    This is ``Page.text`` of a PDF page."""
    out: list[str] = []
    for ln in doc.lines:
        if ln.furniture and not furniture:
            continue
        if ln.blank_before and out:
            out.append("")
        out.append(ln.text)
    return "\n".join(out)

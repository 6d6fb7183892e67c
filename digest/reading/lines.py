"""The line model every input format is turned into, and the document it belongs to.

A text dump, a Markdown or HTML copy and a PDF page all become a :class:`Document`: lines in
reading order, each with the layout facts its source gives (blank lines before it, indentation,
a heading level from markup or from type size, bold, and for PDFs the font size and position).
The line labeller (``labels.py``) looks only at these features, so the text path and the PDF
path share one labeller and one assembler.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Line:
    """One non-blank line of a page, in reading order.

    ``text`` is the line after format conversion (markup markers removed) but before text
    repair; ``no`` is its 1-based line number in the source file (for a PDF, the line's number
    in the document's own line list), so every decision can be explained line by line.
    """

    text: str
    no: int
    page: int = 1  # physical page: the form-feed page of a dump, the page of a PDF (1-based)
    blank_before: int = 0  # blank lines (or, in a PDF, a vertical gap of about one line) before it
    indent: int = 0  # leading white space in columns (an ideographic space counts 2)
    heading: int = 0  # 1..6 from markup ('#', <h2>) or from type size (1 = largest); 0 = none
    bold: bool = False  # the whole line is set in bold
    quote: bool = False  # a Markdown block quote ('> ')
    centred: bool = False  # set in the middle of the column ('pdftotext -layout', a PDF)
    furniture: str = ""  # set by the format reader when it already knows (HTML nav, YAML, PDF header): the reason
    # PDF layout, None for text: font size in points, box in points from the page's top left
    size: float | None = None
    x0: float | None = None
    x1: float | None = None
    top: float | None = None
    bottom: float | None = None
    block: int | None = None  # text block (column frame or box) the line belongs to


@dataclass(frozen=True)
class Document:
    """The lines of one page (one file of an issue, or one PDF page) and what the format said."""

    lines: tuple[Line, ...]
    format: str = "plain"  # plain | layout | markdown | html | web | export | pdf
    source: str = ""
    meta: dict = field(default_factory=dict)  # e.g. YAML front matter: title, date, paper
    body_size: float | None = None  # PDF: the font size of running text on the page (points)
    width: float | None = None  # PDF: page width in points
    height: float | None = None  # PDF: page height in points
    stray_spaces: bool = False  # the extraction scattered spaces inside words (聊城 市, 青苔 渡): none is printed

"""Bridge until the shared labeller reads Documents: a PDF page's Document -> Markdown-like text
-> ``segment_page``.

TEMPORARY: when ``digest.reading.read_document(doc, source, page)`` lands, callers use it and this
module goes. It keeps what the layout knows in a form the text segmenter reads: headings as
``#``/``##``/``###`` (one line per headline block: a headline the PDF broke over two lines is one
part), a blank line between blocks, paragraphs rebuilt from first-line indents and short last
lines, furniture lines left out.
"""
from __future__ import annotations

from ..models import PageParse
from .lines import Document, Line
from .pdf import join_lines as _join

_MARKS = "■□●◆◇▲△★☆▶►"


def document_markdown(doc: Document) -> str:
    """The Document as Markdown-like text (see the module docstring)."""
    blocks: list[list[Line]] = []
    for ln in doc.lines:
        if ln.furniture:
            continue
        if blocks and blocks[-1][-1].block == ln.block:
            blocks[-1].append(ln)
        else:
            blocks.append([ln])
    out: list[str] = []
    for block in blocks:
        if out:
            out.append("")
        level = block[0].heading
        if level:
            out.append("#" * level + " " + _join([ln.text for ln in block]))
            continue
        out.extend(_paragraphs(block))
    return "\n".join(out) + "\n"


def _paragraphs(block: list[Line]) -> list[str]:
    right = max(ln.x1 or 0.0 for ln in block)
    paras: list[list[str]] = []
    prev: Line | None = None
    for ln in block:
        size = ln.size or 10.0
        new = (prev is None or ln.indent >= 2 or ln.text[:1] in _MARKS
               or (prev.x1 or 0.0) < right - 1.5 * size)
        if new:
            paras.append([ln.text])
        else:
            paras[-1].append(ln.text)
        prev = ln
    return [_join(p) for p in paras]




def read_document(doc: Document, source: str = "", page: int = 1) -> PageParse:
    """Articles of one PDF page (same signature as the shared labeller's entry point)."""
    from .segment import segment_page

    return segment_page(document_markdown(doc), source=source or doc.source, page=page)

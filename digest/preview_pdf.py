"""The preview's view of a PDF page: the page image with each article's boxes and label on it.

The page is rendered by PDFium (pypdfium2, the library that reads it) into a PNG carried as a
``data:`` URI, so the page's strict CSP (img-src data:) needs no change and nothing is fetched.
The boxes are the blocks of the page's Document, coloured by the article their lines went to
(the labeller's ``LineLabel.article``), drawn as SVG over the image: an editor checks the split on
the page itself. Furniture blocks get a grey dashed box marked F.
"""
from __future__ import annotations

import base64
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .inputs import Root

RENDER_WIDTH = 1100  # pixels: sharp enough to read a headline, small enough for a page load


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float
    idx: int | None  # article index (0-based position), None for furniture or set-aside lines
    label: str  # "A3", "F" or ""


@dataclass
class PdfPageView:
    image: str  # data: URI of the rendered page (PNG)
    width: float  # page size in points (the SVG's user space)
    height: float
    boxes: list[Box] = field(default_factory=list)
    parse: object = None  # the PageParse of the page, read from the PDF itself


def find_file(key: str, inbox: Path | None = None, home: Path | None = None) -> tuple[Path, Root] | None:
    """The file a stored page names (its source key, digest.sources, or the path it was read
    from), looked for only inside the inbox and the home folder: ``inbox/…`` in the inbox, another
    relative key or an absolute path under the inbox or the home. Returns the file and the root it
    is confined to (digest.inputs: a link leading out of it is not followed), or None when it is
    not there (any more) or lies elsewhere: the preview opens nothing outside those two folders."""
    from .inputs import InputError, confine, inbox_root

    roots = ([inbox_root(inbox)] if inbox is not None else []) + \
        ([Root(Path(os.path.realpath(home)), "the home folder")] if home is not None else [])
    if not key or not roots:
        return None
    rel = Path(key)
    tries: list[tuple[Path, Root]] = []
    if key.startswith("inbox/") and inbox is not None:
        tries.append((Path(inbox) / key.split("/", 1)[1], roots[0]))
    if rel.is_absolute():
        tries += [(rel, r) for r in roots]
    else:
        tries += [(Path(r.path) / rel, r) for r in roots]
    for path, root in tries:
        try:
            if os.path.isfile(path):
                confine(path, root)
                return path, root
        except InputError:
            continue
    return None


def pdf_page_view(source: str, number: int, inbox: Path | None = None, home: Path | None = None) -> PdfPageView | None:
    """The view of ``source`` (``…/file.pdf#page=N``, a stored source key or the path read) as page
    ``number`` of its issue, or None when the source is not a PDF page or its file is gone or
    outside the inbox and the home (the preview then shows the stored text only)."""
    from .reading import read_document
    from .reading.pdf import PdfError, read_pdf, split_source

    where = split_source(source)
    found = find_file(where[0], inbox, home) if where is not None else None
    if found is None:
        return None
    (path, root), pdf_page = found, where[1]
    try:
        doc = next((d for d in read_pdf(path, root=root) if d.meta.get("pdf_page") == pdf_page), None)
    except (PdfError, InputError):
        return None
    if doc is None or not doc.lines:
        return None
    parse = read_document(doc, source=source, page=number)
    owner = {lb.no: lb.article for lb in getattr(parse, "labels", ())}
    boxes: list[Box] = []
    by_block: dict[tuple[int | None, int | None, bool], list] = {}
    for ln in doc.lines:
        key = (ln.block, owner.get(ln.no), bool(ln.furniture))
        by_block.setdefault(key, []).append(ln)
    seen: set[int] = set()
    for (_, idx, furn), lines in by_block.items():
        x0, x1 = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
        y0, y1 = min(ln.top for ln in lines), max(ln.bottom for ln in lines)
        label = "F" if furn else (f"A{idx + 1}" if idx is not None and idx not in seen else "")
        if idx is not None and not furn:
            seen.add(idx)
        boxes.append(Box(x0 - 2, y0 - 2, x1 - x0 + 4, y1 - y0 + 4, None if furn else idx, label))
    return PdfPageView(_render(path, root, pdf_page - 1, doc.width or 1.0), doc.width or 0.0, doc.height or 0.0,
                       boxes, parse)


def _render(path: Path, root: Root, index: int, width_pt: float) -> str:
    from .reading.pdf import open_pdf

    pdf = open_pdf(path, root=root)  # the guarded open (digest.inputs)
    try:
        page = pdf[index]
        try:
            image = page.render(scale=RENDER_WIDTH / max(1.0, width_pt)).to_pil()
        finally:
            page.close()
    finally:
        pdf.close()
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")

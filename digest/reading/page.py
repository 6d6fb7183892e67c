"""Read one page: Document -> units -> stories -> PageParse (with every line's label and reason)."""
from __future__ import annotations

from ..models import LineLabel, PageParse
from . import furniture as fu
from .articles import assemble, cost
from .heads import page_stats
from .joins import dedupe_units, repair
from .finish import finish
from .formats import to_document
from .labels import units as label_units
from .unit import Unit
from .lines import Document
from .printed import Printed, printed_facts as _printed_facts
from .reorder import join_continuations, match_headlines, rehome_captions
from .repair import clean_line, key

_LABEL = {"F": "furniture", "X": "source", "C": "jump", "B": "byline", "T": "credit", "D": "dateline",
          "K": "caption", "Q": "brief", "E": "editor's note", "H": "headline", "N": "byline", "P": "body"}


def read_text(text: str, source: str = "", page: int = 1) -> PageParse:
    """Split one page's text (any text format: plain, ``-layout``, Markdown, HTML, web copy) into
    articles. Never raises on odd input; a page with no story gives no articles."""
    return read_document(to_document(text or "", source), source, page)


def read_document(doc: Document, source: str = "", page: int = 1) -> PageParse:
    """Split one page, given as a Document (text or PDF), into articles; see the package docstring."""
    units = label_units(doc)
    units, dropped = dedupe_units(units)
    units = repair(units)
    stats = page_stats(units)
    best = None
    for back in (False, True):
        drafts, furniture, orphans = assemble(units, back, stats)
        drafts, orphans = match_headlines(join_continuations(drafts), orphans)
        rehome_captions(drafts)
        c = cost(drafts, orphans)
        if best is None or c < best[0]:
            best = (c, drafts, furniture, orphans)
    _, drafts, furniture, orphans = best
    furn_texts = [u.text for u in furniture if u.kind == "F"]
    arts, more = finish(drafts, furn_texts, source, page, sized=doc.format == "pdf")
    printed = printed_facts(doc, units)
    labels = _labels(doc, units, drafts, dropped, set(furn_texts))
    conts = tuple(c for u in units for c in u.conts)
    return PageParse(tuple(arts), tuple(dict.fromkeys(furn_texts)), conts,
                     tuple(" | ".join(d.parts) for d in orphans), tuple([u.text for u in dropped] + more),
                     source, page, labels, printed.paper, printed.date, printed.page_label)


def printed_facts(doc: Document, units: list[Unit]) -> Printed:
    """Paper, printed date and 版 label from a page's furniture, source and metadata lines."""
    furn = {u.lines[0]: (u.category, u.why.removeprefix("furniture: ")) for u in units if u.kind == "F" and u.lines}
    sources = {u.lines[0]: ("", u.text) for u in units if u.kind in ("X", "B") and u.lines}
    return _printed_facts(doc, furn, sources)


def _part(line: str, draft) -> str:
    """The part of a story's headline a headline line belongs to: 引题, 主题 or 副题 (from the
    draft's own list of parts, never by re-splitting the joined title)."""
    k = key(line)
    parts = [p for p in (draft.parts if draft is not None else []) if p]
    hit = next((n for n, p in enumerate(parts) if k and k in key(p)), None)
    if hit is None:
        return ""
    if parts[hit].startswith("——"):
        return "副题 (deck)"
    heads = [n for n, p in enumerate(parts) if not p.startswith("——")]
    main = heads[1] if len(heads) >= 2 else heads[0]  # as finish.headline picks the main title
    return "主题 (main headline)" if hit == main else "引题 (kicker)" if hit < main else "副题 (deck)"


def _labels(doc: Document, units: list[Unit], drafts, dropped: list[Unit], furniture: set[str]) -> tuple[LineLabel, ...]:
    """Every line's final label, the reason, and the article it went to."""
    owner: dict[int, int] = {}
    line_owner: dict[int, int] = {}
    sub: dict[int, str] = {}
    for d in drafts:
        for u in d.units:
            if d.position is not None:
                owner[id(u)] = d.position
                line_owner.update((i, d.position) for i in u.lines)
        sub.update(d.subwhy)
    by_pos = {d.position: d for d in drafts if d.position is not None}
    out: dict[int, LineLabel] = {}
    for u in units:
        label, why = _LABEL.get(u.kind, u.kind), u.why
        if id(u) in sub:
            label, why = "subhead", sub[id(u)]
        elif u.kind in ("H", "N") and id(u) not in owner:
            why = "headline whose story is not on this page (teaser or jump)"
        for i in u.lines:
            if u.kind in ("H", "N") and clean_line(doc.lines[i].text.strip(), prose=False) in furniture:
                out.setdefault(i, LineLabel(doc.lines[i].no, doc.lines[i].text, "furniture",
                                            "furniture: a banner or column label set above the headline"))
            pos = owner.get(id(u))
            part = _part(doc.lines[i].text, by_pos.get(pos)) if u.kind in "HN" and pos is not None else ""
            if u.kind == "N" and part:  # a short line that looked like a name but heads its story
                label, why = "headline", "headline: a short line above its story (not a name: nothing signs it)"
            out.setdefault(i, LineLabel(doc.lines[i].no, doc.lines[i].text, label,
                                        f"{why} — {part}" if part else why, pos))
        for i in u.lifted:
            s = doc.lines[i].text.strip()
            if s in furniture:
                out.setdefault(i, LineLabel(doc.lines[i].no, doc.lines[i].text, "furniture",
                                            "furniture: a banner printed inside a sentence (lifted out)"))
            else:
                out.setdefault(i, LineLabel(doc.lines[i].no, doc.lines[i].text, "headline",
                                            "headline: a headline the column flow put inside another story's sentence",
                                            line_owner.get(i, owner.get(id(u)))))
    for u in dropped:
        for i in u.lines:
            out.setdefault(i, LineLabel(doc.lines[i].no, doc.lines[i].text, "duplicate",
                                        "repeats a paragraph printed elsewhere on the page (dropped)"))
    for i, ln in enumerate(doc.lines):
        out.setdefault(i, LineLabel(ln.no, ln.text, "body", "inside a paragraph"))
    return tuple(out[i] for i in sorted(out))

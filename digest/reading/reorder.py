"""Reading-order repair for pages whose columns the extraction interleaved.

``pdftotext`` (without ``-layout``) reads a multi-column page block by block, and the blocks do not
always come in reading order: a story's text stops at the end of one column chunk and goes on further
down, after another story; a headline (with its byline) is printed before another story's text and
its own text comes later. Two repairs, both from the text's own evidence:

* **continuations** — an untitled chunk that starts in the middle of a sentence (``说，今年…``, a word
  cut at the break: ``…根`` / ``据地块…``) continues the nearest story above it on the page whose text
  stopped in the middle of a sentence;
* **separated headlines** — a headline left without text takes the first untitled story after it
  whose opening shares its words (character bigrams of the headline found in the first 300
  characters), or whose lede or photo credit names the headline's reporter.
"""
from __future__ import annotations


from .articles import Draft
from .unit import Unit
from .repair import clean_line, join_pair, key
from .words import starts_mid_sentence

_MATCH = 0.25  # share of a headline's bigrams found in a story's opening


def _first_line(d: Draft) -> int:
    return min((i for u in d.units for i in u.lines), default=10**9)


def join_continuations(drafts: list[Draft]) -> list[Draft]:
    """Append each untitled chunk that starts mid-sentence to the open story above it."""
    out: list[Draft] = []
    for d in drafts:
        if d.paras and not d.names and not d.lede and d.opened_by in ("P", "H") and (not d.parts or d.opened_by == "H"):
            host = next((e for e in reversed(out) if e.paras and not e.photo
                         and starts_mid_sentence(d.paras[0], e.paras[-1])), None)
            if host is not None:
                host.paras[-1] = clean_line(join_pair(host.paras[-1], d.paras[0]), prose=True)
                host.paras.extend(d.paras[1:])
                host.captions.extend(d.captions)
                host.units.extend(u for u in d.units if u.kind == "P")
                host.conts.extend(d.conts)
                if d.parts:  # the headline it sat under is still looking for its own text
                    d.paras, d.captions = [], []
                    d.units = [u for u in d.units if u.kind != "P"]
                    out.append(d)
                continue
        out.append(d)
    return out


def _bigrams(text: str) -> set[str]:
    k = key(text)
    return {k[i:i + 2] for i in range(len(k) - 1)}


def _lifted(drafts: list[Draft]) -> list[Draft]:
    """Short lines the repair lifted out of a sentence (a banner, or a headline the column flow put
    there), as headline candidates; a candidate that finds no story stays furniture."""
    out = []
    for d in drafts:
        for u in d.units:
            if u.kind == "P" and u.interlopers and u.lifted and len(u.interlopers) == len(u.lifted):
                for text, line in zip(u.interlopers, u.lifted):
                    out.append(Draft(parts=[text], levels=[0], units=[Unit("H", text, "lifted", [line])],
                                     opened_by="lifted", lifted_from=d))
    return out


def match_headlines(drafts: list[Draft], orphans: list[Draft]) -> tuple[list[Draft], list[Draft]]:
    """Give headline-only drafts the untitled story after them that is theirs (see the module docstring)."""
    lifted = _lifted(drafts)
    heads = sorted([d for d in drafts if d.parts and not d.paras and not d.captions] + orphans + lifted,
                   key=_first_line)
    stories = [d for d in drafts if d.paras]
    left = []
    taken: set[int] = set()
    before = {id(d): drafts[k - 1] for k, d in enumerate(drafts) if k}
    for h in heads:
        after = [d for d in stories if not d.parts and id(d) not in taken and _first_line(d) > _first_line(h)
                 and d.opened_by not in ("Q", "K", "T")]
        words = _bigrams(" ".join(h.parts))
        best, score, photo = None, 0.0, None
        for d in after:
            opening = " ".join(d.paras)[:300]
            s = len(words & _bigrams(opening)) / max(1, len(words))
            if h.names and set(h.names) & set(d.names or []):
                s += 1.0
            prev = before.get(id(d))
            credit = prev.captions[-1] if prev is not None and prev.captions and not prev.photo else ""
            theirs = bool(credit) and any(n in credit.replace(" ", "") for n in h.names)
            if theirs:
                s += 1.0  # the picture right above the text is credited to the headline's reporter
            if s > score:
                best, score, photo = d, s, (prev if theirs else None)
        if best is not None and score >= (2 * _MATCH if h.opened_by == "lifted" else _MATCH):
            if h.lifted_from is not None:  # no longer an interloper of the story it was lifted from
                h.lifted_from.interlopers.remove(h.parts[0])
            taken.add(id(best))
            if photo is not None:  # that picture is this story's, not the one above it
                best.captions.insert(0, photo.captions.pop())
            best.parts, best.levels = list(h.parts), list(h.levels)
            if not best.names:
                best.names, best.bare = list(h.names), h.bare
            best.units[:0] = h.units
        else:
            left.append(h)
    kept = [d for d in drafts if d.paras or d.captions]
    return kept, [h for h in left if h not in kept and h.opened_by != "lifted"]


def rehome_captions(drafts: list[Draft]) -> list[Draft]:
    """Move a picture's caption to the story it illustrates when the extraction set it under
    another one: its photo credit (本报记者 X 摄) names the reporter of exactly one other story on
    the page and nobody of the story it sits in. The credit and the caption lines just above it
    move together. Returns ``drafts`` (changed in place)."""
    for d in drafts:
        for credit in [u for u in d.units if u.kind == "K" and u.photo and u.names and u.text in d.captions]:
            if set(credit.names) & set(d.names):
                continue
            owners = [e for e in drafts if e is not d and e.paras and set(credit.names) <= set(e.names)]
            if len(owners) != 1:
                continue
            at = d.units.index(credit)
            group = [credit]
            while at - len(group) >= 0 and d.units[at - len(group)].kind == "K" \
                    and not d.units[at - len(group)].photo and d.units[at - len(group)].text in d.captions:
                group.insert(0, d.units[at - len(group)])
            for u in group:
                d.units.remove(u)
                d.captions.remove(u.text)
            owners[0].units.extend(group)
            owners[0].captions.extend(u.text for u in group)
    return drafts

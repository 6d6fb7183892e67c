"""Text repair for extracted newspaper pages: pure functions, no I/O.

What goes wrong in PDF/e-paper extraction, and the function that repairs it:

* column layout breaks a sentence over lines or blank-separated chunks -> :func:`join_lines`,
  :func:`merge_broken` (real paragraph ends are kept: a sentence-final mark at a short line);
* stray spaces inside Chinese text (``物 业公司``, ``本 报 记 者``) -> :func:`fix_spaces`
  (prose: every space between Chinese characters goes; short lines such as headlines and
  bylines keep word gaps like ``胡磊 薛良诚`` but lose letter-spacing);
* half-width punctuation in Chinese context -> :func:`normalize_punct` (``,`` -> ``，``,
  ``"…"`` -> ``“…”``, ``(`` -> ``（``; ``1611.9``, ``5.8%``, ``1,000``, URLs untouched);
* Markdown markers -> :func:`strip_markdown`, which returns the structure as a :class:`Hint`;
* the same paragraph printed twice -> :func:`dedupe`.

:func:`clean_text` chains them for arbitrary text and is idempotent.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Iterable, NamedTuple

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Chinese punctuation and full-width forms: "tight" characters that never take a space.
CJK_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2014\u2018\u2019\u201c\u201d\u2026\u00b7"
_CJK_RE = re.compile(f"[{CJK}]")
_TIGHT_RE = re.compile(f"[{CJK}{CJK_PUNCT}]")
FINAL = set("。！？!?…；;") | {"."}  # a paragraph may end after these (optionally + closing quote)
CLOSERS = set("”’」』）)】》\"'")
_SPACES = re.compile(r"[ \t\u3000\u00a0]+")
_MD_HEAD = re.compile(r"^\s*(#{1,6})[ \t\u3000\u00a0]+(?:#{1,6}[ \t\u3000\u00a0]+)*")
_MD_BOLD = re.compile(r"\*\*(.*?)\*\*")
_LABEL = re.compile(f"^[{CJK}]{{2,6}}[:：]")
_KEY_DROP = re.compile(f"[^{CJK}0-9A-Za-z]+")
_PAREN = re.compile(r"\(([^()\n]*)\)")
_HALF = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}
_FOLD = {"，": ",", "；": ";", "：": ":", "！": "!", "？": "?", "（": "(", "）": ")", "。": ".",
         "“": '"', "”": '"', "‘": "'", "’": "'", "\u3000": " "}
_FOLD_TABLE = str.maketrans(_FOLD)


class Hint(NamedTuple):
    """Structure that Markdown markers carried, kept after the markers are stripped."""

    heading: int = 0  # 1..6 for '#'..'######', else 0
    bold_lead: bool = False  # the line opens with **bold** text (run-in head or kicker)


def is_cjk(ch: str) -> bool:
    return bool(_CJK_RE.match(ch))


def _tight(ch: str) -> bool:
    return bool(_TIGHT_RE.match(ch))


def cjk_count(text: str) -> int:
    return len(_CJK_RE.findall(text))


def fold(text: str) -> str:
    """Map full-width punctuation/quotes back to ASCII (for comparisons, never for output)."""
    return text.translate(_FOLD_TABLE)


def key(text: str) -> str:
    """Comparison key: Chinese characters, digits and Latin letters only (width-folded)."""
    return _KEY_DROP.sub("", unicodedata.normalize("NFKC", text))


def strip_markdown(line: str) -> tuple[str, Hint]:
    """Remove ``#`` heading markers and ``**`` bold markers; report what they said."""
    level = 0
    m = _MD_HEAD.match(line)
    if m and line[m.end():].strip("# \t\u3000"):
        level = len(m.group(1))
        line = line[m.end():]
    bold = line.lstrip().startswith("**") and "**" in line.lstrip()[2:]
    if "**" in line:
        line = _MD_BOLD.sub(r"\1", line).replace("**", "")
    return line, Hint(level, bold)


def ends_sentence(text: str) -> bool:
    """True when text ends with sentence-final punctuation (a closing quote may follow)."""
    t = text.rstrip()
    while t and t[-1] in CLOSERS:
        if t[-1] in "）)":  # a closing parenthesis ends an attribution or a note
            return True
        t = t[:-1]
    return bool(t) and t[-1] in FINAL


_CONTROLS = {c: None for c in range(32) if chr(c) not in "\n\t"}
_CONTROLS.update({0x7F: None, 0x0C: "\n", 0x0D: "\n", 0x200B: None, 0x200C: None, 0x200D: None,
                  0x2060: None, 0xFEFF: None, 0x2028: "\n", 0x2029: "\n"})
_CONTROLS.update({c: None for c in range(0x80, 0xA0)})


def strip_controls(text: str) -> str:
    """Drop control and zero-width characters (NUL, BEL, ESC, BOM …); form feeds become line breaks."""
    return text.translate(_CONTROLS)


_WIDTH = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)) for c in range(r[0], r[1] + 1)}
_WIDTH.update({0x00A0: " ", 0x3000: " ", 0x09: " "})  # full-width digits/letters -> ASCII; odd spaces -> " "
_HALF_MARK = re.compile(r"[,;:!?.]")


_WIDE = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u00a0\u3000\t]")


def _normalize_width(text: str) -> str:
    return text.translate(_WIDTH) if _WIDE.search(text) else text


def _neighbour(text: str, i: int, step: int) -> str:
    j = i + step
    while 0 <= j < len(text) and text[j] in " \t":
        j += step
    return text[j] if 0 <= j < len(text) else ""


def _quotes(text: str, q: str, open_: str, close: str) -> str:
    if q not in text or not _CJK_RE.search(text):
        return text
    parts = []
    opened = text.count(open_) > text.count(close)
    for i, ch in enumerate(text):
        if ch != q:
            parts.append(ch)
            continue
        prev, nxt = _neighbour(text, i, -1), _neighbour(text, i, 1)
        if q == "'" and prev.isascii() and prev.isalnum() and nxt.isascii() and nxt.isalnum():
            parts.append(ch)  # a Latin apostrophe (don't)
            continue
        parts.append(close if opened else open_)
        opened = not opened
    return "".join(parts)


def normalize_punct(text: str) -> str:
    """Half-width punctuation and quotes -> Chinese forms, only where the context is Chinese."""
    text = _normalize_width(text)
    if not _CJK_RE.search(text):
        return text
    text = _quotes(text, '"', "“", "”")
    text = _quotes(text, "'", "‘", "’")
    text = _PAREN.sub(_paren, text)
    if not _HALF_MARK.search(text):
        return text
    while True:  # a run such as ",,一" converts from the Chinese side inwards
        new = _convert_marks(text)
        if new == text:
            return text
        text = new


def _convert_marks(text: str) -> str:
    out: list[str] = []
    n = len(text)
    for i, ch in enumerate(text):
        if ch in _HALF or ch == ".":
            prev, nxt = _neighbour(text, i, -1), _neighbour(text, i, 1)
            done = "".join(out[-3:]).rstrip(" \t")
            prev = done[-1] if done else prev  # already converted: "一,," -> "一，，"
            if ch == ".":
                if prev and is_cjk(prev) and (not nxt or is_cjk(nxt) or nxt in "“”"):
                    out.append("。")
                    continue
            elif prev.isdigit() and nxt.isdigit() and ch in ",:":
                pass  # 1,000 / 10:30
            elif (prev and _tight(prev)) or (nxt and _tight(nxt) and not (ch == ":" and nxt == "/")):
                out.append(_HALF[ch])
                continue
            elif ch == ":" and i + 1 < n and text[i + 1] == "/":
                pass
        out.append(ch)
    return "".join(out)


def _paren(m: re.Match) -> str:
    inner = m.group(1)
    before = m.string[m.start() - 1] if m.start() else ""
    if _CJK_RE.search(inner) or (before and is_cjk(before)):
        return f"（{inner}）"
    return m.group(0)


_PROSE_GAP = re.compile(f"(?<=[{CJK}{CJK_PUNCT}]) (?=[{CJK}{CJK_PUNCT}0-9])|(?<=[0-9]) (?=[{CJK}{CJK_PUNCT}])")
_PUNCT_GAP = re.compile(f"(?<=[{CJK_PUNCT}]) | (?=[{CJK_PUNCT}])")  # beside punctuation, never between words
_LETTER_SPACED = re.compile(f"(?<![^ ])[{CJK}](?: [{CJK}])+(?![^ ])")
# one Chinese character standing alone after a word is a broken-off last syllable (茌平 区 -> 茌平区)
_LONE_TAIL = re.compile(f"(?<=[{CJK}]{{2}}) (?=[{CJK}](?: |$))")


def fix_spaces(text: str, prose: bool = True) -> str:
    """Remove spaces the extraction put inside Chinese text.

    prose=True: drop every space between two Chinese characters/punctuation marks, or between
    Chinese and a digit; keep spaces next to Latin words (``App``) and between digits.
    prose=False (headlines, bylines): keep word gaps, but undo letter-spacing
    (``聊 城 实 践`` -> ``聊城实践``, ``高 田`` -> ``高田``) and drop spaces beside punctuation.
    """
    text = _SPACES.sub(" ", text).strip()
    if " " not in text:
        return text
    if not prose:
        text = _LETTER_SPACED.sub(lambda m: m.group(0).replace(" ", ""), text)
        text = _LONE_TAIL.sub("", text)
    return (_PROSE_GAP if prose else _PUNCT_GAP).sub("", text)


def is_prose(text: str) -> bool:
    """Long or punctuated text (a body paragraph) as opposed to a headline/byline-shaped line."""
    t = fold(text)
    n = len(t.replace(" ", ""))
    if n > 45:
        return True
    stops = sum(t.count(c) for c in ",;.!?、")
    return ends_sentence(text) or stops >= 2


def clean_line(text: str, prose: bool | None = None) -> str:
    """Clean one paragraph or line: punctuation first (it needs the spaces as context), then spaces."""
    if prose is None:
        prose = is_prose(text)
    return fix_spaces(normalize_punct(text), prose=prose)


def join_pair(a: str, b: str) -> str:
    """Join two fragments of one sentence (no space, except between two Latin words)."""
    a, b = a.rstrip(), b.lstrip()
    if a and b and a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalpha():
        return f"{a} {b}"
    return a + b


_INDENTED = re.compile(r"^[ \u3000▶●◆■□]")


def starts_new(line: str) -> bool:
    """A line that opens a paragraph whatever came before (indent, label, bullet)."""
    return bool(line[:1] in (" ", "\u3000", "▶", "●", "◆", "■", "□") or _LABEL.match(line))


def join_lines(lines: list[str], paragraph_lines: bool = False) -> list[str]:
    """Join the lines of one chunk (no blank lines inside) into paragraphs.

    Hard-wrapped column text: a line break is a paragraph end only when the line ends a sentence
    AND is clearly shorter than the chunk's column width, or when the next line is indented or
    labelled -- a label (``X：``) only after a line that does not run on: a full line broken
    mid-sentence goes on into the next even when it reads ``两 / 袋复合肥：“…``. ``paragraph_lines`` (a page whose lines are whole paragraphs): every line that ends a
    sentence, or that is too short to be prose (a headline set without blank lines), ends its
    paragraph; only an unfinished line of prose runs on.
    """
    lines = [ln.rstrip() for ln in lines if ln.strip()]
    if not lines:
        return []
    width = max(len(ln.strip()) for ln in lines)
    paras = [lines[0].strip()]
    opened = True  # did ``prev`` open a paragraph (the chunk's first line does)?
    for prev, ln in zip(lines, lines[1:]):
        if paragraph_lines:
            cut = starts_new(ln) or ends_sentence(prev) or not is_prose(prev)
        else:
            full = len(prev.strip()) >= 0.85 * width and not ends_sentence(prev)  # wrapped mid-sentence
            cut = (starts_new(ln) and not (full and not _INDENTED.match(ln) and _LABEL.match(ln))) \
                or (ends_sentence(prev) and len(prev.strip()) < 0.85 * width) \
                or (opened and _head_shaped(prev, width)) \
                or _CREDITED_END.search(prev.strip()) is not None  # …。（记者 X）: the story ends there
        opened = cut
        if cut or len(lines) == 1:
            paras.append(ln.strip())
        else:
            paras[-1] = join_pair(paras[-1], ln)
    return paras


_CREDITED_END = re.compile(r"[。！？][”’」]?[(（][^()（）]{2,30}[)）]$")


def _head_shaped(line: str, width: int) -> bool:
    """A short line (under 0.85 of the column) with no punctuation inside that starts a paragraph but
    does not end a sentence: wrapped lines fill their column, so it is a line of its own (a headline)."""
    s = line.strip()
    bare = re.sub(r"“[^“”]{1,12}”", "", s)  # a quoted word (有了“身份证”) is headline language; a quote left open is not
    return 4 <= len(s) < 0.85 * width and width >= 12 and not re.search(r"[，,。；;：:、“”\"（）()]", bare) \
        and not ends_sentence(s)


# a paragraph that opens a sentence of its own (此前，… / 近日，…): after a paragraph that lost its
# full stop (…的生动写照), a new paragraph, not the rest of a sentence broken by a column
_FRESH = re.compile(r"^(?:此前|此后|此後|近日|日前|目前|当前|今年|去年|如今|同时|同時|此外|另外|随后|隨後|据悉|據悉|"
                    r"据了解|据介绍|与此同时|近年来|近年來|截至目前|下一步)[，,]")


def continues(prev: str, nxt: str) -> bool:
    """Should paragraph ``nxt`` (after a blank line) be glued to ``prev``? (column break)"""
    return bool(prev and nxt) and not ends_sentence(prev) and is_prose(prev) and is_prose(nxt) \
        and not starts_new(nxt) and not _FRESH.match(nxt.lstrip())


def merge_broken(paras: list[str]) -> list[str]:
    out: list[str] = []
    for p in paras:
        if out and continues(out[-1], p):
            out[-1] = clean_line(join_pair(out[-1], p), prose=True)
        else:
            out.append(p)
    return out


def dedupe(paras: Iterable[str], min_len: int = 12) -> list[str]:
    """Drop paragraphs that repeat (or are contained in) another one; the first/longer stays."""
    paras = list(paras)
    keys = [key(p) for p in paras]
    seen: set[str] = set()
    counts = Counter(keys)
    blob = "\x00".join(keys)
    out = []
    for p, k in zip(paras, keys):
        if len(k) >= min_len:
            if k in seen:
                continue
            if blob.count(k) > counts[k]:  # contained in a longer paragraph
                continue
            seen.add(k)
        out.append(p)
    return out


def clean_paragraphs(text: str) -> list[str]:
    """Text -> clean paragraphs (Markdown stripped, breaks repaired, repeats dropped)."""
    chunks: list[list[str]] = [[]]
    for raw in strip_controls(text.replace("\r\n", "\n")).split("\n"):
        line, _ = strip_markdown(raw)
        if line.strip():
            chunks[-1].append(line)
        elif chunks[-1]:
            chunks.append([])
    paras = [clean_line(p) for c in chunks for p in join_lines(c)]
    paras = [p for p in paras if p]
    while True:
        new = dedupe(merge_broken(dedupe(paras)))
        if new == paras:
            return paras
        paras = new


def clean_text(text: str) -> str:
    """Clean arbitrary extracted text; paragraphs separated by a blank line. Idempotent: markup
    nested in markup (``**## 一``: bold around a heading marker) shows a new layer once the outer
    one is gone, so the cleaning runs until its output stops changing (twice for ordinary text)."""
    out = "\n\n".join(clean_paragraphs(text))
    for _ in range(8):
        again = "\n\n".join(clean_paragraphs(out))
        if again == out:
            break
        out = again
    return out

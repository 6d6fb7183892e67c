"""Input formats -> :class:`~digest.reading.lines.Document`.

Real pipelines hand us pages in many shapes; each becomes the same list of lines with layout
features, and the markup itself never reaches the text:

* plain dumps (``pdftotext`` without ``-layout``, OCR text): form feeds (``\\f``) start a new
  physical page; blank lines are kept as ``blank_before``;
* ``pdftotext -layout``: indentation in columns, centred lines (``centred``);
* Markdown from converters and crawlers: ``#`` headings (indented too), ``**bold**`` lines,
  ``> `` block quotes, images, links, list bullets, rules, stray HTML tags (``<div><img …></div>``);
* HTML: block elements become lines, ``<h1>``–``<h6>`` heading levels, ``<nav>``/``<header>``/
  ``<footer>``/``<script>`` and friends are furniture;
* YAML front matter (``---`` … ``---``): its ``title``/``date``/``paper`` fields go to ``meta``;
* field-labelled e-paper text exports (``标题：`` / ``作者：`` / ``正文：`` …, format ``export``):
  rewritten as a plain page by :mod:`digest.reading.exports`;
* web copies whose paragraphs are glued into one line (by ``　　`` or by a space after a sentence
  end) are split back into paragraphs;
* characters: half-width ``｡ ､ ｢ ｣`` (U+FF61–FF64) become 。、「」, look-alike radicals become the
  ordinary characters (:func:`digest.reading.chars.repair_chars`).

Line numbers (``Line.no``) are 1-based numbers of the source file's lines (split on ``\\n``), so a
label can always be traced back to the file.
"""
from __future__ import annotations

import dataclasses
import html
import re
from html.parser import HTMLParser

from .chars import repair_chars
from .exports import from_export, is_export
from .lines import Document, Line

_HALFWIDTH = str.maketrans({"｡": "。", "､": "、", "｢": "「", "｣": "」"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff]")
_MD_HEAD = re.compile(r"^[ \t\u3000\u00a0]*(#{1,6})[ \t\u3000\u00a0]+(?:#{1,6}[ \t\u3000\u00a0]+)*")
_MD_QUOTE = re.compile(r"^[ \t\u3000]*>[ \t\u3000]?")
_MD_BOLD_LINE = re.compile(r"^(\*\*|__)(.+?)\1$")
# a line that is nothing but 【…】: some papers set every headline so; genre words in 【】 (讯, 编者按,
# 记者手记, 图片新闻, 链接 …) are labels, ledes and notes, not headlines
_ENCLOSED = re.compile(r"^【([^【】]{2,40})】$")
# a line between the same ornaments (〓天气转暖 过敏性鼻炎患者增多〓, ★…★, ◆◆…◆◆): set apart like 【…】
_ORNAMENTED = re.compile(r"^([〓★☆◆◇◎※❖✦✧✿❀♦～~]{1,3})\s*([^〓★☆◆◇◎※❖✦✧✿❀♦～~]{2,40}?)\s*\1$")
_ENCLOSED_GENRE = re.compile(r"(讯|訊|消息|电|電|按|的话|的話|手记|手記|说法|說法|链接|鏈接|背景|贴士|貼士|阅读|閱讀|"
                             r"新闻|新聞|图说|圖說|观察|觀察|提示|快讯|简讯|速览|导读|视点|时评|评论|短评|随笔)$")
_MD_BOLD = re.compile(r"\*\*(.*?)\*\*")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:https?:|/|\.|#)[^)]*\)")
_MD_BULLET = re.compile(r"^[ \t\u3000]*[-*+][ \t]+(?=\S)")
_MD_RULE = re.compile(r"^[ \t]*([-*_=])[ \t]*(?:\1[ \t]*){2,}$")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_URL_ONLY = re.compile(r"^\s*(https?://|www\.)\S+\s*$")
_EMPTY_LINK = re.compile(r"\[\s*\]\([^)]*\)")
_ITALIC_LINE = re.compile(r"^\*([^*\s][^*]*[^*\s])\*$|^_([^_\s][^_]*[^_\s])_$")
_CONVERTER = re.compile(r"^(Title|URL Source|Markdown Content|Published Time|Source|Description|Author)\s*:\s*(.*)$")
_URL_DATE = re.compile(r"(?<!\d)(20\d{2})[-_/]?(0[1-9]|1[0-2])[-_/]?(0[1-9]|[12]\d|3[01])(?!\d)")
_HTML_DOC = re.compile(r"<(p|div|h[1-6]|br|li|td|span|section|article|body|html)\b", re.I)
_JOINT_IDEO = re.compile("\u3000\u3000(?=\\S)")
_JOINT_SPACE = re.compile("(?:(?<=[。！？!?])|(?<=[。！？!?][”’」』]))[ \u3000](?=[\u3400-\u9fff“‘「『（(《【■●▶0-9])")
_STRAY_SPACE = re.compile("(?<=[\u3400-\u9fff，、,])[ ](?=[\u3400-\u9fff])")
_YAML_FIELD = re.compile(r"^[A-Za-z_][\w-]*\s*:")


def _width(ws: str) -> int:
    return sum(2 if ch == "\u3000" else 4 if ch == "\t" else 1 for ch in ws)


_ODD_CHARS = re.compile("[\uff61-\uff64\u2e80-\u2fdf\u31c0-\u31ef\uf900-\ufaff\u301c\U0002f800-\U0002fa1f]")


_OCR_DAY = re.compile(r"(?<=\d月)(\d{1,2})曰")  # OCR reads 日 as 曰: 5月19曰 (曰 never follows a day number)


def repair_characters(text: str) -> str:
    """Half-width ideographic punctuation and look-alike radicals -> the ordinary characters; a
    date's 日 that OCR read as 曰."""
    if "曰" in text:
        text = _OCR_DAY.sub(r"\1日", text)
    if not _ODD_CHARS.search(text):
        return text
    return repair_chars(text.translate(_HALFWIDTH))


def to_document(text: str, source: str = "") -> Document:
    """Turn a page's decoded text into a Document (see the module docstring for the formats)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    raw = text.split("\n")
    meta, start = _front_matter(raw)
    stray = False
    if _looks_html(raw):
        lines = _HtmlLines.parse(text)
        fmt = "html"
    else:
        lines, fmt, stray = _text_lines(raw, start)
        if is_export(lines):
            lines, fmt = from_export(lines, meta), "export"
    if start:
        lines.insert(0, Line("---", 1, furniture="YAML front matter (title/date read into the page's metadata)"))
    lines = _converter_header(lines, meta)
    return Document(tuple(lines), fmt, source, meta, stray_spaces=stray)


def _converter_header(lines: list[Line], meta: dict) -> list[Line]:
    """A web-to-Markdown converter's header (``Title:``, ``URL Source:``, ``Published Time:``,
    ``Markdown Content:``) is furniture; the page's URL and time go to the metadata (an e-paper's URL
    carries its issue date: ``…/html/2024-06/21/node_3.htm``)."""
    out = []
    for n, ln in enumerate(lines):
        m = _CONVERTER.match(ln.text.strip()) if n < 8 else None
        if m is None:
            out.append(ln)
            continue
        field, value = m.group(1).lower(), m.group(2).strip()
        if field == "published time" and value:
            meta.setdefault("date", value)
        elif field == "url source" and value:
            meta.setdefault("url", value)
            d = _URL_DATE.search(value)
            if d:
                meta.setdefault("date", "-".join(d.groups()))
        out.append(Line(**{**ln.__dict__, "furniture": "converter header (Title:, URL Source: …)"}))
    return out


# -- YAML front matter -------------------------------------------------------------------------

def _front_matter(raw: list[str]) -> tuple[dict, int]:
    """(fields, number of lines it takes) for a leading ``---`` block of ``key: value`` lines."""
    if not raw or raw[0].strip() != "---":
        return {}, 0
    for i in range(1, min(len(raw), 60)):
        if raw[i].strip() in ("---", "..."):
            body = raw[1:i]
            if not any(_YAML_FIELD.match(b) for b in body):
                return {}, 0
            try:
                import yaml

                data = yaml.safe_load("\n".join(body))
            except Exception:  # noqa: BLE001 - malformed front matter is just not metadata
                data = None
            if not isinstance(data, dict):
                data = {}
            return {str(k).lower(): v for k, v in data.items()}, i + 1
    return {}, 0


# -- text formats --------------------------------------------------------------------------------

def _looks_html(raw: list[str]) -> bool:
    head = "\n".join(raw[:5]).lstrip().lower()
    if head.startswith(("<!doctype html", "<html")):
        return True
    nonblank = [r for r in raw if r.strip()]
    tagged = sum(1 for r in nonblank if _HTML_DOC.search(r))
    return len(nonblank) >= 3 and tagged >= max(3, 0.5 * len(nonblank))


def _text_lines(raw: list[str], start: int) -> tuple[list[Line], str, bool]:
    # a space after a sentence end joins two paragraphs of a web copy only when the page has no
    # stray spaces elsewhere (an extraction that scatters spaces also puts them after a full stop)
    sample = re.sub(r"[（(][^（）()]{0,40}[）)]", "", "\n".join(r for r in raw[start:] if len(r.strip()) >= 60))
    strays = len(_STRAY_SPACE.findall(sample))
    spaces_join = strays <= 0.2 * len(_JOINT_SPACE.findall(sample))
    lines: list[Line] = []
    page, blanks = 1, 0
    markdown = layout_votes = glued = 0
    ornamented: list[int] = []  # lines set between ornaments (〓…〓)
    for idx in range(start, len(raw)):
        no = idx + 1
        s = raw[idx]
        if "\f" in s:
            page += s.count("\f")
            s = s.replace("\f", "")
        s = repair_characters(_CONTROL.sub("", s))
        if _MD_RULE.match(s) and set(s.strip()) <= set("-*_"):
            blanks += 1
            continue
        if not s.strip():
            blanks += 1
            continue
        bold = quote = False
        level = 0
        furniture = ""
        m = _MD_HEAD.match(s)
        if m and s[m.end():].strip("# \t\u3000"):
            level = len(m.group(1))
            s = s[m.end():].rstrip().rstrip("#").rstrip()
            markdown += 1
        q = _MD_QUOTE.match(s)
        if q:
            quote = True
            s = s[q.end():]
            markdown += 1
        if "<" in s and _TAG.search(s):
            s = html.unescape(_TAG.sub("", s))
            if not s.strip():
                furniture = "markup only (HTML tags left by a converter)"
        if "](" in s:
            s, images = _MD_IMAGE.subn("", s)
            s = _MD_LINK.sub(r"\1", s)
            s = _EMPTY_LINK.sub("", s)
            if not s.strip() and not furniture:  # a picture is transparent to the story it sits in
                furniture = "image only (converter markup)" if images else "link only (converter markup)"
            markdown += 1
        if _URL_ONLY.match(s):
            furniture = furniture or "a bare web address"
        b = _MD_BULLET.match(s)
        if b:
            s = s[b.end():]
        stripped = s.strip()
        im = _ITALIC_LINE.match(stripped)
        if im:  # a line set in italics (a caption, as converters mark it)
            stripped = (im.group(1) or im.group(2)).strip()
        bm = _MD_BOLD_LINE.match(stripped)
        if bm:
            bold = True
            stripped = bm.group(2).strip()
            markdown += 1
        elif "**" in stripped:
            stripped = _MD_BOLD.sub(r"\1", stripped).replace("**", "")
        inner = _enclosed(stripped)
        inside = not blanks and lines and len(inner or "") <= 8 and re.search(r"[。！？”]$", lines[-1].text.strip())
        if inner and not inside and not _ENCLOSED_GENRE.search(inner) and not re.search(r"[。；]", inner):
            bold, stripped = True, inner.strip()  # 【headline】, 〓headline〓: a marked line, like **bold**
            if _ORNAMENTED.match(s.strip()):
                ornamented.append(len(lines))
        indent = _width(s[:len(s) - len(s.lstrip(" \t\u3000"))])
        if indent >= 4 or re.search(r"\S {3,}\S", stripped):
            layout_votes += 1
        pieces = _split_glued(stripped, spaces_join)
        glued += len(pieces) > 1
        for k, piece in enumerate(pieces):
            lines.append(Line(piece, no, page=page, blank_before=blanks if k == 0 else 1, indent=indent if k == 0 else 0,
                              heading=level, bold=bold, quote=quote, furniture=furniture))
        blanks = 0
    if len(ornamented) >= 2:  # the page marks its headlines so: they are its top-level headings
        for k in ornamented:
            lines[k] = dataclasses.replace(lines[k], heading=1)
    nonblank = len(lines) or 1
    if markdown and markdown >= 2:
        fmt = "markdown"
    elif glued:
        fmt = "web"
    elif layout_votes >= 0.3 * nonblank:
        fmt = "layout"
    else:
        fmt = "plain"
    if fmt == "layout":
        lines = _mark_centred(_split_columns(lines))
    return lines, fmt, strays >= 3 and not spaces_join


def _enclosed(line: str) -> str | None:
    """The text of a line set between brackets or ornaments (【…】, 〓…〓, ★…★), else None."""
    m = _ENCLOSED.match(line)
    if m:
        return m.group(1)
    m = _ORNAMENTED.match(line)
    return m.group(2) if m else None


def _split_glued(text: str, spaces: bool = True) -> list[str]:
    """Split a web copy's one-line body back into paragraphs: at ``　　``, and (when ``spaces``)
    at a space after a sentence end. Short lines come back whole."""
    if len(text) < 120:
        return [text]
    parts = _JOINT_IDEO.split(text)
    if spaces:
        parts = [q for p in parts for q in _JOINT_SPACE.split(p)]
    parts = [p.strip() for p in parts if p.strip()]
    return parts if len(parts) > 1 else [text]


_GAP = re.compile(r"(?<=\S)[ \u3000]{3,}(?=\S)")


def _split_columns(lines: list[Line]) -> list[Line]:
    """``pdftotext -layout`` of a page set in columns puts two columns side by side on each line.
    Where most lines of a block have a wide gap before the same character cell, the block is read
    as two columns: the left one down, then the right one (line numbers kept)."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        j = i + 1
        while j < len(lines) and not lines[j].blank_before and lines[j].page == lines[i].page:
            j += 1
        block = lines[i:j]
        out.extend(_two_columns(block) if len(block) >= 3 else block)
        i = j
    return out


def _two_columns(block: list[Line]) -> list[Line]:
    starts: list[int | None] = []
    for ln in block:
        m = None
        for g in _GAP.finditer(ln.text):
            m = g  # the last wide gap: the start of the right-hand column
        # pdftotext lays text out on a grid of character cells: count characters, not display width
        starts.append(ln.indent + len(ln.text[:m.end()]) if m else None)
    found = sorted(x for x in starts if x is not None)
    if len(found) < max(3, 0.6 * len(block)):
        return block
    col = found[len(found) // 2]
    if sum(1 for x in found if abs(x - col) <= 4) < 0.6 * len(block):
        return block
    left, right = [], []
    for ln, start in zip(block, starts):
        if start is not None and abs(start - col) <= 4:
            cut = max(g.start() for g in _GAP.finditer(ln.text))
            left.append(Line(**{**ln.__dict__, "text": ln.text[:cut].rstrip()}))
            right.append(Line(**{**ln.__dict__, "text": ln.text[cut:].strip(), "indent": 0, "blank_before": 0}))
        elif ln.indent >= col - 4:
            right.append(Line(**{**ln.__dict__, "indent": 0, "blank_before": 0}))
        else:
            left.append(ln)
    return left + right  # the right column goes on where the left one stops (no break between them)


def _mark_centred(lines: list[Line]) -> list[Line]:
    """``pdftotext -layout``: a line set well right of the paragraph indent is centred (headline,
    masthead) or right-aligned (a credit); mark it so the labeller can use it."""
    indents = sorted(ln.indent for ln in lines if ln.indent and len(ln.text) > 8)
    para = indents[len(indents) // 4] if indents else 4
    out = []
    for ln in lines:
        if ln.indent >= max(8, para + 6):
            ln = Line(**{**ln.__dict__, "centred": True})
        out.append(ln)
    return out


# -- HTML ------------------------------------------------------------------------------------------

_BLOCK = {"p", "div", "li", "tr", "section", "article", "blockquote", "figcaption", "figure", "dd", "dt",
          "table", "ul", "ol", "main", "center", "td", "th", "pre", "caption"}
_HEAD = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_SKIP = {"script", "style", "noscript", "template", "svg", "head"}
_FURNITURE = {"nav": "HTML <nav> (site menu)", "header": "HTML <header> (site banner)",
              "footer": "HTML <footer>", "aside": "HTML <aside> (sidebar of the web page)",
              "form": "HTML <form>", "button": "HTML <button>", "select": "HTML <select>", "menu": "HTML <menu>"}


class _HtmlLines(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[Line] = []
        self.buf: list[str] = []
        self.no = 1
        self.heading = 0
        self.bold_depth = 0
        self.bold_chars = self.plain_chars = 0
        self.skip = 0
        self.furniture: list[str] = []
        self.quote = 0
        self.blank = 1

    @classmethod
    def parse(cls, text: str) -> list[Line]:
        p = cls()
        p.feed(text)
        p.close()
        p._flush()
        return p.lines

    def _flush(self) -> None:
        s = repair_characters(_CONTROL.sub("", " ".join("".join(self.buf).split())))
        bold = self.bold_chars > 0 and self.plain_chars == 0
        self.buf, self.bold_chars, self.plain_chars = [], 0, 0
        if s:
            reason = self.furniture[-1] if self.furniture else ""
            for k, piece in enumerate(_split_glued(s)):
                self.lines.append(Line(piece, self.no, blank_before=self.blank if k == 0 else 1,
                                       heading=self.heading, bold=bold, quote=bool(self.quote), furniture=reason))
            self.blank = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skip += 1
            return
        if tag in _FURNITURE:
            self._flush()
            self.furniture.append(_FURNITURE[tag])
        if tag == "br":
            self._flush()
            return
        if tag in _BLOCK or tag in _HEAD:
            self._flush()
            self.blank = 1
            self.no = self.getpos()[0]
        if tag in _HEAD:
            self.heading = _HEAD[tag]
        if tag in ("b", "strong"):
            self.bold_depth += 1
        if tag == "blockquote":
            self.quote += 1

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if tag in _BLOCK or tag in _HEAD:
            self._flush()
        if tag in _HEAD:
            self.heading = 0
        if tag in ("b", "strong"):
            self.bold_depth = max(0, self.bold_depth - 1)
        if tag == "blockquote":
            self.quote = max(0, self.quote - 1)
        if tag in _FURNITURE and self.furniture:
            self._flush()
            self.furniture.pop()

    def handle_data(self, data):
        if self.skip:
            return
        n = len("".join(data.split()))
        if n:
            if not "".join(self.buf).strip():
                self.no = self.getpos()[0]
            if self.bold_depth:
                self.bold_chars += n
            else:
                self.plain_chars += n
        self.buf.append(data)

"""Render a Digest into an e-mail: subject, inlined HTML and display-width-wrapped plain text.

HTML comes only from the Jinja2 templates in templates/ (autoescaped); premailer then moves the
CSS into style="" attributes for mail clients that drop <style>, keeping the @media rules
(responsive layout, dark mode) in a <style> block.

Premailer 3.10 quirks handled here (see _inline):
  * a lowercase ``<!doctype html>`` is silently dropped, so templates use ``<!DOCTYPE html>`` and the
    output is checked and, if need be, given the doctype back;
  * rules kept in <style> (@media, :root, :hover) get ``!important`` appended, which is what lets
    the dark-mode rules beat the inlined colours; the base rules are therefore written without it;
  * ``&nbsp;`` comes out as a raw U+00A0, so templates avoid it;
  * cssutils warns about e-mail-only properties (mso-*, -webkit-*), so its logging is silenced.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from premailer import Premailer
from wcwidth import wcwidth

from . import templates_dir
from .config import Settings
from .headline import headline
from .models import Digest, DigestItem, Rendered, Trend

log = logging.getLogger(__name__)

TEMPLATES = templates_dir()  # repository templates/, or digest/templates/ in a wheel
TEXT_WIDTH = 72
HTML_LIMIT = 100 * 1024  # bytes of HTML; Gmail clips messages whose HTML exceeds ~102 KB
KIND_LABELS = {"news": "消息", "interview": "访谈", "commentary": "评论", "report_excerpt": "报告摘编",
               "notice": "公告", "photo_caption": "图片新闻"}

# Size-guard levels for the lower sections: (items shown per section, titles only).
# Level 0 is the full digest; each further level is tried only while the HTML is too big.
_LEVELS: tuple[tuple[int | None, bool], ...] = (
    (None, False), (12, False), (8, False), (5, False), (8, True), (5, True), (3, True), (1, True), (0, True),
)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


# -- text helpers -----------------------------------------------------------------------------
def one_line(value: Any) -> str:
    """A string with every control character and line break turned into a single space."""
    text = _CONTROL.sub(" ", str(value or "")).replace("\n", " ")
    return re.sub(r"\s{2,}", " ", text).strip()


_WIDTHS: dict[str, int] = {}


def char_width(ch: str) -> int:
    w = _WIDTHS.get(ch)
    if w is None:
        w = _WIDTHS[ch] = max(0, wcwidth(ch))
    return w


def display_width(text: str) -> int:
    """Terminal/mono-font columns: a CJK character takes two."""
    if text.isascii() and text.isprintable():
        return len(text)
    get = _WIDTHS.get
    total = 0
    for ch in text:
        w = get(ch)
        total += char_width(ch) if w is None else w
    return total


# Closing punctuation must not start a line, opening punctuation must not end one (禁则).
_NO_START = set("，。、；：？！）」』】》〉”’…—·%,.;:?!)]}")
_NO_END = set("（「『【《〈“‘([{")


def _tokens(text: str) -> list[str]:
    """Break opportunities: a run of spaces, a run of narrow non-space chars (a Latin word or
    number), or one wide char. Punctuation is glued to its neighbour so no line starts with 。"""
    raw: list[str] = []
    for m in re.finditer(r"\s+|[^\s]", text):
        piece = m.group()
        if piece.isspace():
            raw.append(" ")
        elif char_width(piece) < 2 and raw and raw[-1] != " " and char_width(raw[-1][-1]) < 2 \
                and raw[-1][-1] not in _NO_START:
            raw[-1] += piece
        else:
            raw.append(piece)
    out: list[str] = []
    for tok in raw:
        if out and tok != " " and out[-1] != " " and (tok[0] in _NO_START or out[-1][-1] in _NO_END):
            out[-1] += tok
        else:
            out.append(tok)
    return out


def wrap(text: Any, width: int = TEXT_WIDTH, indent: str = "", subsequent: str = "") -> str:
    """Wrap by display width (wcwidth), paragraph by paragraph; over-long tokens are split."""
    lines: list[str] = []
    for para in str(text or "").split("\n"):
        para = _CONTROL.sub(" ", para).strip()
        prefix, line, cur, space = indent, "", display_width(indent), False
        for tok in _tokens(para):
            if tok == " ":
                space = bool(line)
                continue
            w = display_width(tok)
            need = w + (1 if space else 0)
            if line and cur + need > width:
                lines.append(prefix + line)
                prefix, line, cur, space, need = subsequent, "", display_width(subsequent), False, w
            while cur + need > width and not line:  # a token longer than a whole line
                room, cut = width - cur, 0
                while cut < len(tok) and display_width(tok[:cut + 1]) <= room:
                    cut += 1
                cut = max(cut, 1)
                lines.append(prefix + tok[:cut])
                tok = tok[cut:]
                prefix, cur = subsequent, display_width(subsequent)
                need = w = display_width(tok)
                if not tok:
                    break
            if tok:
                line += (" " if space else "") + tok
                cur += need
            space = False
        lines.append(prefix + line)
    return "\n".join(lines)


def underline(text: Any, char: str = "=") -> str:
    title = one_line(text)
    return f"{title}\n{char * max(1, display_width(title))}"


def safe_url(url: Any) -> str:
    """The URL if it is http(s) or mailto, else "" (autoescape does not stop javascript:)."""
    url = one_line(url)
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return ""
    return url if scheme in ("http", "https", "mailto") else ""


class _Links:
    """Numbers the links of the plain text in reading order: link(url) -> " [n]"."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str | None) -> str:
        if not url:
            return ""
        if url not in self.urls:
            self.urls.append(url)
        return f" [{self.urls.index(url) + 1}]"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters.update(wrap=wrap, underline=underline)
    return env


# -- view model ---------------------------------------------------------------------------------
def edition(digest: Digest) -> str:
    return "每日摘要" if digest.start == digest.end else "摘要"


def subject_for(digest: Digest) -> str:
    """One line, whatever the publication contains: CR/LF can never start a new header."""
    return one_line(f"{digest.publication} {edition(digest)} {digest.date_label}")


def _clip(text: str, limit: int) -> str:
    text = one_line(text)
    return text if len(text) <= limit else text[: max(1, limit - 1)].rstrip() + "…"


def _item(item: DigestItem, anchor: str) -> dict[str, Any]:
    art, summ = item.article, item.summary
    meta = [KIND_LABELS.get(art.kind, "")] if art.kind != "news" else []
    if art.byline:
        meta.append(art.byline)
    meta.append(f"{item.stored.issue_date.isoformat()} 第{art.page}版")
    # An untitled article's title is already the opening of its body: do not repeat it.
    # one whole sentence, never a clipped one: the short summary, else the first summary sentence
    first = summ.short or (summ.sentences[0] if summ.sentences else "")
    head = headline(art)
    return dict(
        anchor=anchor, title=one_line(head.main) or "（无标题）", url=safe_url(item.url),
        kickers=[one_line(k) for k in head.kickers], subtitles=[one_line(t) for t in head.subtitles],
        meta=" · ".join(m for m in meta if m), sentences=[one_line(s) for s in summ.sentences],
        keywords=[one_line(k) for k in summ.keywords if one_line(k)],
        repeats=[one_line(r) for r in item.repeats], line=one_line(first),
    )


# Stands for the reader's own unsubscribe token in the stored message; digest.mailmerge puts each
# reader's token in its place when the message is sent (so the outbox .eml is the template).
UNSUBSCRIBE_PLACEHOLDER = "UNSUBSCRIBE_TOKEN"


def personal_unsubscribe_url(settings: Settings) -> str:
    """{DIGEST_WEB_URL or DIGEST_BASE_URL}/unsubscribe/UNSUBSCRIBE_TOKEN, or "" when neither is set."""
    public = getattr(settings, "public_url", "")
    return f"{public}/unsubscribe/{UNSUBSCRIBE_PLACEHOLDER}" if public else ""


def _unsubscribe(settings: Settings) -> list[dict[str, Any]]:
    """The footer's 退订 links: the reader's own one-click page first (when `digest web` is
    reachable), then the DIGEST_UNSUBSCRIBE addresses (its https: ones only without a personal link)."""
    personal = personal_unsubscribe_url(settings)
    out = [dict(href=personal, mailto=False, label=personal)] if personal else []
    for part in re.split(r"[,\s]+", settings.unsubscribe or ""):
        href = safe_url(part.strip("<>"))
        if href and not (personal and not href.lower().startswith("mailto:")):
            mailto = href.lower().startswith("mailto:")
            out.append(dict(href=href, mailto=mailto, label=href[7:].split("?")[0] if mailto else href))
    return out


def date_zh(day: dt.date, year: bool = True, month: bool = True) -> str:
    """2025年3月26日 (or 3月26日, 26日 without the year or month)."""
    return (f"{day.year}年" if year else "") + (f"{day.month}月" if month or year else "") + f"{day.day}日"


def range_zh(start: dt.date, end: dt.date) -> str:
    """A date range named as a reader says it: 2025年3月26日, 2025年3月, 2025年, 2025年3月20日至26日,
    2025年3月20日至4月2日, 2024年12月28日至2025年1月3日."""
    if start == end:
        return date_zh(start)
    if start.day == 1 and (end + dt.timedelta(days=1)).day == 1:
        if start.month == 1 and end.month == 12 and start.year == end.year:
            return f"{start.year}年"
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.year}年{start.month}月"
    if start.year != end.year:
        return f"{date_zh(start)}至{date_zh(end)}"
    return f"{date_zh(start)}至{date_zh(end, year=False, month=start.month != end.month)}"


def percent(share: float) -> str:
    """A share 0..1 as a whole percentage; a share above 0 never shows as 0% (<1%)."""
    if 0 < share < 0.005:
        return "<1%"
    return f"{share:.0%}"


def trending_view(digest: Digest) -> dict[str, Any] | None:
    """Heading (named after the range), the two parts compared and each keyword's shares, or None."""
    if not digest.trending or digest.trend_since is None:
        return None
    since = digest.trend_since
    recent, earlier = range_zh(since, digest.end), range_zh(digest.start, since - dt.timedelta(days=1))
    terms: list[Trend] = list(digest.trending)
    return dict(
        heading=f"{range_zh(digest.start, digest.end)}上升关键词",
        note=f"近期（{recent}）提到该词的文章占比；括号内为此前（{earlier}）的占比。",
        terms=[dict(word=one_line(t.keyword), recent=percent(t.recent_share), earlier=percent(t.earlier_share),
                    counts=f"{t.recent}/{t.recent_total} 篇，此前 {t.earlier}/{t.earlier_total} 篇") for t in terms],
    )


def _all_items(digest: Digest, settings: Settings) -> tuple[list[dict], list[list[dict]]]:
    """Template values of every item, computed once however many shortening levels are tried."""
    front = [_item(it, f"story-{i}") for i, it in enumerate(digest.front_page, 1)]
    return front, [[_item(it, "") for it in sec.items] for sec in digest.sections]


def build_view(digest: Digest, settings: Settings, level: int = 0,
               items: tuple[list[dict], list[list[dict]]] | None = None) -> dict[str, Any]:
    """Everything the templates need, as plain values (titles already one line)."""
    max_items, titles_only = _LEVELS[level]
    front, per_section = items or _all_items(digest, settings)
    sections, hidden_total = [], 0
    for n, (sec, items) in enumerate(zip(digest.sections, per_section), 1):
        if not items:
            continue
        shown = items if max_items is None else items[:max_items]
        hidden_total += len(items) - len(shown)
        if shown:
            sections.append(dict(anchor=f"sec-{n}", title=one_line(sec.title), articles=shown,
                                 titles_only=titles_only, hidden=len(items) - len(shown)))
    archive = safe_url(digest.archive_url) or safe_url(settings.base_url)
    trend = trending_view(digest)
    # The contents: the front-page stories numbered as in the body; page sections and the keywords
    # are headings, listed unnumbered after them.
    toc = dict(stories=[dict(anchor=f["anchor"], label=f["title"]) for f in front],
               headings=[dict(anchor=s["anchor"], label=s["title"]) for s in sections])
    if trend:
        toc["headings"].append(dict(anchor="keywords", label=trend["heading"]))
    notice = ""
    if level:
        notice = "篇幅所限，以下版面只列出部分文章" + ("标题" if titles_only else "") + "。"
    top = front[0] if front else (sections[0]["articles"][0] if sections else None)
    preheader = one_line(f"{top['title']}：{''.join(top['sentences'][:1]) or top['line']}") if top else ""
    return dict(
        subject=subject_for(digest), edition=edition(digest), publication=one_line(digest.publication), date_label=digest.date_label,
        article_count=digest.article_count, preheader=_clip(preheader, 120), toc=toc, front=front,
        sections=sections, hidden_total=hidden_total, notice=notice,
        trending=trend,
        archive_url=archive, unsubscribe=_unsubscribe(settings),
    )


# -- HTML ----------------------------------------------------------------------------------------------
_STYLE = re.compile(r"<style\b[^>]*>.*?</style>", re.S | re.I)


def _inline(html: str) -> str:
    out = Premailer(html, allow_network=False, strip_important=False, keep_style_tags=False,
                    remove_classes=False, disable_validation=True,
                    cssutils_logging_level=logging.CRITICAL).transform(pretty_print=False)
    # premailer drops a lowercase doctype and may change its case: make sure it is there, as written.
    out = re.sub(r"^\s*<!doctype[^>]*>\s*", "", out, flags=re.I)
    return "<!DOCTYPE html>\n" + out.rstrip() + "\n"


def render_html(view: dict[str, Any]) -> str:
    return environment().get_template("digest.html").render(**view)


def render_text(view: dict[str, Any]) -> str:
    links = _Links()
    text = environment().get_template("digest.txt").render(**view, link=links, links=links.urls)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


_MIN_ITEM_BYTES = 120  # the least HTML one listed article takes (a title-only row), to skip hopeless levels


def render_digest(digest: Digest, settings: Settings) -> Rendered:
    """Subject, inlined HTML (under HTML_LIMIT when shortening can do it) and plain text."""
    items = _all_items(digest, settings)
    full = build_view(digest, settings, 0, items)
    html = ""
    for level in range(len(_LEVELS)):
        max_items = _LEVELS[level][0]
        shown = sum(len(i) if max_items is None else min(len(i), max_items) for i in items[1])
        if shown * _MIN_ITEM_BYTES > HTML_LIMIT and level < len(_LEVELS) - 1:
            continue  # cannot fit: do not even render it
        view = full if level == 0 else build_view(digest, settings, level, items)
        raw = render_html(view)
        # Inlining only adds bytes outside <style>; skip levels that cannot fit without inlining them.
        body_bytes = len(_STYLE.sub("", raw).encode("utf-8"))
        if body_bytes > HTML_LIMIT and level < len(_LEVELS) - 1:
            continue
        html = _inline(raw)
        if len(html.encode("utf-8")) <= HTML_LIMIT:
            break
    else:
        log.warning("digest HTML is %d bytes even when shortened; Gmail will clip it", len(html.encode()))
    if level:
        log.info("digest HTML shortened to level %d to stay under %d bytes", level, HTML_LIMIT)
    # the text part follows the HTML's shortening: same order, same articles, one size of e-mail
    return Rendered(subject=full["subject"], html=html, text=render_text(view))


__all__ = ["render_digest", "build_view", "wrap", "underline", "display_width", "one_line", "safe_url",
           "environment", "HTML_LIMIT", "TEXT_WIDTH"]

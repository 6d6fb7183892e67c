"""The one data model that flows through the pipeline.

    raw files --ingest--> Issue(Page...) --segment--> Article...
        --summarize--> SummarizedArticle --rank--> Digest --render--> Rendered

Everything here is a frozen dataclass: stages return new values, never mutate.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .reading.lines import Document

_LEDE = re.compile(r"^\s*(本报讯|本报[^\s，。]{1,8}讯|新华社[^\s，。]{0,12}电)\s*([（(][^）)]{0,40}[）)])?\s*")

_DATE_CLAUSE = re.compile(r"^(\d{1,2}月\d{1,2}日[^，。]{0,10}|近日|日前|今年以来|近年来)，")

# Article kinds, in the order a front page prefers them.
KINDS = ("news", "interview", "commentary", "report_excerpt", "notice", "photo_caption")


@dataclass(frozen=True)
class Page:
    """One page (one source file) of an issue, decoded but not yet cleaned."""

    source: str  # path of the file it came from
    number: int  # 1-based page order inside the issue
    text: str  # decoded text, exactly as in the file
    sha256: str  # hash of the file's bytes
    encoding: str = "utf-8"  # "pdf" for a page of a PDF
    document: "Document | None" = None  # a PDF page: its lines with their layout (digest.reading.lines)


@dataclass(frozen=True)
class Issue:
    """One newspaper issue: a publication on a date, made of pages."""

    publication: str
    date: dt.date
    date_rule: str  # which rule decided the date: path | option | printed | guess | mtime (text: older stores)
    pages: tuple[Page, ...]
    content_hash: str  # hash over the pages' hashes: same bytes -> same issue
    date_evidence: str = ""  # why: the printed date found, or what the guess rests on

    @property
    def date_guessed(self) -> bool:
        """The paper does not print this date: it was guessed (or taken from the file's time)."""
        return self.date_rule not in ("path", "option", "printed")

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(p.source for p in self.pages)


@dataclass(frozen=True)
class Continuation:
    """A jump marker such as (上接3版) or (下转2版)."""

    direction: str  # "from" (上接) or "to" (下转)
    page: str  # the page label printed in the marker, e.g. "3"


@dataclass(frozen=True)
class Article:
    """One story of a page, cleaned."""

    title: str | None  # full headline, parts joined with " | " (引题 | 主题 | 副题)
    byline: str | None  # names only, space separated
    kind: str  # one of KINDS
    paragraphs: tuple[str, ...]  # clean body paragraphs
    position: int = 0  # 0-based order on its page
    main_title: str | None = None  # the main part of a multi-part headline
    dateline: str | None = None  # event date as printed ("3月24日")
    page: int = 1  # page number inside the issue
    source: str = ""  # file it came from
    captions: tuple[str, ...] = ()  # photo captions attached to the story
    continuations: tuple[Continuation, ...] = ()
    duplicate_of: int | None = None  # position of the article this one repeats
    subheads: tuple[int, ...] = ()  # indices into paragraphs of in-story cross-heads (小标题): headings, not sentences

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def display_title(self) -> str:
        """Headline for readers: the full title, else the body's opening clause (without 本报讯（记者…）)."""
        if self.title:
            return self.title
        text = _LEDE.sub("", self.body.replace("\n", ""), count=1)
        text = _DATE_CLAUSE.sub("", text, count=1) or text
        cut = next((i for i, ch in enumerate(text[:29]) if ch in "。！？；，" and i >= 6), None)
        if cut is not None:
            return text[:cut]
        return text[:24] + ("…" if len(text) > 24 else "")


@dataclass(frozen=True)
class LineLabel:
    """How the reader labelled one line of a page (``digest segment --explain``, the source view)."""

    no: int  # 1-based line number in the source file
    text: str
    label: str  # furniture | source | headline | subhead | byline | credit | dateline | caption | brief |
    #             editor's note | jump | body | duplicate
    reason: str
    article: int | None = None  # position of the article the line went to (None: set aside)


@dataclass(frozen=True)
class PageParse:
    """What the reader makes of one page: its articles and everything it set aside."""

    articles: tuple[Article, ...]
    furniture: tuple[str, ...] = ()  # banners, QR prompts, column labels removed from the page
    continuations: tuple[Continuation, ...] = ()  # every jump marker found on the page
    orphan_titles: tuple[str, ...] = ()  # headline-only blocks (body not on this page)
    duplicates: tuple[str, ...] = ()  # repeated paragraphs that were dropped
    source: str = ""
    page: int = 1
    labels: tuple[LineLabel, ...] = ()  # every non-blank line with its label and the reason
    paper: str | None = None  # the paper's name as printed (masthead, source line)
    printed_date: dt.date | None = None  # the issue date printed on the page, if any
    page_label: str | None = None  # the 版 label printed on the page ("3", "A06")


@dataclass(frozen=True)
class Summary:
    sentences: tuple[str, ...]  # whole sentences, in reading order
    keywords: tuple[str, ...] = ()
    method: str = "textrank"
    short: str = ""  # one whole sentence for one-line listings (the best that fits the short budget)


@dataclass(frozen=True)
class StoredArticle:
    """An article as it lives in the store: with its ids, issue and summary."""

    id: int
    issue_id: int
    publication: str
    issue_date: dt.date
    article: Article
    summary: Summary
    content_hash: str = ""
    minhash: bytes = b""  # MinHash signature of the body (digest.rank.signature), computed at ingest


@dataclass(frozen=True)
class DigestItem:
    """An article as shown in a digest."""

    stored: StoredArticle
    score: float = 0.0
    repeats: tuple[str, ...] = ()  # where the same story was printed again ("2025-03-26 第2版")
    url: str | None = None  # link to the full text when a base URL is configured

    @property
    def article(self) -> Article:
        return self.stored.article

    @property
    def summary(self) -> Summary:
        return self.stored.summary


@dataclass(frozen=True)
class Section:
    """The rest of the digest, grouped by issue and page."""

    title: str  # e.g. "2025-03-26 · 第1版"
    items: tuple[DigestItem, ...]


@dataclass(frozen=True)
class Trend:
    """A keyword whose share of the range's articles rose: the recent part of the range against the earlier part.

    The shares are what a reader is shown ("30%, before 5%"); `score` is the ranking statistic
    (Dunning's log-likelihood ratio G², see digest.rank.trending).
    """

    keyword: str
    recent: int  # articles of the recent part that carry the keyword
    recent_total: int  # articles in the recent part
    earlier: int  # articles of the earlier part that carry it
    earlier_total: int  # articles in the earlier part
    score: float = 0.0

    @property
    def recent_share(self) -> float:
        """Fraction 0..1 of the recent part's articles that carry the keyword."""
        return self.recent / self.recent_total if self.recent_total else 0.0

    @property
    def earlier_share(self) -> float:
        """Fraction 0..1 of the earlier part's articles that carry the keyword."""
        return self.earlier / self.earlier_total if self.earlier_total else 0.0


@dataclass(frozen=True)
class Digest:
    publication: str
    start: dt.date
    end: dt.date
    front_page: tuple[DigestItem, ...]
    sections: tuple[Section, ...]
    trending: tuple[Trend, ...] = ()  # rising keywords, multi-day ranges only
    trend_since: dt.date | None = None  # first day of the range's recent part (the earlier part ends the day before)
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    archive_url: str | None = None

    @property
    def is_empty(self) -> bool:
        return not self.front_page and not any(s.items for s in self.sections)

    @property
    def date_label(self) -> str:
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    @property
    def article_count(self) -> int:
        return len(self.front_page) + sum(len(s.items) for s in self.sections)


@dataclass(frozen=True)
class Rendered:
    """A digest rendered for delivery."""

    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class Failure:
    """Something that went wrong with one input; the run goes on."""

    path: str
    stage: str  # read | decode | segment | summarize | store | send ...
    message: str
    hint: str = ""

    def __str__(self) -> str:
        """One line: ``path: stage: message (hint: …)``, control characters escaped (safe_text)."""
        from .display import safe_text, shown_path

        tail = f" (hint: {safe_text(self.hint)})" if self.hint else ""
        path = ",".join(shown_path(p) for p in self.path.split(",")) if self.path else ""  # an issue's pages: a,b
        return f"{safe_text(path)}: {self.stage}: {safe_text(self.message)}{tail}"

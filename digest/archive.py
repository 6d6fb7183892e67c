"""The public archive of one publication: what its pages show, shared by `digest web` (served)
and `digest publish` (written as static files), so both give the same pages at the same paths:

    /                         the latest digests, and every year that has some
    /year/2025/               the digests of a year, by month
    /digest/2025-06-18/       one digest (a range: /digest/2025-06-16_2025-06-18/)
    /article/123/             one article in full (the e-mail's 阅读全文 links: DIGEST_BASE_URL/article/123)
    /feed.xml                 Atom feed of the latest digests (digest.publish.atom_feed)
    /sitemap.xml              every page

Only live digests (the last build of each range) are shown; an article page exists for every live
article of a range some digest covers. Pages are rendered from the templates in templates/web/
with gettext (the `web` catalogue in digest/translations; Chinese by default, DIGEST_LANGUAGE),
by Flask-Babel in `digest web` and by Babel's translations directly in `digest publish`.
Links inside pages are relative to `root` ("../../" on a static page two folders down, the
script root in `digest web`), so a published folder works under any path of any static host.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Iterator

import sqlalchemy as sa

from . import templates_dir
from .config import Settings
from .display import local_time
from .headline import headline
from .render import KIND_LABELS, one_line, range_zh
from .schema import articles, deliveries, digests, issues

TEMPLATES = templates_dir() / "web"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DOMAIN = "web"  # gettext domain of the public pages (digest/translations/zh/LC_MESSAGES/web.po)
RECENT = 30  # digests on the front page of the archive (and entries in the feed)
_SLUG = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:_(\d{4}-\d{2}-\d{2}))?$")
_LISTED = [c for c in digests.c if c.name != "eml"]


def slug(start: dt.date, end: dt.date) -> str:
    """The path segment of a digest: 2025-06-18, or 2025-06-16_2025-06-18 for a range."""
    return start.isoformat() if start == end else f"{start.isoformat()}_{end.isoformat()}"


def parse_slug(text: str) -> tuple[dt.date, dt.date] | None:
    """(start, end) of a digest path segment, or None when it is not one."""
    m = _SLUG.match(text or "")
    if not m:
        return None
    try:
        start = dt.date.fromisoformat(m.group(1))
        end = dt.date.fromisoformat(m.group(2)) if m.group(2) else start
    except ValueError:
        return None
    return (start, end) if start <= end else None


def install(env: Any, settings: Settings) -> None:
    """Add the archive's filters and globals to a Jinja2 environment (Flask's or publish's)."""
    env.filters["range_zh"] = lambda d: range_zh(d["start_date"], d["end_date"])
    env.filters["local_date"] = lambda value: local_time(value, settings.tz, seconds=False)  # with its UTC offset
    env.globals.update(lang="zh-CN" if settings.language == "zh" else "en", kind_label=KIND_LABELS.get)


def environment(settings: Settings):
    """A Jinja2 environment over templates/web/ with the `web` gettext catalogue (for publish)."""
    import jinja2
    from babel.support import Translations

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=jinja2.select_autoescape(("html", "xml")), undefined=jinja2.StrictUndefined,
                             extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(Translations.load(str(TRANSLATIONS), [settings.language], domain=DOMAIN),
                                     newstyle=True)
    install(env, settings)
    return env


class Archive:
    """Read-only queries of one publication's archive (SQL-paginated; no whole-table loads)."""

    def __init__(self, store: Any, settings: Settings, publication: str | None = None, *, sent_only: bool = False):
        self.store, self.settings = store, settings
        self.publication = publication or settings.publication
        self.sent_only = sent_only

    def _where(self, q):
        q = q.where(digests.c.publication == self.publication, digests.c.superseded.is_(False))
        if self.sent_only:
            q = q.where(sa.exists().where(deliveries.c.digest_id == digests.c.id, deliveries.c.status == "sent"))
        return q

    @staticmethod
    def _row(r: Any) -> dict:
        d = dict(r._mapping)
        d["slug"] = slug(d["start_date"], d["end_date"])
        return d

    def digests(self, limit: int | None = RECENT, offset: int = 0, year: int | None = None) -> list[dict]:
        """Live digests, newest range first: {id, start_date, end_date, subject, built_at, article_count, slug…}."""
        q = self._where(sa.select(*_LISTED)).order_by(digests.c.end_date.desc(), digests.c.start_date.desc())
        if year is not None:
            q = q.where(digests.c.end_date >= dt.date(year, 1, 1), digests.c.end_date <= dt.date(year, 12, 31))
        if limit is not None:
            q = q.limit(limit).offset(offset)
        with self.store._read() as conn:
            return [self._row(r) for r in conn.execute(q)]

    def iter_digests(self, page: int = 500) -> Iterator[dict]:
        """Every live digest, in pages of `page` rows (keyset on id)."""
        last = 0
        while True:
            q = self._where(sa.select(*_LISTED)).where(digests.c.id > last).order_by(digests.c.id).limit(page)
            with self.store._read() as conn:
                rows = [self._row(r) for r in conn.execute(q)]
            yield from rows
            if len(rows) < page:
                return
            last = rows[-1]["id"]

    def years(self) -> list[tuple[int, int]]:
        """[(year, number of digests)] newest first (by the year a digest's range ends)."""
        year = sa.extract("year", digests.c.end_date)
        q = self._where(sa.select(year, sa.func.count())).group_by(year).order_by(year.desc())
        with self.store._read() as conn:
            return [(int(y), int(n)) for y, n in conn.execute(q)]

    def find(self, start: dt.date, end: dt.date) -> dict | None:
        q = self._where(sa.select(*_LISTED)).where(digests.c.start_date == start, digests.c.end_date == end)
        with self.store._read() as conn:
            r = conn.execute(q).first()
        return self._row(r) if r else None

    def covering(self, day: dt.date, limit: int = 5) -> list[dict]:
        """Live digests whose range holds `day`, the one starting latest (then ending first) first:
        the day's own digest before a week's."""
        q = (self._where(sa.select(*_LISTED)).where(digests.c.start_date <= day, digests.c.end_date >= day)
             .order_by(digests.c.start_date.desc(), digests.c.end_date).limit(limit))
        with self.store._read() as conn:
            return [self._row(r) for r in conn.execute(q)]

    def digest_view(self, row: dict) -> dict:
        """What a digest page shows: its front page, its sections by issue and page, rising keywords."""
        from .pipeline import make_digest

        d = make_digest(self.store, self.settings, row["start_date"], row["end_date"], self.publication)
        front = [self._item(it) for it in d.front_page]
        sections = [dict(title=one_line(s.title), stories=[self._item(it) for it in s.items]) for s in d.sections]
        trending = [dict(word=one_line(t.keyword), recent=round(100 * t.recent_share),
                         earlier=round(100 * t.earlier_share)) for t in d.trending]
        return dict(digest=row, title=range_zh(row["start_date"], row["end_date"]), front=front, sections=sections,
                    trending=trending, article_count=d.article_count)

    @staticmethod
    def _item(item: Any) -> dict:
        art, summary = item.article, item.summary
        head = headline(art)
        return dict(id=item.stored.id, kickers=[one_line(k) for k in head.kickers],
                    title=one_line(head.main) or one_line(art.display_title) or "—",
                    subtitles=[one_line(t) for t in head.subtitles], byline=one_line(art.byline or ""),
                    kind=art.kind, date=item.stored.issue_date, page=art.page,
                    sentences=[one_line(s) for s in summary.sentences],
                    line=one_line(summary.short or (summary.sentences[0] if summary.sentences else "")),
                    keywords=[one_line(k) for k in summary.keywords if one_line(k)],
                    repeats=[one_line(r) for r in item.repeats])

    def article_view(self, article_id: int) -> dict | None:
        """An article in full, or None when it is not a live article of this publication."""
        stored = self.store.article(article_id)
        if stored is None or stored.publication != self.publication:
            return None
        art, summary = stored.article, stored.summary
        head = headline(art)
        return dict(id=stored.id, kickers=[one_line(k) for k in head.kickers],
                    title=one_line(head.main) or one_line(art.display_title) or "—",
                    subtitles=[one_line(t) for t in head.subtitles], byline=one_line(art.byline or ""),
                    dateline=one_line(art.dateline or ""), kind=art.kind, date=stored.issue_date, page=art.page,
                    paragraphs=[p for p in art.paragraphs if p.strip()], captions=list(art.captions),
                    sentences=list(summary.sentences), keywords=[k for k in summary.keywords if k.strip()],
                    digests=self.covering(stored.issue_date))

    def article_ids(self, page: int = 2000) -> Iterator[tuple[int, dt.date]]:
        """(id, issue date) of every live article of this publication on a day some listed digest covers."""
        ranges = sorted({(d["start_date"], d["end_date"]) for d in self.iter_digests()})
        merged: list[list[dt.date]] = []
        for a, b in ranges:
            if merged and a <= merged[-1][1] + dt.timedelta(days=1):
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        for a, b in merged:
            last = 0
            while True:
                q = (sa.select(articles.c.id, articles.c.issue_date)
                     .select_from(articles.join(issues, issues.c.id == articles.c.issue_id))
                     .where(issues.c.publication == self.publication, issues.c.superseded.is_(False),
                            articles.c.issue_date >= a, articles.c.issue_date <= b, articles.c.id > last)
                     .order_by(articles.c.id).limit(page))
                with self.store._read() as conn:
                    rows = [(int(i), d) for i, d in conn.execute(q)]
                yield from rows
                if len(rows) < page:
                    break
                last = rows[-1][0]


__all__ = ["Archive", "slug", "parse_slug", "environment", "install", "TEMPLATES", "TRANSLATIONS", "DOMAIN"]

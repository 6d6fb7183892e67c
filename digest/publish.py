"""`digest publish DIR`: the archive of a publication as static files, for any static host.

    DIR/index.html                      the latest digests and every year (digest.archive)
    DIR/year/2025/index.html            a year's digests by month
    DIR/digest/2025-06-18/index.html    one digest (ranges: 2025-06-16_2025-06-18)
    DIR/article/123/index.html          one article in full: the e-mail's 阅读全文 link
                                        DIGEST_BASE_URL/article/123 lands here
    DIR/feed.xml                        Atom 1.0 (feedgen): the latest digests
    DIR/sitemap.xml                     every page (a sitemap index over sitemap-N.xml past 50,000)
    DIR/robots.txt, DIR/404.html, DIR/static/archive.css

Publishing again writes only files whose bytes changed (atomically: a temporary file renamed) and
removes the pages it wrote before that no longer exist (a superseded article); it never touches a
file it did not write (the list is kept in DIR/.digest-publish.json). The feed and the sitemap need
absolute addresses: DIGEST_BASE_URL (or --base-url); without it they are left out (exit 1).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from xml.sax.saxutils import escape

from .archive import RECENT, TEMPLATES, Archive, environment
from .config import Settings
from .errors import DigestError

MANIFEST = ".digest-publish.json"
SITEMAP_LIMIT = 50_000  # URLs per sitemap file (sitemaps.org)


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def atom_feed(archive: Archive, settings: Settings, base_url: str | None = None, limit: int = RECENT) -> bytes:
    """The Atom 1.0 feed (feedgen) of the latest `limit` digests, as UTF-8 XML bytes.

    Feed id and entry ids are the pages' permanent URLs under `base_url` (default DIGEST_BASE_URL,
    else DIGEST_WEB_URL); `updated` is the build time (UTC) of each digest, the feed's the latest;
    each entry links to its page (rel=alternate) and carries the front-page stories as HTML.
    Raises DigestError when there is no base URL (Atom ids and links must be absolute).
    """
    from feedgen.feed import FeedGenerator

    base = (base_url or settings.base_url or settings.public_url).rstrip("/")
    if not base:
        raise DigestError("the Atom feed needs absolute addresses", "set DIGEST_BASE_URL (or --base-url)")
    rows = archive.digests(limit=limit)
    fg = FeedGenerator()
    fg.id(f"{base}/")
    fg.title(f"{archive.publication} 每日摘要")
    fg.subtitle(f"《{archive.publication}》的每日摘要：头版要闻与各版文章摘要")
    fg.author({"name": archive.publication})
    fg.link(href=f"{base}/", rel="alternate", type="text/html")
    fg.link(href=f"{base}/feed.xml", rel="self", type="application/atom+xml")
    fg.language("zh-CN" if settings.language == "zh" else "en")
    fg.generator("digest")
    newest = max((_utc(r["built_at"]) for r in rows), default=dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))
    fg.updated(newest)
    env = environment(settings)
    for row in reversed(rows):  # feedgen lists the last added first
        url = f"{base}/digest/{row['slug']}/"
        view = archive.digest_view(row)
        entry = fg.add_entry()
        entry.id(url)
        entry.title(row["subject"])
        entry.link(href=url, rel="alternate", type="text/html")
        entry.updated(_utc(row["built_at"]))
        entry.published(_utc(row["built_at"]))
        entry.content(env.get_template("_feed_entry.html").render(root=f"{base}/", **view), type="html")
    return fg.atom_str(pretty=True)


def sitemap_urls(archive: Archive, base_url: str) -> Iterator[tuple[str, dt.datetime | None]]:
    """(absolute URL, last modified) of every page of the archive."""
    base = base_url.rstrip("/")
    latest = None
    years: set[int] = set()
    for row in archive.iter_digests():
        built = _utc(row["built_at"])
        latest = max(latest, built) if latest else built
        years.add(row["end_date"].year)
        yield f"{base}/digest/{row['slug']}/", built
    yield f"{base}/", latest
    for y in sorted(years):
        yield f"{base}/year/{y}/", None
    for aid, _day in archive.article_ids():
        yield f"{base}/article/{aid}/", None


def sitemap_xml(urls: Iterable[tuple[str, dt.datetime | None]]) -> bytes:
    """A sitemaps.org urlset."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for loc, mod in urls:
        out.append(f"<url><loc>{escape(loc)}</loc>" + (f"<lastmod>{mod:%Y-%m-%dT%H:%M:%SZ}</lastmod>" if mod else "")
                   + "</url>")
    out.append("</urlset>\n")
    return "\n".join(out).encode("utf-8")


@dataclass
class PublishReport:
    written: int = 0  # files whose bytes changed
    unchanged: int = 0
    removed: int = 0
    digests: int = 0
    articles: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(written=self.written, unchanged=self.unchanged, removed=self.removed, digests=self.digests,
                    articles=self.articles, warnings=self.warnings)


class _Site:
    """Writes files under a folder only when their bytes change; remembers what it wrote."""

    def __init__(self, root: Path, report: PublishReport):
        self.root, self.report = root, report
        try:
            self.before: dict[str, str] = json.loads((root / MANIFEST).read_text("utf-8"))
        except (OSError, ValueError):
            self.before = {}
        self.now: dict[str, str] = {}

    def write(self, rel: str, data: bytes) -> None:
        digest = hashlib.sha256(data).hexdigest()
        self.now[rel] = digest
        target = self.root / rel
        if self.before.get(rel) == digest and target.is_file():
            self.report.unchanged += 1
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".publish.", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.report.written += 1

    def finish(self) -> None:
        for rel in set(self.before) - set(self.now):  # pages of ours that no longer exist
            path = self.root / rel
            if path.is_file():
                path.unlink()
                self.report.removed += 1
                try:
                    path.parent.rmdir()  # the page's own folder, if now empty
                except OSError:
                    pass
        data = json.dumps(dict(sorted(self.now.items())), indent=0).encode()
        try:
            same = (self.root / MANIFEST).read_bytes() == data
        except OSError:
            same = False
        if not same:
            self.write(MANIFEST, data)
            self.report.written -= 1  # the bookkeeping file is not a page


def publish(store: Any, settings: Settings, folder: Path, *, base_url: str | None = None, sent_only: bool = False,
            progress: Callable[[str, int, int], None] | None = None) -> PublishReport:
    """Write the archive of settings.publication under `folder` (see the module docstring).

    Raises DigestError when the folder cannot be written. Pages link each other relatively, so
    the folder can be served from any path; the feed and sitemap use `base_url` (default
    DIGEST_BASE_URL) and are left out, with a warning in the report, without one.
    """
    folder = Path(folder)
    report = PublishReport()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".publish-probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise DigestError(f"cannot write to {folder}: {exc.strerror or exc}",
                          "pick a folder you can write to (it is created if missing)") from None
    base = (base_url or settings.base_url).rstrip("/")
    archive = Archive(store, settings, sent_only=sent_only)
    env = environment(settings)
    common = dict(publication=archive.publication, subscribe=False, feed=bool(base), noindex=False)
    site = _Site(folder, report)

    def page(rel_dir: str, template: str, canonical_path: str, **values: Any) -> None:
        depth = rel_dir.count("/") + 1 if rel_dir else 0
        html = env.get_template(template).render(root="../" * depth or "./", canonical=f"{base}/{canonical_path}"
                                                 if base else "", **{**common, **values})
        site.write(f"{rel_dir}/index.html" if rel_dir else "index.html", html.encode("utf-8"))

    page("", "index.html", "", recent=archive.digests(), years=archive.years())
    rows = list(archive.iter_digests())
    total = len(rows)
    years: dict[int, list] = {}
    for n, row in enumerate(sorted(rows, key=lambda r: (r["end_date"], r["start_date"]), reverse=True), 1):
        years.setdefault(row["end_date"].year, []).append(row)
        page(f"digest/{row['slug']}", "digest.html", f"digest/{row['slug']}/", **archive.digest_view(row))
        report.digests += 1
        if progress:
            progress("digests", n, total)
    for year, items in years.items():
        months: dict[int, list] = {}
        for d in items:
            months.setdefault(d["end_date"].month, []).append(d)
        page(f"year/{year}", "year.html", f"year/{year}/", year=year, months=sorted(months.items(), reverse=True))
    ids = list(archive.article_ids())
    for n, (aid, _day) in enumerate(ids, 1):
        view = archive.article_view(aid)
        if view is not None:
            page(f"article/{aid}", "article.html", f"article/{aid}/", a=view)
            report.articles += 1
        if progress and (n % 200 == 0 or n == len(ids)):
            progress("articles", n, len(ids))
    site.write("static/archive.css", (TEMPLATES / "archive.css").read_bytes())
    site.write("404.html", env.get_template("message.html").render(
        root=f"{base}/" if base else "/", heading="404", lines=[], form_action="", button="", csrf="", canonical="",
        **{**common, "noindex": True}).encode("utf-8"))
    if base:
        site.write("feed.xml", atom_feed(archive, settings, base))
        urls = list(sitemap_urls(archive, base))
        if len(urls) <= SITEMAP_LIMIT:
            site.write("sitemap.xml", sitemap_xml(urls))
        else:
            parts = [urls[i:i + SITEMAP_LIMIT] for i in range(0, len(urls), SITEMAP_LIMIT)]
            for i, chunk in enumerate(parts, 1):
                site.write(f"sitemap-{i}.xml", sitemap_xml(chunk))
            index = ['<?xml version="1.0" encoding="UTF-8"?>',
                     '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
            index += [f"<sitemap><loc>{escape(base)}/sitemap-{i}.xml</loc></sitemap>" for i in range(1, len(parts) + 1)]
            site.write("sitemap.xml", ("\n".join(index + ["</sitemapindex>\n"])).encode("utf-8"))
        site.write("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n".encode())
    else:
        site.write("robots.txt", b"User-agent: *\nAllow: /\n")
        report.warnings.append("no feed.xml or sitemap.xml: they need absolute addresses; set DIGEST_BASE_URL "
                               "(or --base-url) to the address the folder will be served at")
    site.finish()
    return report


__all__ = ["publish", "atom_feed", "sitemap_urls", "sitemap_xml", "PublishReport"]

"""The library functions every shell (CLI, scheduler, preview) calls.

    ingest(paths)  : files -> Issue -> segment -> summarize -> store   (one transaction per issue)
    build(range)   : store -> rank -> render -> outbox (.eml/.html/.txt) -> digests table
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import logging
import os
import re
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from . import ingest as ingest_mod
from .config import Settings
from .errors import DigestError
from .faults import checkpoint
from .db import safe_url
from .display import storable
from .models import Article, Digest, Failure, Issue, Page, Rendered, Summary
from .store import AlreadyStored, Store

log = logging.getLogger("digest")
Progress = Callable[[str, int, int], None]  # (label, done, total)


# -- per-issue processing (runs in worker processes) ------------------------------------

def article_hash(article: Article) -> str:
    return hashlib.sha256("".join(ch for ch in article.body if ch.isalnum()).encode()).hexdigest()


def analyse_page_text(text: str, source: str = "", page: int = 1):
    """Segment one page's text. Returns a digest.models.PageParse."""
    from .reading import read_text

    return read_text(text, source=source, page=page)


def analyse_page(page: Page):
    """Segment one page of an issue: a PDF page by its layout (digest.reading.pdf), else its text."""
    if page.document is not None:
        from .reading import read_document

        return read_document(page.document, source=page.source, page=page.number)
    return analyse_page_text(page.text, source=page.source, page=page.number)


Item = tuple[Article, Summary, str, bytes]  # article, summary, content hash, MinHash signature


def segment_pages(pages: Sequence[Page], printed: list[str] | None = None) -> tuple[list[Article], list[Failure]]:
    """Segment the pages of one issue (or one file) and join stories that jump between them.
    A page that fails is reported and skipped; the rest go on. ``printed``, when given, receives
    the paper name each page prints (masthead or source line: ``PageParse.paper``), if any."""
    from .reading import join_continuations

    failures: list[Failure] = []
    parses = []
    for page in pages:
        try:
            parse = analyse_page(page)
        except Exception as exc:  # noqa: BLE001 - one bad page must not stop the issue
            failures.append(Failure(page.source, "segment", f"{exc.__class__.__name__}: {exc}",
                                    "the page was skipped; please report it with the file"))
            continue
        if not parse.articles:
            failures.append(Failure(page.source, "segment", "no article found on the page",
                                    "the file holds only page furniture or no text"))
        if printed is not None and parse.paper:
            printed.append(parse.paper)
        parses.append(parse)
    return [a for a in join_continuations(parses) if a.duplicate_of is None], failures


def process_issue(issue: Issue, summary_chars: int = 150, short_chars: int = 60,
                  context=None, printed: list[str] | None = None) -> tuple[list[Item], list[Failure]]:
    """Segment every page and summarise every article. A bad page is reported; the rest go on.

    ``context``: a ``summarizing.keywords.Corpus`` of the paper's other texts (keywords_context);
    ``printed``: receives the paper names the pages print (segment_pages).
    """
    from .rank import signature
    from .summarize import summarize_articles

    articles, failures = segment_pages(issue.pages, printed)
    items = []
    try:  # the issue's articles together: a word they all use is no keyword for any of them
        summaries = summarize_articles(articles, max_sentences=3, max_chars=summary_chars, short_chars=short_chars,
                                       context=context)
    except Exception as exc:  # noqa: BLE001
        failures.append(Failure(issue.pages[0].source if issue.pages else "", "summarize",
                                f"{exc.__class__.__name__}: {exc}", "the issue's articles were stored without summaries"))
        summaries = [Summary((), (), "none")] * len(articles)
    for art, summary in zip(articles, summaries):
        if summary.method == "error":
            failures.append(Failure(art.source, "summarize", "the summariser failed on this article",
                                    f"article {art.display_title!r} stored without a summary"))
            summary = Summary((), (), "none")
        items.append((art, summary, article_hash(art), signature(art.body)))
    return items, failures


_CONTEXT = None  # the keyword background of the running ingest, in each worker process


def _worker_init(cache_dir: str | None, context=None) -> None:
    """Load jieba once per process (idempotent), with its cache in the data folder."""
    from . import nlp

    global _CONTEXT
    _CONTEXT = context
    nlp.init(Path(cache_dir) if cache_dir else None)


def _work(issue: Issue, budgets: tuple[int, int]):
    """(issue, items, failures, the paper names its pages print)."""
    printed: list[str] = []
    items, failures = process_issue(issue, *budgets, context=_CONTEXT, printed=printed)
    return issue, items, failures, printed


_NOT_A_NAME = {"本报", "该报", "我报"}  # "本报讯" bylines: the paper speaking of itself, no name


def printed_paper(printed: Sequence[str], filed_under: str) -> str | None:
    """The paper name an issue's pages print when it differs from ``filed_under`` (the publication
    it is filed under), else None. ``printed``: the names its pages print (segment_pages), most
    pages first; a page printing ``filed_under`` (or a name holding it: 聊城日报社, 聊城日报电子版)
    settles it. Used to warn of an issue filed under the default paper by mistake."""
    names = [re.sub(r"\s+", "", n) for n in printed if n and re.sub(r"\s+", "", n) not in _NOT_A_NAME]
    names = [n for n in names if len(n) >= 2]
    if not names:
        return None
    filed = re.sub(r"\s+", "", filed_under)
    if any(filed in n or n in filed for n in names):
        return None
    return max(dict.fromkeys(names), key=names.count)


CONTEXT_ISSUES = 40  # the pages of this many issues of an ingest run...
CONTEXT_ARTICLES = 200  # ...and this many recent stored articles are the keywords' background


def keywords_context(store: Store, publication: str, issues: Sequence[Issue]):
    """The paper's other texts, against which an article's keywords are weighed (a word most of
    them use is no keyword): the pages of ``issues`` and a sample of the store's articles of the
    last 30 days of ``publication``. Returns a ``summarizing.keywords.Corpus``."""
    from .summarizing.keywords import Corpus

    texts = [p.text for issue in issues for p in issue.pages if p.text]
    try:
        _, hi = store.date_bounds(publication)
        stored = store.articles_between(hi - dt.timedelta(days=30), hi, publication) if hi else []
    except DigestError:
        stored = []
    step = max(1, len(stored) // CONTEXT_ARTICLES)
    texts += [a.article.body for a in stored[::step][:CONTEXT_ARTICLES]]
    return Corpus(texts)


# -- ingest ------------------------------------------------------------------------------

def _without_text(issue: Issue) -> Issue:
    """The issue as a report keeps it: pages without their text (that is in the store), so a
    ten-year backfill does not hold every page in memory."""
    return dataclasses.replace(issue, pages=tuple(dataclasses.replace(p, text="", document=None) for p in issue.pages))


@dataclass
class IngestReport:
    ingested: list[tuple[int, Issue]] = field(default_factory=list)  # (issue id, issue without page text)
    skipped: list[Issue] = field(default_factory=list)  # already in the store (same content hash)
    failures: list[Failure] = field(default_factory=list)
    articles: int = 0
    # issues filed under DIGEST_PUBLICATION (no --paper, no paper folder) whose pages print another
    # paper's name: (issue id, the name printed). Ingested all the same (never switched silently);
    # the CLI warns, `digest status` lists them (failures table, stage "paper").
    paper_mismatches: list[tuple[int, str]] = field(default_factory=list)
    # content hash -> the local files an issue (ingested or skipped) was read from, absolute
    files: dict[str, list[str]] = field(default_factory=dict)

    def shown(self, issue: Issue) -> str:
        """The first file of an issue as messages show it (display.shown_path; " …" when more)."""
        from .display import shown_path

        files = self.files.get(issue.content_hash) or list(issue.sources)
        return shown_path(files[0]) + (" …" if len(files) > 1 else "") if files else ""

    @property
    def exit_code(self) -> int:
        """0 ok, 1 partial (something failed), 2 nothing done and something failed."""
        if not self.failures:
            return 0
        return 1 if (self.ingested or self.skipped) else 2


def ingest(store: Store, settings: Settings, paths: Sequence[str | os.PathLike], *,
           date: dt.date | None = None, publication: str | None = None, jobs: int | None = None,
           progress: Progress | None = None) -> IngestReport:
    """Ingest issues found under `paths`. Same bytes twice is a no-op; a bad file is reported and skipped.

    Each issue is filed under its inbox paper folder (``inbox/<paper>/…``), else `publication`
    (--paper), else DIGEST_PUBLICATION (ingest.publication_for); an issue in a paper folder that
    `publication` names otherwise is reported and not ingested."""
    explicit = publication
    publication = publication or settings.publication
    report = IngestReport()
    max_bytes = int(settings.max_file_mb * 1024 * 1024)
    seen_hashes: set[str] = set()
    defaulted: set[str] = set()  # content hashes of issues filed under DIGEST_PUBLICATION by default
    local_paths: dict[str, list[str]] = {}  # content hash -> the files read (pages carry logical keys)
    found = [(raw, item) for raw in paths for item in ingest_mod.discover([raw], inbox=settings.inbox)]
    total = sum(1 for _, f in found if not isinstance(f, Failure))

    def todo():
        """Issues to process, read lazily so workers start while the rest is still being read."""
        for raw, item in found:
            if isinstance(item, Failure):
                report.failures.append(item)
                continue
            pub = ingest_mod.publication_for(item, explicit, settings.publication)
            if isinstance(pub, Failure):
                report.failures.append(pub)
                continue
            issue, fails = ingest_mod.read_issue(item, pub, date, max_bytes)
            report.failures.extend(fails)
            if issue is None:
                continue
            if explicit is None and item.paper is None:
                defaulted.add(issue.content_hash)
            local_paths[issue.content_hash] = [storable(os.path.abspath(p.source)) for p in issue.pages]
            report.files[issue.content_hash] = local_paths[issue.content_hash]
            issue = with_source_keys(issue, raw, settings.inbox)
            try:
                known = store.issue_id_by_hash(issue.content_hash) is not None
            except DigestError:
                known = False  # the save reports the store's trouble for this issue
            if issue.content_hash in seen_hashes or known:
                report.skipped.append(_without_text(issue))
                continue
            seen_hashes.add(issue.content_hash)
            yield issue

    jobs = jobs if jobs is not None else (settings.jobs or os.cpu_count() or 1)
    jobs = max(1, min(jobs, total))
    done = 0
    if progress:
        progress("ingest", 0, total)
    pending = todo()
    head = list(itertools.islice(pending, CONTEXT_ISSUES))
    context = keywords_context(store, head[0].publication if head else publication, head)
    mismatches: list[Failure] = []
    for issue, items, fails, printed in _run(itertools.chain(head, pending), jobs, settings, context):
        report.failures.extend(fails)
        other = printed_paper(printed, issue.publication) if issue.content_hash in defaulted else None
        checkpoint("ingest:before-save")
        try:
            issue_id = store.save_issue(issue, items, local_paths.pop(issue.content_hash, None))
        except AlreadyStored:  # another process stored the same issue a moment ago
            report.skipped.append(_without_text(issue))
        except DigestError as exc:  # one issue fails, the batch goes on
            report.failures.append(Failure(",".join(issue.sources), "store", exc.message, exc.hint))
        else:
            report.ingested.append((issue_id, _without_text(issue)))
            report.articles += len(items)
            if other is not None:
                report.paper_mismatches.append((issue_id, other))
                mismatches.append(Failure(",".join(issue.sources), "paper", paper_mismatch_message(issue_id, issue, other),
                                          paper_mismatch_hint(other)))
            checkpoint("ingest:after-save")
        done += 1
        if progress:
            progress("ingest", done + len(report.skipped), total)
    # names that are not UTF-8 as \xNN: the store, the JSON output and the terminal can all take them
    report.failures = [dataclasses.replace(f, path=storable(f.path), message=storable(f.message),
                                           hint=storable(f.hint)) for f in report.failures]
    try:
        store.record_failures(report.failures + mismatches)  # for `digest status`; the report has them anyway
    except DigestError as exc:
        report.failures.append(Failure(safe_url(store.url), "store", f"failures not recorded: {exc.message}", exc.hint))
    for f in report.failures:  # the callers report them (the CLI once, `run` in its job log): debug only here
        log.debug("%s", f)
    return report


def paper_mismatch_message(issue_id: int, issue: Issue, printed: str) -> str:
    """The warning of an issue filed under ``issue.publication`` whose pages print ``printed``."""
    return (f"issue {issue_id} ({issue.date}) is filed under {issue.publication}, but its pages print "
            f"{printed}")


def paper_mismatch_hint(printed: str) -> str:
    return (f"if it is {printed}'s: `digest issues remove ID`, then ingest it again with --paper {printed} "
            f"or put it in inbox/{printed}/")


def already_ingested(store: Store, settings: Settings, path: str | os.PathLike, *,
                     publication: str | None = None) -> bool:
    """True when every issue found under `path` is in the store with the same content (as `ingest`
    would skip it); False when something there is new, changed or unreadable. Reads the files."""
    max_bytes = int(settings.max_file_mb * 1024 * 1024)
    found = False
    for item in ingest_mod.discover([path], inbox=settings.inbox):
        pub = item if isinstance(item, Failure) else ingest_mod.publication_for(item, publication, settings.publication)
        if isinstance(pub, Failure):
            return False
        issue, fails = ingest_mod.read_issue(item, pub, None, max_bytes)
        if fails or issue is None or store.issue_id_by_hash(issue.content_hash) is None:
            return False
        found = True
    return found


def with_source_keys(issue: Issue, argument: str | os.PathLike, inbox: str | os.PathLike | None) -> Issue:
    """The issue with each page's source replaced by its logical key (digest/sources.py), so the
    same page read from another directory or machine is recognised as the same page."""
    from .sources import source_key

    pages = tuple(dataclasses.replace(p, source=source_key(p.source, argument, inbox)) for p in issue.pages)
    return dataclasses.replace(issue, pages=pages)


def _run(todo: Iterable[Issue], jobs: int, settings: Settings, context=None):
    """(issue, items, failures) for each issue, in order; on `jobs` worker processes when > 1."""
    budgets = (settings.summary_chars_front, settings.summary_chars_other)
    if jobs <= 1:
        for issue in todo:
            _worker_init(str(settings.data_dir), context)  # jieba loads at the first issue only (idempotent)
            yield _work(issue, budgets)
        return
    window: deque = deque()  # a few issues in flight per worker: steady work, bounded memory
    with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init,
                             initargs=(str(settings.data_dir), context)) as pool:
        for issue in todo:
            window.append(pool.submit(_work, issue, budgets))
            if len(window) >= 3 * jobs:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


# -- build ---------------------------------------------------------------------------------

@dataclass
class BuildResult:
    digest: Digest
    rendered: Rendered | None
    digest_id: int | None
    paths: dict[str, Path]
    reused: bool = False  # an identical digest for this range was already in the outbox


def _stem(publication: str, start: dt.date, end: dt.date, max_bytes: int = 223) -> str:
    """The outbox name of a digest (no extension): ``<publication>_<start>[_<end>]``, at most
    `max_bytes` of UTF-8 (a file system counts bytes, not characters: 91 CJK characters are 273).
    A publication too long for it is cut and marked with a hash of its full name (outbox.fit_name),
    so the dates stay and two long names stay apart."""
    from .outbox import fit_name

    name = re.sub(r'[\\/:*?"<>|\s\x00-\x1f\x7f]+', "-", publication).strip("-.") or "digest"
    dates = f"_{start.isoformat()}" if start == end else f"_{start.isoformat()}_{end.isoformat()}"
    return fit_name(name, max_bytes, dates)


def make_digest(store: Store, settings: Settings, start: dt.date, end: dt.date,
                publication: str | None = None, issue_ids: Iterable[int] | None = None) -> Digest:
    """Rank the stored articles of a date range into a Digest (no summariser runs here).
    `issue_ids`: only the articles of these issues (the morning run's undelivered ones)."""
    from .rank import build_digest

    publication = publication or settings.publication
    items = store.articles_between(start, end, publication)
    if issue_ids is not None:
        wanted = set(issue_ids)
        items = [a for a in items if a.issue_id in wanted]
    return build_digest(items, publication, start, end, front_size=settings.front_page_size,
                        base_url=settings.base_url)


def build(store: Store, settings: Settings, start: dt.date, end: dt.date, *,
          publication: str | None = None, allow_empty: bool = False,
          issue_ids: Iterable[int] | None = None) -> BuildResult:
    """Build the digest of a date range and write it to the outbox as .eml, .html and .txt.

    The database decides first: the digest (with its message bytes) is recorded as the live one
    of its range, or an existing row with the same content is reused (its Message-ID and files);
    only then are the files written, from the recorded bytes. Two builds of one range, at once or
    one after the other, never leave two sendable digests, and a crash between the record and the
    files is completed by the next build. The digest records the issues it was built from
    (`issue_ids`, default every live issue of the range): what it delivers once dispatched.

    A range without articles writes and records nothing: the result has digest_id None and no
    paths (allow_empty=True writes the "共 0 篇" digest: DIGEST_SEND_EMPTY's morning e-mail).
    The stored message carries no reader's address (To: undisclosed-recipients): each reader's
    copy gets its own To: when it is sent (digest.mailmerge).

    The digest built or reused is noted as the last one (Store.note_built): `digest send` without
    a digest named sends that one.
    """
    result = _build(store, settings, start, end, publication=publication, allow_empty=allow_empty,
                    issue_ids=issue_ids)
    if result.digest_id is not None:
        store.note_built(result.digest_id)
    return result


def _build(store: Store, settings: Settings, start: dt.date, end: dt.date, *,
           publication: str | None, allow_empty: bool, issue_ids: Iterable[int] | None) -> BuildResult:
    from .deliver import build_message, message_bytes
    from .outbox import name_limit, write_set
    from .plan import live_issue_ids
    from .render import render_digest

    digest = make_digest(store, settings, start, end, publication, issue_ids)
    if digest.is_empty and not allow_empty:
        return BuildResult(digest, None, None, {})
    members = list(issue_ids) if issue_ids is not None else live_issue_ids(store, digest.publication, start, end)
    rendered = render_digest(digest, settings)
    content_hash = hashlib.sha256((rendered.subject + rendered.html + rendered.text).encode()).hexdigest()
    keys = ("eml", "html", "text")
    previous = store.find_digest(digest.publication, start, end)
    if previous and previous["content_hash"] == content_hash and all(
            previous[f"{k}_path"] and Path(previous[f"{k}_path"]).exists() for k in keys):
        paths = {k: Path(previous[f"{k}_path"]) for k in keys}
        store.add_digest_issues(previous["id"], members)  # same content from other versions: they count too
        return BuildResult(digest, rendered, previous["id"], paths, reused=True)
    message = build_message(rendered, settings, to=())
    digest_id, reused = store.record_digest(
        publication=digest.publication, start_date=start, end_date=end, subject=rendered.subject,
        message_id=message["Message-ID"], eml=message_bytes(message), content_hash=content_hash,
        article_count=digest.article_count, issue_ids=members)
    row = store.digest_row(digest_id) or {}
    if reused and all(row.get(f"{k}_path") and Path(row[f"{k}_path"]).exists() for k in keys):
        return BuildResult(digest, rendered, digest_id, {k: Path(row[f"{k}_path"]) for k in keys}, reused=True)
    eml = row.get("eml")
    if eml is None:  # a digest recorded before schema 5: its bytes are only in its file
        eml = Path(row["eml_path"]).read_bytes() if row.get("eml_path") and Path(row["eml_path"]).exists() \
            else message_bytes(message)
    written = write_set(Path(settings.outbox), _stem(digest.publication, start, end, name_limit(Path(settings.outbox))),
                        {"html": rendered.html.encode("utf-8"), "txt": rendered.text.encode("utf-8"), "eml": eml})
    checkpoint("build:after-outbox")
    paths = {"eml": written["eml"], "html": written["html"], "text": written["txt"]}
    store.set_digest_files(digest_id, eml_path=str(paths["eml"]), html_path=str(paths["html"]),
                           text_path=str(paths["text"]))
    return BuildResult(digest, rendered, digest_id, paths, reused=reused)


def papers(store: Store, settings: Settings) -> list[str]:
    """The papers of this home, for which `digest run` builds (and sends) one digest each:
    DIGEST_PUBLICATION first, then every other publication with an issue in the store (filed
    from an inbox paper folder, ``inbox/<paper>/…``, or by ``ingest --paper``), by name."""
    try:
        others = sorted(p for p in store.archive_summary() if p != settings.publication)
    except DigestError:
        others = []  # the digest job reports the store's trouble for the default paper
    return [settings.publication, *others]


def for_paper(settings: Settings, paper: str) -> Settings:
    """`settings` with `paper` as the publication (the settings of one paper's digest)."""
    if paper == settings.publication:
        return settings
    out = dataclasses.replace(settings, publication=paper)
    object.__setattr__(out, "_origins", {**getattr(settings, "_origins", {}), "publication": "paper in the store"})
    return out


def open_store(settings: Settings) -> Store:
    return Store(settings.database_url)


def iter_dates(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)

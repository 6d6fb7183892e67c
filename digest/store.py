"""The store: issues, pages, articles, summaries, digests and deliveries in one database.

SQLAlchemy Core, so the same code runs on SQLite (the default) or PostgreSQL. The schema is
created and migrated under a database lock (digest/db.py, digest/schema.py). Every issue is
written in one transaction: a crash mid-ingest leaves no partial issue behind, and two processes
ingesting the same issue at once store it once (the other one is told it is already stored).
Digests, deliveries and their claims are in digest/store_mail.py (mixed into Store).
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from . import db
from .db import BUSY_TIMEOUT_MS, make_engine, safe_url  # noqa: F401 - public names of the store module
from .errors import StoreError
from .faults import checkpoint
from .models import Article, Continuation, Failure, Issue, StoredArticle, Summary
from .schema import (SCHEMA_VERSION, _now, articles, deliveries, digests, failures, issues, pages,  # noqa: F401
                     runs, summaries)
from .schema import digest_issues
from .sources import sources_key
from .lease import claimer as _claimer, claimer_dead as _claimer_dead  # noqa: F401 - older import path
from .store_mail import MailStore

class AlreadyStored(StoreError):
    """An issue with the same content is in the store (maybe just written by another process)."""

    def __init__(self, issue_id: int):
        super().__init__(f"already ingested as issue {issue_id}")
        self.issue_id = issue_id


def _article_from_row(r: Any) -> Article:
    paragraphs = tuple(p for p in r.body.split("\n") if p)
    conts = tuple(Continuation(**c) for c in json.loads(r.continuations or "[]"))
    return Article(
        title=r.title, byline=r.byline, kind=r.kind, paragraphs=paragraphs, position=r.position,
        main_title=r.main_title, dateline=r.dateline, page=r.page, source=r.source,
        captions=tuple(json.loads(r.captions or "[]")), continuations=conts,
    )


class Store(MailStore):
    """All database access goes through here. Raises StoreError (password hidden) on trouble."""

    def __init__(self, url: str, migrate: bool = True):
        self.url = url
        self.engine = make_engine(url)
        try:
            if migrate:
                db.migrate(self.engine, url)
            else:
                db.check_version(self.schema_version())
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open database {safe_url(url)}: {db.store_error(exc, url).message}",
                             "check DIGEST_DATABASE_URL, that the server runs, and that the file and its "
                             "folder are writable") from None
        except StoreError as exc:
            if "newer than this program" in exc.message:
                raise
            raise StoreError(f"cannot open database {safe_url(url)}: {exc.message}", exc.hint) from None

    # -- schema -------------------------------------------------------------
    def schema_version(self) -> int:
        with db.read(self.engine, self.url) as conn:
            return db.current_version(conn)

    def migrate(self) -> int:
        """Run the missing migrations (under the database's migration lock). Returns the version."""
        return db.migrate(self.engine, self.url)[1]

    def _write(self):
        """A write transaction (BEGIN IMMEDIATE on SQLite); database errors become StoreError."""
        return db.write(self.engine, self.url)

    def _read(self):
        return db.read(self.engine, self.url)

    # -- issues ---------------------------------------------------------------
    def issue_id_by_hash(self, content_hash: str) -> int | None:
        with self._read() as conn:
            return conn.execute(sa.select(issues.c.id).where(issues.c.content_hash == content_hash)).scalar()

    def save_issue(self, issue: Issue, items: Sequence[tuple], paths: Sequence[str] | None = None) -> int:
        """Write an issue with its pages, articles and summaries in one transaction; returns its id.

        `items` are (article, summary, content_hash[, minhash]) tuples; `paths` the local files
        the pages were read from (page order; their sources are logical keys). Raises AlreadyStored when
        the same content is already stored (also when another process stored it a moment ago).

        A previous live version of the same issue (same publication, date and source keys) is
        locked and marked superseded: at most one version is live, which the database enforces
        (partial unique index uq_issues_live). Two corrections written at once both succeed, one
        after the other; the later one is live.
        """
        for attempt in range(5):
            try:
                return self._save_issue(issue, items, paths)
            except IntegrityError as exc:
                existing = self.issue_id_by_hash(issue.content_hash)
                if existing is not None:
                    raise AlreadyStored(existing) from None
                if not db.is_unique_violation(exc) or attempt == 4:
                    raise db.store_error(exc, self.url) from None
                # another version became live while we wrote: supersede that one instead
        raise AssertionError("unreachable")

    def _save_issue(self, issue: Issue, items: Sequence[tuple], paths: Sequence[str] | None) -> int:
        sources = json.dumps(list(issue.sources), ensure_ascii=False)
        key = sources_key(issue.sources)
        with self._write() as conn:
            existing = conn.execute(sa.select(issues.c.id).where(issues.c.content_hash == issue.content_hash)).scalar()
            if existing is not None:
                raise AlreadyStored(existing)
            prev = conn.execute(
                sa.select(issues.c.id, issues.c.version).where(
                    issues.c.publication == issue.publication, issues.c.issue_date == issue.date,
                    issues.c.source_key == key, issues.c.superseded.is_(False))
                .with_for_update()
            ).first()
            version = 1
            if prev is not None:
                version = prev.version + 1
                conn.execute(sa.update(issues).where(issues.c.id == prev.id).values(superseded=True))
            issue_id = conn.execute(sa.insert(issues).values(
                publication=issue.publication, issue_date=issue.date, date_rule=issue.date_rule,
                content_hash=issue.content_hash, sources=sources, source_key=key,
                version=version, superseded=False, ingested_at=_now(),
            )).inserted_primary_key[0]
            if issue.pages:
                conn.execute(sa.insert(pages), [
                    dict(issue_id=issue_id, number=p.number, source=p.source, sha256=p.sha256,
                         encoding=p.encoding, text=p.text, path=paths[i] if paths and i < len(paths) else None)
                    for i, p in enumerate(issue.pages)])
            rows = [dict(
                issue_id=issue_id, issue_date=issue.date, page=article.page, position=article.position,
                title=article.title, main_title=article.main_title, byline=article.byline, kind=article.kind,
                dateline=article.dateline, body=article.body,
                captions=json.dumps(list(article.captions), ensure_ascii=False),
                continuations=json.dumps([c.__dict__ for c in article.continuations], ensure_ascii=False),
                source=article.source, content_hash=chash, minhash=rest[0] if rest else None,
            ) for article, summary, chash, *rest in items]
            if rows:  # one executemany per table; ids come back in parameter order
                ids = conn.execute(sa.insert(articles).returning(articles.c.id, sort_by_parameter_order=True),
                                   rows).scalars().all()
                checkpoint("store:mid-issue")
                conn.execute(sa.insert(summaries), [dict(
                    article_id=aid, sentences=json.dumps(list(summary.sentences), ensure_ascii=False),
                    keywords=json.dumps(list(summary.keywords), ensure_ascii=False), method=summary.method,
                    short=summary.short or None) for aid, (_, summary, *_rest) in zip(ids, items)])
        return issue_id

    def list_issues(self, publication: str | None = None, *, limit: int | None = None, offset: int = 0,
                    start: dt.date | None = None, end: dt.date | None = None,
                    exclude_rules: Iterable[str] | None = None) -> list[dict]:
        """Live issues newest first with their article counts (counted in SQL), optionally a
        page of `limit` from `offset`, a date range, or only those whose date_rule is not in
        `exclude_rules` (e.g. the guessed dates)."""
        count = (sa.select(sa.func.count(articles.c.id)).where(articles.c.issue_id == issues.c.id)
                 .scalar_subquery().label("articles"))  # per row through the index: no join over every issue
        q = (sa.select(issues, count).where(issues.c.superseded.is_(False))
             .order_by(issues.c.issue_date.desc(), issues.c.id))
        if publication:
            q = q.where(issues.c.publication == publication)
        if start is not None:
            q = q.where(issues.c.issue_date >= start)
        if end is not None:
            q = q.where(issues.c.issue_date <= end)
        if exclude_rules is not None:
            q = q.where(issues.c.date_rule.not_in(list(exclude_rules)))
        if limit is not None:
            q = q.limit(limit).offset(offset)
        with self._read() as conn:
            return [dict(r._mapping, sources=json.loads(r.sources)) for r in conn.execute(q)]

    def issue_row(self, issue_id: int) -> dict | None:
        """One live issue as list_issues shows it, or None (unknown or superseded)."""
        q = (sa.select(issues, sa.select(sa.func.count(articles.c.id)).where(articles.c.issue_id == issues.c.id)
                       .scalar_subquery().label("articles"))
             .where(issues.c.id == issue_id, issues.c.superseded.is_(False)))
        with self._read() as conn:
            r = conn.execute(q).first()
        return dict(r._mapping, sources=json.loads(r.sources)) if r else None

    def archive_summary(self, guessed_rules: Iterable[str] = ()) -> dict[str, dict]:
        """{publication: {"issues", "first", "last", "guessed"}} over the live issues, in SQL.
        `guessed` counts the issues whose date_rule is not in `guessed_rules` (the printed rules)."""
        rules = list(guessed_rules)
        guessed = sa.func.sum(sa.case((issues.c.date_rule.not_in(rules), 1), else_=0)) if rules else sa.literal(0)
        q = (sa.select(issues.c.publication, sa.func.count(issues.c.id), sa.func.min(issues.c.issue_date),
                       sa.func.max(issues.c.issue_date), guessed)
             .where(issues.c.superseded.is_(False)).group_by(issues.c.publication))
        with self._read() as conn:
            return {pub: {"issues": int(n), "first": lo, "last": hi, "guessed": int(g or 0)}
                    for pub, n, lo, hi, g in conn.execute(q)}

    def first_uncovered_date(self, publication: str) -> dt.date | None:
        """The earliest date of a live issue that no live digest of the publication covers (SQL)."""
        d = digests.alias("d")
        covered = sa.select(d.c.id).where(d.c.publication == publication, d.c.superseded.is_(False),
                                          d.c.start_date <= issues.c.issue_date, d.c.end_date >= issues.c.issue_date)
        q = sa.select(sa.func.min(issues.c.issue_date)).where(
            issues.c.publication == publication, issues.c.superseded.is_(False), ~sa.exists(covered))
        with self._read() as conn:
            return conn.execute(q).scalar()

    def issue_digests(self, issue_id: int) -> list[dict]:
        """The digests built from an issue (any version): [{id, start_date, end_date, dispatched_at}],
        oldest first; a digest with ``dispatched_at`` went to its readers."""
        q = (sa.select(digests.c.id, digests.c.start_date, digests.c.end_date, digests.c.dispatched_at)
             .join(digest_issues, digest_issues.c.digest_id == digests.c.id)
             .where(digest_issues.c.issue_id == issue_id).order_by(digests.c.id))
        with self._read() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def remove_issue(self, issue_id: int) -> dict | None:
        """Delete an issue (any version) with its pages, articles and summaries, and its place in
        the digests built from it (those rows and their outbox files stay: rebuild them). When it
        was the live version, the version it had superseded (if any) becomes live again. Returns
        the removed row (``restored``: the id of the version made live, or None), None when unknown.
        Refusing to remove a delivered issue is the caller's decision (issue_digests)."""
        with self._write() as conn:
            row = conn.execute(sa.select(issues).where(issues.c.id == issue_id).with_for_update()).first()
            if row is None:
                return None
            conn.execute(sa.delete(summaries).where(summaries.c.article_id.in_(
                sa.select(articles.c.id).where(articles.c.issue_id == issue_id))))
            for table in (articles, pages, digest_issues):  # also without ON DELETE CASCADE enforced
                conn.execute(sa.delete(table).where(table.c.issue_id == issue_id))
            conn.execute(sa.delete(issues).where(issues.c.id == issue_id))
            restored = None
            if not row.superseded:
                prev = conn.execute(sa.select(issues.c.id).where(
                    issues.c.publication == row.publication, issues.c.issue_date == row.issue_date,
                    issues.c.source_key == row.source_key).order_by(issues.c.version.desc()).limit(1)).scalar()
                if prev is not None:
                    conn.execute(sa.update(issues).where(issues.c.id == prev).values(superseded=False))
                    restored = prev
        return dict(row._mapping, sources=json.loads(row.sources), restored=restored)

    def issue_pages(self, issue_id: int) -> list[dict]:
        with self._read() as conn:
            rows = conn.execute(sa.select(pages).where(pages.c.issue_id == issue_id).order_by(pages.c.number))
            return [dict(r._mapping) for r in rows]

    def date_bounds(self, publication: str | None = None) -> tuple[dt.date | None, dt.date | None]:
        q = sa.select(sa.func.min(issues.c.issue_date), sa.func.max(issues.c.issue_date)).where(
            issues.c.superseded.is_(False))
        if publication:
            q = q.where(issues.c.publication == publication)
        with self._read() as conn:
            return tuple(conn.execute(q).one())  # type: ignore[return-value]

    # -- articles ---------------------------------------------------------------
    def _article_query(self):
        return (sa.select(articles, summaries.c.sentences, summaries.c.keywords, summaries.c.method,
                          summaries.c.short, issues.c.publication)
                .select_from(articles.join(issues, issues.c.id == articles.c.issue_id)
                             .outerjoin(summaries, summaries.c.article_id == articles.c.id))
                .where(issues.c.superseded.is_(False)))

    @staticmethod
    def _stored(r: Any) -> StoredArticle:
        summary = Summary(tuple(json.loads(r.sentences or "[]")), tuple(json.loads(r.keywords or "[]")),
                          r.method or "none", r.short or "")
        return StoredArticle(id=r.id, issue_id=r.issue_id, publication=r.publication, issue_date=r.issue_date,
                             article=_article_from_row(r), summary=summary, content_hash=r.content_hash,
                             minhash=r.minhash or b"")

    def articles_between(self, start: dt.date, end: dt.date, publication: str | None = None) -> list[StoredArticle]:
        q = self._article_query().where(articles.c.issue_date >= start, articles.c.issue_date <= end)
        if publication:
            q = q.where(issues.c.publication == publication)
        q = q.order_by(articles.c.issue_date, articles.c.issue_id, articles.c.page, articles.c.position)
        with self._read() as conn:
            return [self._stored(r) for r in conn.execute(q)]

    def article(self, article_id: int) -> StoredArticle | None:
        with self._read() as conn:
            r = conn.execute(self._article_query().where(articles.c.id == article_id)).first()
        return self._stored(r) if r is not None else None

    def issue_articles(self, issue_id: int) -> list[StoredArticle]:
        q = self._article_query().where(articles.c.issue_id == issue_id).order_by(articles.c.page, articles.c.position)
        with self._read() as conn:
            return [self._stored(r) for r in conn.execute(q)]

    # -- failures and job runs ------------------------------------------------------
    def record_failures(self, items: Iterable[Failure]) -> None:
        rows = [dict(path=f.path, stage=f.stage, message=f.message, hint=f.hint, created_at=_now()) for f in items]
        if rows:
            with self._write() as conn:
                conn.execute(sa.insert(failures), rows)

    def recent_failures(self, limit: int = 20) -> list[dict]:
        with self._read() as conn:
            rows = conn.execute(sa.select(failures).order_by(failures.c.id.desc()).limit(limit))
            return [dict(r._mapping) for r in rows]

    def log_run(self, job: str, started: dt.datetime, outcome: str, detail: str = "",
                finished: dt.datetime | None = None) -> None:
        with self._write() as conn:
            conn.execute(sa.insert(runs).values(job=job, started_at=started, finished_at=finished or _now(),
                                                outcome=outcome, detail=detail))

    def recent_runs(self, limit: int = 20, job: str | None = None) -> list[dict]:
        q = sa.select(runs).order_by(runs.c.id.desc()).limit(limit)
        if job:
            q = q.where(runs.c.job == job)
        with self._read() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    # -- read-only helpers for the preview (digest/preview.py) --------------------------------
    def revision(self) -> tuple[int, int]:
        """A cheap token that changes whenever an issue is written or superseded (for caches)."""
        q = sa.select(sa.func.coalesce(sa.func.max(issues.c.id), 0),
                      sa.func.count(issues.c.id).filter(issues.c.superseded.is_(False)))
        with self._read() as conn:
            top, live = conn.execute(q).one()
            return int(top), int(live)

"""The store: issues, pages, articles, summaries, digests and deliveries in one database.

SQLAlchemy Core, so the same code runs on SQLite (the default) or a server database.
The schema is created and migrated by `Store.migrate()` (see MIGRATIONS). Every issue is
written in one transaction: a crash mid-ingest leaves no partial issue behind.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import socket
from pathlib import Path
from typing import Any, Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from .errors import StoreError
from .faults import checkpoint
from .models import Article, Continuation, Failure, Issue, StoredArticle, Summary
from .schema import (MIGRATIONS, SCHEMA_VERSION, _now, articles, deliveries, digests, failures, issues,
                     meta_table, pages, runs, summaries)

_HOST = socket.gethostname()


def _claimer() -> str:
    return f"{_HOST}:{os.getpid()}"


def _claimer_dead(claimed_by: str | None) -> bool:
    """True when the claim was made on this host by a process that no longer exists."""
    host, _, pid = (claimed_by or "").rpartition(":")
    if host != _HOST or not pid.isdigit():
        return False  # another machine's claim, or unknown: cannot tell, so do not take it
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


BUSY_TIMEOUT_MS = 10_000  # how long SQLite waits for another process's lock before giving up


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
    try:
        cur.execute("PRAGMA journal_mode=WAL")
    except Exception:  # read-only database or filesystem: keep the default journal
        pass
    cur.close()


def make_engine(url: str) -> Engine:
    parsed = sa.engine.make_url(url)
    db = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and db not in ("", ":memory:") and not db.startswith("file:"):
        try:
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # connecting will fail with a clear message
    engine = sa.create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _article_from_row(r: Any) -> Article:
    paragraphs = tuple(p for p in r.body.split("\n") if p)
    conts = tuple(Continuation(**c) for c in json.loads(r.continuations or "[]"))
    return Article(
        title=r.title, byline=r.byline, kind=r.kind, paragraphs=paragraphs, position=r.position,
        main_title=r.main_title, dateline=r.dateline, page=r.page, source=r.source,
        captions=tuple(json.loads(r.captions or "[]")), continuations=conts,
    )


class Store:
    """All database access goes through here."""

    def __init__(self, url: str, migrate: bool = True):
        self.url = url
        try:
            self.engine = make_engine(url)
            if migrate:
                self.migrate()
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open database {url}: {exc.__class__.__name__}: {exc.orig if hasattr(exc, 'orig') else exc}",
                             "check DIGEST_DATABASE_URL and that the file and its folder are writable") from None

    # -- schema -------------------------------------------------------------
    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table(meta_table.name):
                return 0
            value = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")).scalar()
            return int(value or 0)

    def migrate(self) -> int:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(f"database schema version {current} is newer than this program ({SCHEMA_VERSION})",
                             "upgrade digest")
        for version in range(current + 1, SCHEMA_VERSION + 1):
            with self.engine.begin() as conn:
                MIGRATIONS[version](conn)
                conn.execute(sa.delete(meta_table).where(meta_table.c.key == "schema_version"))
                conn.execute(sa.insert(meta_table).values(key="schema_version", value=str(version)))
        return SCHEMA_VERSION

    def _write(self):
        """A transaction; database errors become StoreError with a hint."""
        return _Tx(self.engine)

    # -- issues ---------------------------------------------------------------
    def issue_id_by_hash(self, content_hash: str) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(issues.c.id).where(issues.c.content_hash == content_hash)).scalar()

    def save_issue(self, issue: Issue, items: Sequence[tuple]) -> int:
        """Write an issue with its pages, articles and summaries in one transaction.

        `items` are (article, summary, content_hash[, minhash]) tuples.

        A previous version of the same issue (same publication, date and sources) is marked
        superseded, so digests show only the newest version.
        """
        with self._write() as conn:
            prev = conn.execute(
                sa.select(issues.c.id, issues.c.version).where(
                    issues.c.publication == issue.publication, issues.c.issue_date == issue.date,
                    issues.c.sources == json.dumps(list(issue.sources), ensure_ascii=False),
                    issues.c.superseded.is_(False))
            ).first()
            version = 1
            if prev is not None:
                version = prev.version + 1
                conn.execute(sa.update(issues).where(issues.c.id == prev.id).values(superseded=True))
            issue_id = conn.execute(sa.insert(issues).values(
                publication=issue.publication, issue_date=issue.date, date_rule=issue.date_rule,
                content_hash=issue.content_hash, sources=json.dumps(list(issue.sources), ensure_ascii=False),
                version=version, superseded=False, ingested_at=_now(),
            )).inserted_primary_key[0]
            if issue.pages:
                conn.execute(sa.insert(pages), [
                    dict(issue_id=issue_id, number=p.number, source=p.source, sha256=p.sha256,
                         encoding=p.encoding, text=p.text) for p in issue.pages])
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

    def list_issues(self, publication: str | None = None) -> list[dict]:
        q = (sa.select(issues, sa.func.count(articles.c.id).label("articles"))
             .select_from(issues.outerjoin(articles, articles.c.issue_id == issues.c.id))
             .where(issues.c.superseded.is_(False))
             .group_by(issues.c.id).order_by(issues.c.issue_date.desc(), issues.c.id))
        if publication:
            q = q.where(issues.c.publication == publication)
        with self.engine.connect() as conn:
            return [dict(r._mapping, sources=json.loads(r.sources)) for r in conn.execute(q)]

    def issue_pages(self, issue_id: int) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(pages).where(pages.c.issue_id == issue_id).order_by(pages.c.number))
            return [dict(r._mapping) for r in rows]

    def date_bounds(self, publication: str | None = None) -> tuple[dt.date | None, dt.date | None]:
        q = sa.select(sa.func.min(issues.c.issue_date), sa.func.max(issues.c.issue_date)).where(
            issues.c.superseded.is_(False))
        if publication:
            q = q.where(issues.c.publication == publication)
        with self.engine.connect() as conn:
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
        with self.engine.connect() as conn:
            return [self._stored(r) for r in conn.execute(q)]

    def article(self, article_id: int) -> StoredArticle | None:
        with self.engine.connect() as conn:
            r = conn.execute(self._article_query().where(articles.c.id == article_id)).first()
        return self._stored(r) if r is not None else None

    def issue_articles(self, issue_id: int) -> list[StoredArticle]:
        q = self._article_query().where(articles.c.issue_id == issue_id).order_by(articles.c.page, articles.c.position)
        with self.engine.connect() as conn:
            return [self._stored(r) for r in conn.execute(q)]

    # -- failures and job runs ------------------------------------------------------
    def record_failures(self, items: Iterable[Failure]) -> None:
        rows = [dict(path=f.path, stage=f.stage, message=f.message, hint=f.hint, created_at=_now()) for f in items]
        if rows:
            with self._write() as conn:
                conn.execute(sa.insert(failures), rows)

    def recent_failures(self, limit: int = 20) -> list[dict]:
        with self.engine.connect() as conn:
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
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    # -- digests and deliveries --------------------------------------------------------
    def save_digest(self, **values: Any) -> int:
        with self._write() as conn:
            return conn.execute(sa.insert(digests).values(built_at=_now(), **values)).inserted_primary_key[0]

    def digest_row(self, digest_id: int) -> dict | None:
        with self.engine.connect() as conn:
            r = conn.execute(sa.select(digests).where(digests.c.id == digest_id)).first()
            return dict(r._mapping) if r else None

    def find_digest(self, publication: str, start: dt.date, end: dt.date) -> dict | None:
        """The newest digest built for exactly this range."""
        with self.engine.connect() as conn:
            r = conn.execute(sa.select(digests).where(
                digests.c.publication == publication, digests.c.start_date == start, digests.c.end_date == end,
            ).order_by(digests.c.id.desc())).first()
            return dict(r._mapping) if r else None

    def list_digests(self, limit: int = 50) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(digests).order_by(digests.c.id.desc()).limit(limit)).all()
            out = []
            for r in rows:
                d = dict(r._mapping)
                d["deliveries"] = self.deliveries(r.id, conn=conn)
                out.append(d)
            return out

    def queue_deliveries(self, digest_id: int, recipients: Iterable[str]) -> None:
        """Queue the digest for each recipient; recipients already queued or sent are left alone."""
        with self._write() as conn:
            known = set(conn.execute(sa.select(deliveries.c.recipient).where(deliveries.c.digest_id == digest_id)).scalars())
            rows = [dict(digest_id=digest_id, recipient=r, status="queued", attempts=0, last_reply="", updated_at=_now())
                    for r in dict.fromkeys(recipients) if r not in known]
            if rows:
                conn.execute(sa.insert(deliveries), rows)

    def deliveries(self, digest_id: int, conn: Any = None) -> list[dict]:
        q = sa.select(deliveries).where(deliveries.c.digest_id == digest_id).order_by(deliveries.c.id)
        if conn is not None:
            return [dict(r._mapping) for r in conn.execute(q)]
        with self.engine.connect() as c:
            return [dict(r._mapping) for r in c.execute(q)]

    def claim_delivery(self, digest_id: int, recipient: str) -> bool:
        """Mark a queued delivery as `sending` (claimed by this process) before talking to the server.

        Returns False when it cannot be claimed: already sent, failed for good, being sent by a live
        process, or `in-data` (a crash after the DATA command: the server may have the message, so
        it is never re-sent automatically; `digest status` shows it). A `sending` claim left by a
        process that died before DATA is taken over: that message never reached the server.
        """
        with self._write() as conn:
            row = conn.execute(sa.select(deliveries.c.status, deliveries.c.claimed_by).where(
                deliveries.c.digest_id == digest_id, deliveries.c.recipient == recipient)).first()
            if row is None:
                return False
            if row.status == "sending" and _claimer_dead(row.claimed_by):
                expected = "sending"
            elif row.status == "queued":
                expected = "queued"
            else:
                return False
            res = conn.execute(sa.update(deliveries).where(
                deliveries.c.digest_id == digest_id, deliveries.c.recipient == recipient,
                deliveries.c.status == expected,
            ).values(status="sending", claimed_by=_claimer(), attempts=deliveries.c.attempts + 1, updated_at=_now()))
            return res.rowcount == 1

    def delivery_in_data(self, digest_id: int, recipient: str) -> None:
        """Record that the DATA command is about to go out: from here a crash is ambiguous."""
        with self._write() as conn:
            conn.execute(sa.update(deliveries).where(
                deliveries.c.digest_id == digest_id, deliveries.c.recipient == recipient,
                deliveries.c.status == "sending").values(status="in-data", updated_at=_now()))

    def finish_delivery(self, digest_id: int, recipient: str, status: str, reply: str = "") -> None:
        """Record the server's answer: sent, failed (permanent) or queued (temporary, will retry)."""
        assert status in ("sent", "failed", "queued")
        values: dict[str, Any] = dict(status=status, last_reply=reply[:2000], updated_at=_now())
        if status == "sent":
            values["sent_at"] = _now()
        with self._write() as conn:
            conn.execute(sa.update(deliveries).where(
                deliveries.c.digest_id == digest_id, deliveries.c.recipient == recipient).values(**values))

    def requeue_delivery(self, digest_id: int, recipient: str) -> None:
        """Operator's explicit decision to retry a delivery left `sending` or `failed`."""
        self.finish_delivery(digest_id, recipient, "queued", "requeued by operator")

    def last_sent_digest(self, publication: str) -> dict | None:
        q = (sa.select(digests).join(deliveries, deliveries.c.digest_id == digests.c.id)
             .where(digests.c.publication == publication, deliveries.c.status == "sent")
             .order_by(digests.c.end_date.desc(), digests.c.id.desc()))
        with self.engine.connect() as conn:
            r = conn.execute(q).first()
            return dict(r._mapping) if r else None

    def pending_deliveries(self) -> list[dict]:
        q = (sa.select(deliveries, digests.c.subject).join(digests, digests.c.id == deliveries.c.digest_id)
             .where(deliveries.c.status != "sent").order_by(deliveries.c.id))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    # -- read-only helpers for the preview (digest/preview.py) --------------------------------
    def revision(self) -> tuple[int, int]:
        """A cheap token that changes whenever an issue is written or superseded (for caches)."""
        q = sa.select(sa.func.coalesce(sa.func.max(issues.c.id), 0),
                      sa.func.count(issues.c.id).filter(issues.c.superseded.is_(False)))
        with self.engine.connect() as conn:
            top, live = conn.execute(q).one()
            return int(top), int(live)


class _Tx:
    """engine.begin() that turns database errors into StoreError with a hint."""

    def __init__(self, engine: Engine):
        self._cm = engine.begin()

    def __enter__(self):
        try:
            return self._cm.__enter__()
        except OperationalError as exc:
            raise _store_error(exc) from None

    def __exit__(self, et, ev, tb):
        try:
            handled = self._cm.__exit__(et, ev, tb)
        except OperationalError as exc:
            raise _store_error(exc) from None
        if isinstance(ev, OperationalError):
            raise _store_error(ev) from None
        return handled


def _store_error(exc: OperationalError) -> StoreError:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    hint = "another process may hold the database; try again" if "locked" in text else \
        "check that the database file and its folder are writable and the disk is not full"
    return StoreError(f"database error: {text}", hint)

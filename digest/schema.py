"""The database schema and its migrations (SQLAlchemy Core; SQLite or any server database).

`MIGRATIONS[n]` upgrades a database at version n-1 to version n; `digest.db.migrate()` runs the
missing ones in one transaction under a database lock (a PostgreSQL advisory lock, SQLite's write
lock), so commands started at once on an empty database never race, and records the version in
`digest_meta`.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


meta_table = sa.Table(
    "digest_meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
issues = sa.Table(
    "issues", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("publication", sa.String(200), nullable=False),
    sa.Column("issue_date", sa.Date, nullable=False, index=True),
    sa.Column("date_rule", sa.String(20), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("sources", sa.Text, nullable=False),  # JSON list of logical source keys (digest/sources.py)
    sa.Column("source_key", sa.String(64)),  # sha256 of `sources`: one live version per (publication, date, key) (v5)
    sa.Column("version", sa.Integer, nullable=False, default=1),
    sa.Column("superseded", sa.Boolean, nullable=False, default=False),
    sa.Column("ingested_at", sa.DateTime, nullable=False, default=_now),
)
pages = sa.Table(
    "pages", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("issue_id", sa.Integer, sa.ForeignKey("issues.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("source", sa.Text, nullable=False),  # logical key (digest/sources.py)
    sa.Column("path", sa.Text),  # where the ingesting host read it (the preview renders PDF pages from it) (v7)
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("encoding", sa.String(40), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)
articles = sa.Table(
    "articles", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("issue_id", sa.Integer, sa.ForeignKey("issues.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("issue_date", sa.Date, nullable=False, index=True),  # denormalised for range queries
    sa.Column("page", sa.Integer, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("title", sa.Text),
    sa.Column("main_title", sa.Text),
    sa.Column("byline", sa.Text),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("dateline", sa.String(40)),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("captions", sa.Text, nullable=False, default="[]"),
    sa.Column("continuations", sa.Text, nullable=False, default="[]"),
    sa.Column("source", sa.Text, nullable=False, default=""),
    sa.Column("content_hash", sa.String(64), nullable=False, index=True),
    sa.Column("minhash", sa.LargeBinary),  # MinHash signature for repeat detection (schema v3)
)
summaries = sa.Table(
    "summaries", metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("sentences", sa.Text, nullable=False),  # JSON list
    sa.Column("keywords", sa.Text, nullable=False),  # JSON list
    sa.Column("method", sa.String(40), nullable=False),
    sa.Column("short", sa.Text),  # one whole sentence for one-line listings (schema v4)
)
failures = sa.Table(
    "failures", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("stage", sa.String(20), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("hint", sa.Text, nullable=False, default=""),
    sa.Column("created_at", sa.DateTime, nullable=False, default=_now),
)
digests = sa.Table(
    "digests", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("publication", sa.String(200), nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("end_date", sa.Date, nullable=False),
    sa.Column("built_at", sa.DateTime, nullable=False, default=_now),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("message_id", sa.String(255), nullable=False, unique=True),
    sa.Column("eml_path", sa.Text, nullable=False),
    sa.Column("html_path", sa.Text, nullable=False),
    sa.Column("text_path", sa.Text, nullable=False),
    sa.Column("article_count", sa.Integer, nullable=False, default=0),
    sa.Column("content_hash", sa.String(64), nullable=False, index=True),
    sa.Column("superseded", sa.Boolean, nullable=False, default=False, server_default=sa.false()),  # (v5)
    sa.Column("eml", sa.LargeBinary),  # the message's wire bytes: any host can send it (v5)
    # when it went to its readers: deliveries queued for the list, or (without SMTP) written by the
    # morning run. A digest only built (or only test-sent) has none: its issues are not delivered (v9)
    sa.Column("dispatched_at", sa.DateTime),
)
digest_issues = sa.Table(  # the issues (versions) a digest was built from: what the morning run has delivered (v9)
    "digest_issues", metadata,
    sa.Column("digest_id", sa.Integer, sa.ForeignKey("digests.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("issue_id", sa.Integer, sa.ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True, index=True),
)
test_sends = sa.Table(  # `digest send --test-to` and the preview's "send test": never a delivery of the digest (v9)
    "test_sends", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("digest_id", sa.Integer, sa.ForeignKey("digests.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("recipient", sa.String(320), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),  # sent | failed | queued (temporary trouble: not retried)
    sa.Column("attempts", sa.Integer, nullable=False, default=0),  # SMTP tries
    sa.Column("last_reply", sa.Text, nullable=False, default=""),
    sa.Column("created_at", sa.DateTime, nullable=False, default=_now),
)
deliveries = sa.Table(
    "deliveries", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("digest_id", sa.Integer, sa.ForeignKey("digests.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("recipient", sa.String(320), nullable=False),
    # queued -> sending (claimed, before DATA) -> in-data (DATA command issued)
    #        -> sent | failed (permanent or ambiguous) | queued again (temporary failure)
    #        | cancelled (the reader unsubscribed or bounced before it was sent; digest/subscribers.py)
    sa.Column("status", sa.String(12), nullable=False, default="queued"),
    sa.Column("claimed_by", sa.String(80)),  # "host:pid" of the process sending it (schema v2)
    sa.Column("lease_until", sa.DateTime),  # a `sending` claim past this time may be taken over (v5)
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_reply", sa.Text, nullable=False, default=""),
    sa.Column("updated_at", sa.DateTime, nullable=False, default=_now),
    sa.Column("sent_at", sa.DateTime),
    sa.UniqueConstraint("digest_id", "recipient", name="uq_delivery_recipient"),
)
runs = sa.Table(
    "job_runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("job", sa.String(40), nullable=False, index=True),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),
    sa.Column("outcome", sa.String(20), nullable=False),  # ok | partial | nothing | failed | missed
    sa.Column("detail", sa.Text, nullable=False, default=""),
)

leases = sa.Table(  # named leases with heartbeat and expiry: the leader of `digest run` (v5)
    "leases", metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("holder", sa.String(200), nullable=False),  # "host:pid:home-tag"
    sa.Column("acquired_at", sa.DateTime, nullable=False),
    sa.Column("heartbeat_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
)
services = sa.Table(  # every running `digest run` / `digest worker`, by heartbeat (v5)
    "services", metadata,
    sa.Column("instance", sa.String(200), primary_key=True),  # "host:pid:home-tag"
    sa.Column("kind", sa.String(20), nullable=False),  # run | worker
    sa.Column("host", sa.String(120), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("home", sa.Text, nullable=False, default=""),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("heartbeat_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime),  # heartbeat_at + the service's lease: dead after it (v6)
    sa.Column("stopped_at", sa.DateTime),
    sa.Column("detail", sa.Text, nullable=False, default=""),
)
scheduled_runs = sa.Table(  # one row per (publication, run time): exactly one host builds and sends (v5)
    "scheduled_runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("publication", sa.String(200), nullable=False),
    sa.Column("run_at", sa.DateTime, nullable=False),  # the cron fire time, naive UTC
    sa.Column("state", sa.String(12), nullable=False),  # running | done | failed
    sa.Column("claimed_by", sa.String(200), nullable=False),
    sa.Column("lease_until", sa.DateTime, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=1),
    sa.Column("digest_id", sa.Integer),
    sa.Column("outcome", sa.String(20)),
    sa.Column("detail", sa.Text, nullable=False, default=""),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("publication", "run_at", name="uq_scheduled_run"),
)
jobs = sa.Table(  # the ingest work queue: one issue per job, page bytes inside (v5; digest/queue.py)
    "ingest_jobs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("content_hash", sa.String(64), nullable=False, unique=True),  # enqueuing twice is a no-op
    sa.Column("publication", sa.String(200), nullable=False),
    sa.Column("issue_date", sa.Date),  # decided at enqueue when known (path or --date)
    sa.Column("payload", sa.LargeBinary, nullable=False),  # JSON: sources, page bytes (base64), options
    sa.Column("label", sa.Text, nullable=False, default=""),  # a human name (first source)
    sa.Column("state", sa.String(12), nullable=False),  # queued | running | done | failed
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("max_attempts", sa.Integer, nullable=False, default=3),
    sa.Column("claimed_by", sa.String(200)),
    sa.Column("lease_until", sa.DateTime),
    sa.Column("enqueued_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("issue_id", sa.Integer),
    sa.Column("result", sa.Text, nullable=False, default=""),
    sa.Index("ix_ingest_jobs_state", "state", "id"),
)
subscribers = sa.Table(  # the readers of each publication (digest/subscribers.py; v8)
    "subscribers", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("publication", sa.String(200), nullable=False),
    sa.Column("email", sa.String(320), nullable=False),  # as validated (email-validator's ASCII form)
    sa.Column("email_key", sa.String(320), nullable=False),  # lower case: one row per address and publication
    sa.Column("name", sa.Text, nullable=False, default=""),
    sa.Column("status", sa.String(16), nullable=False),  # pending | active | unsubscribed | bounced
    sa.Column("source", sa.String(200), nullable=False, default=""),  # of the last change (cli, import, web …)
    sa.Column("token_nonce", sa.String(32), nullable=False),  # in every signed token: a new one revokes them
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("publication", "email_key", name="uq_subscriber_address"),
    sa.Index("ix_subscribers_pub_status", "publication", "status"),
)
subscriber_events = sa.Table(  # every change of a subscriber's status: when, to what, from where (v8)
    "subscriber_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("subscriber_id", sa.Integer, sa.ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=False,
              index=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, default=""),
)
# APScheduler 3's job store table (digest/scheduler.py), created here by the migration so two
# schedulers starting at once never race to create it (same definition as SQLAlchemyJobStore's).
apscheduler_jobs = sa.Table(
    "apscheduler_jobs", metadata,
    sa.Column("id", sa.Unicode(191), primary_key=True),
    sa.Column("next_run_time", sa.Float(25), index=True),
    sa.Column("job_state", sa.LargeBinary, nullable=False),
)
# At most one live version of an issue per (publication, date, sources) and one live digest per
# (publication, range): partial unique indexes, enforced by the database for every writer.
LIVE_ISSUE = sa.Index("uq_issues_live", issues.c.publication, issues.c.issue_date, issues.c.source_key,
                      unique=True, sqlite_where=issues.c.superseded.is_(False),
                      postgresql_where=issues.c.superseded.is_(False))
LIVE_DIGEST = sa.Index("uq_digests_live", digests.c.publication, digests.c.start_date, digests.c.end_date,
                       unique=True, sqlite_where=digests.c.superseded.is_(False),
                       postgresql_where=digests.c.superseded.is_(False))
sa.Index("ix_articles_date_issue", articles.c.issue_date, articles.c.issue_id)
sa.Index("ix_issues_pub_date", issues.c.publication, issues.c.issue_date)


def _add_column(table: str, column: str, type_: sa.types.TypeEngine):
    """A migration adding one nullable column (a fresh database already has it from create_all)."""
    def migrate(conn) -> None:
        if column not in {c["name"] for c in sa.inspect(conn).get_columns(table)}:
            conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {column} {type_.compile(dialect=conn.dialect)}"))
    return migrate


def _v5(conn) -> None:
    """Logical source keys, one live version per issue and per digest range, delivery leases,
    leases/services/scheduled runs and the ingest queue. Old duplicates keep only their newest live row."""
    import hashlib

    for table, column, type_ in (("issues", "source_key", sa.String(64)), ("digests", "superseded", sa.Boolean()),
                                 ("digests", "eml", sa.LargeBinary()), ("deliveries", "lease_until", sa.DateTime())):
        _add_column(table, column, type_)(conn)
    conn.execute(sa.update(digests).where(digests.c.superseded.is_(None)).values(superseded=False))
    for row in conn.execute(sa.select(issues.c.id, issues.c.sources).where(issues.c.source_key.is_(None))).all():
        conn.execute(sa.update(issues).where(issues.c.id == row.id).values(
            source_key=hashlib.sha256(row.sources.encode()).hexdigest()))
    for table, key in ((issues, (issues.c.publication, issues.c.issue_date, issues.c.source_key)),
                       (digests, (digests.c.publication, digests.c.start_date, digests.c.end_date))):
        newest = sa.select(sa.func.max(table.c.id)).where(table.c.superseded.is_(False)).group_by(*key)
        conn.execute(sa.update(table).where(table.c.superseded.is_(False), table.c.id.not_in(newest))
                     .values(superseded=True))
    metadata.create_all(conn, tables=[leases, services, scheduled_runs, jobs, apscheduler_jobs])
    for index in (LIVE_ISSUE, LIVE_DIGEST, *[i for i in articles.indexes | issues.indexes if i.name in (
            "ix_articles_date_issue", "ix_issues_pub_date")]):
        index.create(conn, checkfirst=True)


def _v9(conn) -> None:
    """Test sends apart from deliveries; which issues each digest holds; when a digest went out.

    Digests built before: their issues are the versions ingested before the build whose date is in
    the range, and each counts as dispatched when built (so far a built digest was a delivered one):
    an upgrade never mails the history again. Deliveries cannot be told from test sends afterwards.
    """
    _add_column("digests", "dispatched_at", sa.DateTime())(conn)
    metadata.create_all(conn, tables=[digest_issues, test_sends])
    conn.execute(sa.update(digests).where(digests.c.dispatched_at.is_(None)).values(dispatched_at=digests.c.built_at))
    members = sa.select(digests.c.id, issues.c.id).select_from(digests.join(issues, sa.and_(
        issues.c.publication == digests.c.publication, issues.c.issue_date >= digests.c.start_date,
        issues.c.issue_date <= digests.c.end_date, issues.c.ingested_at <= digests.c.built_at)))
    known = sa.select(digest_issues.c.digest_id)
    conn.execute(sa.insert(digest_issues).from_select(["digest_id", "issue_id"],
                                                      members.where(digests.c.id.not_in(known))))


SCHEMA_VERSION = 9
# Migration n upgrades a database at version n-1 to version n. Version 1 is the initial schema
# (created from the current metadata, so later migrations must tolerate finding their change done).
MIGRATIONS: dict[int, Any] = {
    1: lambda conn: metadata.create_all(conn),
    2: _add_column("deliveries", "claimed_by", sa.String(80)),  # who is sending: a dead claimer's claim is retaken
    3: _add_column("articles", "minhash", sa.LargeBinary()),  # repeat detection without re-shingling
    4: _add_column("summaries", "short", sa.Text()),  # one-line summary sentence
    5: _v5,
    6: _add_column("services", "expires_at", sa.DateTime()),  # liveness of a service by its own lease
    7: _add_column("pages", "path", sa.Text()),  # the local file a page was read from
    8: lambda conn: metadata.create_all(conn, tables=[subscribers, subscriber_events]),  # newsletter readers
    9: _v9,  # test sends, digest_issues, digests.dispatched_at (delivery: what the morning run covers)
}

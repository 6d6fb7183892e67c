"""The database schema and its migrations (SQLAlchemy Core; SQLite or any server database).

`MIGRATIONS[n]` upgrades a database at version n-1 to version n; `Store.migrate()` runs the
missing ones, each in its own transaction, and records the version in `digest_meta`.
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
    sa.Column("sources", sa.Text, nullable=False),  # JSON list of paths
    sa.Column("version", sa.Integer, nullable=False, default=1),
    sa.Column("superseded", sa.Boolean, nullable=False, default=False),
    sa.Column("ingested_at", sa.DateTime, nullable=False, default=_now),
)
pages = sa.Table(
    "pages", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("issue_id", sa.Integer, sa.ForeignKey("issues.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
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
)
deliveries = sa.Table(
    "deliveries", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("digest_id", sa.Integer, sa.ForeignKey("digests.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("recipient", sa.String(320), nullable=False),
    # queued -> sending (claimed, before DATA) -> in-data (DATA command issued)
    #        -> sent | failed (permanent or ambiguous) | queued again (temporary failure)
    sa.Column("status", sa.String(12), nullable=False, default="queued"),
    sa.Column("claimed_by", sa.String(80)),  # "host:pid" of the process sending it (schema v2)
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

def _add_column(table: str, column: str, type_: sa.types.TypeEngine):
    """A migration adding one nullable column (a fresh database already has it from create_all)."""
    def migrate(conn) -> None:
        if column not in {c["name"] for c in sa.inspect(conn).get_columns(table)}:
            conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {column} {type_.compile(dialect=conn.dialect)}"))
    return migrate


SCHEMA_VERSION = 4
# Migration n upgrades a database at version n-1 to version n. Version 1 is the initial schema
# (created from the current metadata, so later migrations must tolerate finding their change done).
MIGRATIONS: dict[int, Any] = {
    1: lambda conn: metadata.create_all(conn),
    2: _add_column("deliveries", "claimed_by", sa.String(80)),  # who is sending: a dead claimer's claim is retaken
    3: _add_column("articles", "minhash", sa.LargeBinary()),  # repeat detection without re-shingling
    4: _add_column("summaries", "short", sa.Text()),  # one-line summary sentence
}

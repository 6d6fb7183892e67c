"""Database plumbing shared by the store, the leases and the work queue (SQLite or PostgreSQL).

- `make_engine(url)`: an engine with SQLite's busy timeout and WAL, or psycopg 3 for a plain
  `postgresql://` URL (psycopg2 is not a dependency);
- `safe_url(url)`: the URL with its password shown as *** (for config output, errors and logs);
- `write(engine)`: a write transaction; on SQLite it starts with BEGIN IMMEDIATE (the database's
  write lock is taken at once, so two writers queue instead of failing to upgrade a read lock);
  database errors become StoreError with a hint, unique violations are left to the caller;
- `migrate(engine)`: schema migrations under a database lock (PostgreSQL advisory lock, SQLite
  write lock): commands started at once on an empty database all succeed, one of them migrates;
- `is_unique_violation(exc)`: an IntegrityError raised by a unique index or constraint.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError

from .errors import StoreError

BUSY_TIMEOUT_MS = 10_000  # how long SQLite waits for another process's lock before giving up
MIGRATION_LOCK = 0x64696765  # "dige": the PostgreSQL advisory lock key of schema migrations
_ENGINES: dict[tuple[str, int], Engine] = {}  # PostgreSQL engines by (URL, pid); a fork makes its own


def utcnow() -> dt.datetime:
    """Naive UTC, as every time in the store."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def safe_url(url: str | sa.engine.URL | None) -> str:
    """The URL for people: the password replaced by *** (SQLAlchemy's hide_password)."""
    if url is None:
        return ""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL at all: hide anything between :// and @
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", str(url))


def scrub(text: str, url: str | None) -> str:
    """`text` with the password of `url` (if any) replaced by ***."""
    try:
        password = sa.engine.make_url(url).password if url else None
    except Exception:  # noqa: BLE001
        password = None
    if password:
        text = text.replace(str(password), "***")
    return text.replace(str(url), safe_url(url)) if url else text


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
    """An engine for `url`. Raises StoreError (password hidden) when the driver is missing."""
    parsed = sa.engine.make_url(url)
    backend = parsed.get_backend_name()
    db = parsed.database or ""
    if backend == "sqlite" and db not in ("", ":memory:") and not db.startswith("file:"):
        try:
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # connecting will fail with a clear message
    if backend == "postgresql" and parsed.drivername == "postgresql":
        try:
            import psycopg2  # noqa: F401
        except ImportError:
            parsed = parsed.set(drivername="postgresql+psycopg")
    key = (parsed.render_as_string(hide_password=False), os.getpid())
    if backend == "postgresql" and key in _ENGINES:
        return _ENGINES[key]  # one pool per server per process: a job opening a Store is not a new connection
    try:
        if backend == "postgresql":
            engine = _ENGINES[key] = sa.create_engine(parsed, pool_pre_ping=True, pool_size=2, max_overflow=8)
        else:
            engine = sa.create_engine(parsed)
    except (ImportError, sa.exc.NoSuchModuleError) as exc:
        raise StoreError(f"cannot open database {safe_url(url)}: {exc.__class__.__name__}: {exc}",
                         "install the database driver (psycopg for PostgreSQL) or check DIGEST_DATABASE_URL") from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def store_error(exc: SQLAlchemyError, url: str | None = None) -> StoreError:
    orig = getattr(exc, "orig", None)
    text = scrub(str(orig if orig is not None else exc).strip(), url)
    if "locked" in text or "could not obtain lock" in text:
        hint = "another process may hold the database; try again"
    elif isinstance(exc, OperationalError) and ("connect" in text or "server" in text):
        hint = "check that the database server is running and DIGEST_DATABASE_URL"
    else:
        hint = "check that the database (file and folder, or server) is writable and the disk is not full"
    return StoreError(f"database error: {text.splitlines()[0] if text else exc.__class__.__name__}", hint)


def is_unique_violation(exc: BaseException) -> bool:
    if not isinstance(exc, IntegrityError):
        return False
    text = str(exc.orig).lower()
    return "unique" in text or "duplicate key" in text


@contextlib.contextmanager
def write(engine: Engine, url: str | None = None) -> Iterator[Connection]:
    """A write transaction (BEGIN IMMEDIATE on SQLite). Database errors other than integrity
    errors become StoreError; integrity errors propagate for the caller to interpret."""
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn
    except IntegrityError:
        raise
    except DBAPIError as exc:
        raise store_error(exc, url) from None


@contextlib.contextmanager
def read(engine: Engine, url: str | None = None) -> Iterator[Connection]:
    """A read-only connection; database errors become StoreError."""
    try:
        with engine.connect() as conn:
            yield conn
    except DBAPIError as exc:
        raise store_error(exc, url) from None


# -- migrations ------------------------------------------------------------------------------------

def current_version(conn: Connection) -> int:
    from .schema import meta_table

    if not sa.inspect(conn).has_table(meta_table.name):
        return 0
    value = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")).scalar()
    return int(value or 0)


def check_version(version: int) -> None:
    from .schema import SCHEMA_VERSION

    if version > SCHEMA_VERSION:
        raise StoreError(f"database schema version {version} is newer than this program ({SCHEMA_VERSION})",
                         "a newer digest upgraded this database: upgrade digest on this machine too")


def migrate(engine: Engine, url: str | None = None, *, target: int | None = None) -> tuple[int, int]:
    """Bring the schema to `target` (default: this program's). Returns (version before, after).

    Runs every missing migration in one transaction holding the database's migration lock, and
    reads the version again once it holds it: a second process waiting on the lock finds the work
    done. Raises StoreError on a schema newer than this program.
    """
    from .schema import MIGRATIONS, SCHEMA_VERSION, meta_table

    target = SCHEMA_VERSION if target is None else target
    with read(engine, url) as conn:
        before = current_version(conn)
    check_version(before)
    if before >= target:
        return before, before
    with write(engine, url) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK)))
        now = current_version(conn)  # another process may have migrated while we waited
        check_version(now)
        for version in range(now + 1, target + 1):
            MIGRATIONS[version](conn)
        if target > now:
            conn.execute(sa.delete(meta_table).where(meta_table.c.key == "schema_version"))
            conn.execute(sa.insert(meta_table).values(key="schema_version", value=str(target)))
    return before, max(now, target)

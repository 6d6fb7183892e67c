"""A throw-away PostgreSQL server for the tests, on 127.0.0.1 and a free port.

Debian's `postgresql` package (installed by `make test` through scripts/system-deps.sh) gives
initdb and pg_ctl under /usr/lib/postgresql/N/bin. The cluster is made with `initdb` in a
temporary folder, started with `pg_ctl` (as the `postgres` user when the tests run as root:
PostgreSQL refuses to run as root), trusted on loopback only, and removed at the end of the
session. Each test that asks for `pg_url` gets a fresh database (CREATE DATABASE cannot run
inside a transaction block: it runs on an AUTOCOMMIT connection).

Fixtures:
  pg_server  the running server (session), or a skip with the reason it cannot run;
  pg_url     a SQLAlchemy URL of a new empty database on it;
  db_url     parametrised: a SQLite file URL, then a PostgreSQL URL (tests of the store, ingest,
             build, send and the scheduler run on both).
"""
from __future__ import annotations

import atexit
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest


def _bindir() -> Path | None:
    env = os.environ.get("DIGEST_TEST_PG_BIN")
    if env:
        return Path(env)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="digest-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user = None  # OS user running the server
        if os.geteuid() == 0:
            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root and there is no `postgres` user to run the server as") from None
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        self.counter = itertools.count(1)

    def _run(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / argv[0]), *argv[1:]]
        if self.user is not None:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=str(self.root))
        if done.returncode != 0:
            log = (self.root / "server.log")
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(argv[:2])} failed: {done.stderr.strip() or done.stdout.strip()}\n{tail}")
        return done

    def start(self) -> "PgServer":
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        opts = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
                f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.root / "server.log"), "-w", "start")
        return self

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=60)
        except Exception:  # noqa: BLE001 - best effort; the folder goes anyway
            pass
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        import sqlalchemy as sa

        name = f"t{os.getpid()}_{next(self.counter)}"
        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import sqlalchemy as sa

        name = url.rsplit("/", 1)[1]
        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            engine.dispose()


_server: PgServer | None = None
_reason = ""


def server_or_skip() -> PgServer:
    """The session's server, started at the first call; pytest.skip with the reason if impossible."""
    global _server, _reason
    if _server is None and not _reason:
        bindir = _bindir()
        try:
            import psycopg  # noqa: F401
        except ImportError:
            _reason = "psycopg is not installed (pip install -e '.[test]')"
        else:
            if bindir is None or not (bindir / "initdb").exists():
                _reason = "PostgreSQL server binaries not found (Debian package `postgresql`; make test installs it)"
            else:
                try:
                    _server = PgServer(bindir).start()
                    atexit.register(_server.stop)
                except Exception as exc:  # noqa: BLE001
                    _reason = f"cannot start a throw-away PostgreSQL server: {exc}"
    if _server is None:
        pytest.skip(_reason)
    return _server


@pytest.fixture(scope="session")
def pg_server():
    server = server_or_skip()
    yield server


@pytest.fixture
def pg_url(pg_server):
    url = pg_server.create_database()
    yield url
    pg_server.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A database URL on each engine: a SQLite file in tmp_path, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'digest.db'}"
        return
    server = server_or_skip()
    url = server.create_database()
    yield url
    server.drop_database(url)

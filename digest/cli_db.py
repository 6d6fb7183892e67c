"""`digest db upgrade|current` (schema migrations) and `digest worker` (the ingest queue's workers).

Registered on the `digest` group by cli.py. Thin shells over digest.db and digest.queue.
"""
from __future__ import annotations

import json
import sys

import click

from . import db
from .context import Fail, pass_ctx
from .errors import DigestError


def register(cli) -> None:
    """Add `digest db` (and `digest worker`) to the `digest` group."""

    @cli.group("db")
    def db_group():
        """The database schema: see its version, upgrade it.

        Every command upgrades an older schema by itself (under a database lock, so commands
        started at once never race); `digest db upgrade` does it explicitly, e.g. before starting
        services on several machines. A schema newer than this program is refused by every command.
        """

    @db_group.command("current")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON {url, current, program, state}.")
    @pass_ctx
    def db_current(c, as_json):
        """Show the schema version of the database and of this program (changes nothing)."""
        from .schema import SCHEMA_VERSION

        settings = c.settings()
        try:
            engine = db.make_engine(settings.database_url)
            with db.read(engine, settings.database_url) as conn:
                current = db.current_version(conn)
            engine.dispose()
        except DigestError as exc:
            raise Fail(str(exc)) from None
        state = ("empty" if current == 0 else "up to date" if current == SCHEMA_VERSION
                 else "older: run `digest db upgrade`" if current < SCHEMA_VERSION
                 else "newer than this program: upgrade digest")
        if as_json:
            click.echo(json.dumps({"url": db.safe_url(settings.database_url), "current": current,
                                   "program": SCHEMA_VERSION, "state": state}))
        else:
            click.echo(f"{db.safe_url(settings.database_url)}: schema {current} (this program: {SCHEMA_VERSION}): {state}")
        sys.exit(2 if current > SCHEMA_VERSION else 0)

    @db_group.command("upgrade")
    @pass_ctx
    def db_upgrade(c):
        """Create or upgrade the schema to this program's version (safe to run on several machines at once)."""
        settings = c.settings()
        try:
            engine = db.make_engine(settings.database_url)
            before, after = db.migrate(engine, settings.database_url)
            engine.dispose()
        except DigestError as exc:
            raise Fail(str(exc)) from None
        url = db.safe_url(settings.database_url)
        click.echo(f"{url}: schema {before} -> {after}" if after != before else f"{url}: schema {after}, up to date")

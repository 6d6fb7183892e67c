"""`digest db upgrade|current` (schema migrations) and `digest worker` (the ingest queue's workers).

Registered on the `digest` group by cli.py. Thin shells over digest.db and digest.queue.
"""
from __future__ import annotations

import json
import sys

import click

from . import db
from .context import Fail, pass_ctx, stop_on_signals
from .display import safe_text
from .errors import DigestError


def enqueue_command(store, settings, paths, date, paper, as_json: bool) -> int:
    """`digest ingest --queue`: queue issues for the workers; prints the report, returns the exit code."""
    from .queue import enqueue

    try:
        report = enqueue(store, settings, paths, date=date, publication=paper)
    except DigestError as exc:
        raise Fail(str(exc)) from None
    if as_json:
        click.echo(json.dumps({"queued": report.queued, "skipped": report.skipped,
                               "failures": [{"path": f.path, "stage": f.stage, "message": f.message, "hint": f.hint}
                                            for f in report.failures]}, ensure_ascii=False, indent=2))
    else:
        for q in report.queued:
            click.echo(f"queued job {q['job']}: {q['date']} {safe_text(q['sources'][0])}{' …' if len(q['sources']) > 1 else ''}")
        for q in report.skipped:
            click.echo(f"skipped ({q['reason']}): {safe_text(q['sources'][0])}")
        for f in report.failures:
            click.echo(f"error: {f}", err=True)
        click.echo(f"{len(report.queued)} issue(s) queued, {len(report.skipped)} skipped, {len(report.failures)} "
                   f"failure(s); `digest worker` ingests them, `digest status` shows the queue", err=True)
    return report.exit_code


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

    @cli.command("worker")
    @click.option("--drain", is_flag=True, help="Exit when no job is queued or running (default: wait for more work).")
    @click.option("--json", "as_json", is_flag=True, help="With --drain: print {\"done\": n, \"failed\": n} at the end.")
    @pass_ctx
    def worker_cmd(c, drain, as_json):
        """Ingest queued issues (`digest ingest --queue`, or the inbox with DIGEST_INGEST_QUEUE).

        Run any number of workers on any machines sharing the database. Each claims one issue at a
        time with a lease (DIGEST_JOB_LEASE_SECONDS, renewed while it works); the issue of a worker
        that dies is taken by another once the lease expires. SIGINT/SIGTERM finish the issue in
        hand, then exit 0. Exit code with --drain: 0 all done, 1 some failed.
        """
        import logging

        from .queue import run_worker

        settings = c.settings()
        c.store(settings)  # create or migrate the schema with a clear error if impossible
        logger = logging.getLogger("digest")
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
        stop = stop_on_signals(logger, "finishing the issue in hand")
        try:
            counts = run_worker(settings, stop, drain=drain)
        except DigestError as exc:
            raise Fail(str(exc)) from None
        if as_json:
            click.echo(json.dumps(counts))
        sys.exit(1 if counts.get("failed") else 0)

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

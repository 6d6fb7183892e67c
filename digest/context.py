"""What every `digest` command shares: the settings/store context, the error type and exit codes.

The command modules (cli.py, cli_run.py's `run`/`status`, preview.py's `preview`) import this
module; none of them imports another command module back, so imports point one way:

    cli.py ──> cli_run.py (──> scheduler.py), preview.py ──> context.py ──> config.py, pipeline.py
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import click

from . import pipeline
from .config import Settings, load_settings
from .errors import DigestError

EXIT_OK, EXIT_PARTIAL, EXIT_NOTHING = 0, 1, 2


class Fail(click.ClickException):
    """An error that stops the command: message (+ hint) on stderr, exit code 2."""

    exit_code = EXIT_NOTHING


def fail(exc: DigestError) -> Fail:
    """A DigestError (message and hint) as the Fail a command raises."""
    return Fail(str(exc))


class Ctx:
    """The group's context object: command-line overrides and the env file, settings loaded once."""

    def __init__(self, overrides: dict[str, Any], env_file: str | None):
        self.overrides = overrides
        self.env_file = env_file
        self._settings: Settings | None = None

    def settings(self, **more: Any) -> Settings:
        """The effective settings (overrides + `more`); a bad setting is a Fail naming it."""
        if self._settings is None or more:
            try:
                self._settings = load_settings({**self.overrides, **more}, env_file=self.env_file,
                                               require_env_file=True)
            except DigestError as exc:
                raise fail(exc) from None
        return self._settings

    def store(self, settings: Settings | None = None):
        """The opened (created or migrated) store; an unusable database is a Fail with a hint."""
        try:
            return pipeline.open_store(settings or self.settings())
        except DigestError as exc:
            raise fail(exc) from None


pass_ctx = click.make_pass_decorator(Ctx)


def parse_date(value: str | None, name: str = "--date") -> dt.date | None:
    """YYYY-MM-DD (also YYYYMMDD, YYYY/MM/DD) as a date; None stays None; else click.BadParameter."""
    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise click.BadParameter(f"{value!r} is not a date (use YYYY-MM-DD)", param_hint=name)


def resolve_range(date_: str | None, from_: str | None, to_: str | None, store, settings: Settings
                  ) -> tuple[dt.date, dt.date]:
    """The range named by --date D, or --from D1 --to D2 (either may be left out: the first or
    last issue of the store), or by nothing (the latest issue), as `build` and `send` name it."""
    if date_ and (from_ or to_):
        raise click.UsageError("use either --date or --from/--to")
    if date_:
        d = parse_date(date_)
        return d, d
    if from_ or to_:
        start, end = parse_date(from_, "--from"), parse_date(to_, "--to")
        if start is None or end is None:
            lo, hi = store.date_bounds(settings.publication)
            start, end = start or lo, end or hi
        if start is None or end is None:
            raise Fail("nothing ingested yet, so the range cannot be guessed\n  hint: give both --from and --to")
        if start > end:
            raise click.BadParameter(f"--from {start} is after --to {end}", param_hint="--from")
        return start, end
    lo, hi = store.date_bounds(settings.publication)
    if hi is None:
        raise Fail(f"no issue of {settings.publication} in the store\n  hint: run `digest ingest PATH` first")
    return hi, hi


def stop_on_signals(logger, what: str = ""):
    """An Event set by SIGTERM or SIGINT (each logged with ``what`` the command does next), for a
    long-running command (`digest run`, `digest worker`) to finish its work in hand and exit."""
    import signal
    import threading

    stop = threading.Event()

    def on_signal(signum, _frame):
        logger.info("%s received%s", signal.Signals(signum).name, f": {what}" if what else "")
        stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return stop

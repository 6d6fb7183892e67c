"""The commands of the daily service, registered on the `digest` group by cli.py:
`digest run` (digest/scheduler.py) and `digest status` (digest/runstate.py)."""
from __future__ import annotations

import logging
from pathlib import Path

from .config import Settings, load_settings
from .display import SafeLogFormatter
from .errors import DigestError
from .runstate import RunLock, _json_default, lock_path, status_data, status_text
from .scheduler import job_args, run_once, run_service

log = logging.getLogger("digest.run")


def register(cli) -> None:
    import json
    import sys

    import click

    from .context import Fail, pass_ctx, stop_on_signals

    @cli.command("run")
    @click.option("--once", is_flag=True, help="Poll the inbox and run the digest job once now, then exit (for cron).")
    @click.option("--poll-seconds", type=click.IntRange(min=1), help="Inbox poll interval [DIGEST_POLL_SECONDS; 300].")
    @click.option("--cron", "send_cron", metavar="'M H DOM MON DOW'",
                  help="When to build and send the digest [DIGEST_SEND_CRON; '0 7 * * *'].")
    @click.option("--settle", type=click.FloatRange(min=0), default=2.0, show_default=True,
                  help="With --once: seconds between the two looks at the inbox.")
    @pass_ctx
    def run_cmd(c, once, poll_seconds, send_cron, settle):
        """The daily service: poll the inbox, and build and deliver the digest on a schedule.

        \b
        Jobs (the digest job kept in the database, table apscheduler_jobs, by the leader):
          inbox   every DIGEST_POLL_SECONDS: ingest new issue files and folders from the inbox
                  once complete (same size and mtime on two polls; *.part, *.tmp and hidden names
                  are never taken, so write there and rename for an instant pick-up)
          digest  on DIGEST_SEND_CRON in DIGEST_TIMEZONE: the digest of the issues since the last
                  delivered one (DIGEST_DIGEST_RANGE=since_last) or of the newest issue
                  (issue_date), written to the outbox and, with DIGEST_DELIVER_SMTP, e-mailed;
                  one digest per paper (DIGEST_PUBLICATION and every paper in the store: a
                  top-level inbox folder whose name is not a date is a paper, inbox/大众日报/…).
                  No new issue: no e-mail, unless DIGEST_SEND_EMPTY.
        A digest run missed while the machine was off or asleep runs once on return within
        DIGEST_MISFIRE_GRACE_SECONDS and is logged as missed otherwise. One `digest run` per home
        (lock file data/digest-run.lock); services on several homes or hosts may share a database:
        one leads (DIGEST_LEADER_LEASE_SECONDS) and sends each scheduled run exactly once, the
        others poll their inboxes and take over if it dies. SIGINT/SIGTERM let the running job
        finish, then exit 0. Every run is logged (stderr and DIGEST_LOG_FILE) and shown by
        `digest status`.
        """
        more = {k: v for k, v in (("poll_seconds", poll_seconds), ("send_cron", send_cron)) if v is not None}
        settings = c.settings(**more)
        _setup_logging(settings)
        c.store(settings)  # create or migrate the database now, with a clear error if impossible
        try:
            lock = RunLock(lock_path(settings)).acquire()
        except (DigestError, OSError) as exc:
            raise Fail(str(exc)) from None
        try:
            if once:
                sys.exit(run_once(settings, settle))
            stop = stop_on_signals(log)
            try:
                run_service(settings, job_args(settings, {**c.overrides, **more}, c.env_file), stop)
            except DigestError as exc:
                raise Fail(str(exc)) from None
            except ValueError as exc:  # a cron expression APScheduler cannot read
                raise Fail(f"setting DIGEST_SEND_CRON: {exc}") from None
        finally:
            lock.release()

    @cli.command("status")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @pass_ctx
    def status_cmd(c, as_json):
        """Show the service: is `digest run` running (pid), next job runs, last runs and failures,
        deliveries not sent (with the server's last reply) and the last digests.

        A bad setting does not stop `status`: it is shown first, with its default in its place."""
        try:
            settings = load_settings(c.overrides, env_file=c.env_file, lenient=True, require_env_file=True)
        except DigestError as exc:
            raise Fail(str(exc)) from None
        try:
            data = status_data(settings, c.store(settings))
        except DigestError as exc:
            raise Fail(str(exc)) from None
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))
        else:
            click.echo("\n".join(status_text(data, settings)))



def _setup_logging(settings: Settings) -> None:
    """Job runs at INFO on stderr (the cli's handler) and, with DIGEST_LOG_FILE, in that file."""
    logger = logging.getLogger("digest")
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    if settings.log_file:
        from logging.handlers import WatchedFileHandler

        handler = WatchedFileHandler(Path(settings.log_file).expanduser(), encoding="utf-8")
        handler.setFormatter(SafeLogFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        for name in ("digest", "apscheduler"):
            logging.getLogger(name).addHandler(handler)

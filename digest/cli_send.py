"""`digest send`, registered on the `digest` group by cli.py.

The range is named as `digest build` names it (--date D, or --from D1 --to D2); a test recipient is
--test-to ADDR. Every address is validated before anything is built or sent: the test addresses
here, DIGEST_TO and DIGEST_FROM when the settings load, subscribers when they are added.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import pipeline
from .context import EXIT_NOTHING, EXIT_OK, EXIT_PARTIAL, Ctx, Fail, fail, pass_ctx, resolve_range
from .errors import DigestError


def _to_is_a_date(_ctx, _param, value):
    if value and "@" in value:
        raise click.BadParameter(f"{value!r} looks like an address, but --to is the last day of the range (as in "
                                 f"`digest build`); a test send to one address is --test-to ADDR")
    return value


def _until_is_gone(_ctx, _param, value):
    if value:
        raise click.UsageError("--until is gone: name the range as `digest build` does, --from D1 --to D2")
    return value


def _database_exists(settings) -> bool:
    url = settings.database_url or ""
    if not url.startswith("sqlite:///"):
        return True
    path = url[len("sqlite:///"):]
    return path in ("", ":memory:") or Path(path).exists()


NOBODY = ("nobody to send to: no active subscriber and DIGEST_TO is empty\n"
          "  hint: `digest subscribers add ADDR` adds a reader, or set DIGEST_TO=ADDR in .env "
          "(a test send: --test-to ADDR)")


def _send_problems(settings) -> list[str]:
    """What a real send with these settings would fail on: no SMTP host, no sender address."""
    out = []
    if not settings.smtp_host:
        out.append("no SMTP host: DIGEST_SMTP_HOST is not set (hint: set it in .env, e.g. "
                   "DIGEST_SMTP_HOST=smtp.example.org)")
    if settings.origin("from_addr") == "default":
        out.append(f"sender address not set: DIGEST_FROM is not set, so From: would be {settings.from_addr}, "
                   f"which mail servers refuse (hint: set DIGEST_FROM=digest@your-domain in .env)")
    return out


def _default_digest(store) -> tuple[int, str]:
    """(digest id, why) of the digest `digest send` sends when none is named: the one `digest build`
    (or a send of a range, or the morning run) built or reused last; failing that (a store from
    before this was noted, or that digest replaced since) the newest live digest, said so."""
    last = store.last_built()
    if last is not None:
        row = store.digest_row(last[0])
        if row is not None and not row.get("superseded"):
            return last[0], "the digest built or reused last"
    built = store.list_digests(limit=1, live_only=True)
    if not built:
        raise Fail("no digest has been built yet\n  hint: run `digest build` first, or give --date")
    return built[0]["id"], ("the newest digest (none noted as built last"
                            + ("; the one built last was replaced" if last else "") + ")")


def _announce(store, settings, digest_id: int, why: str, dry_run: bool) -> str:
    """"sending digest N (range …, built …)" and why this one, said before anything is sent."""
    from .display import local_time as _local

    row = store.digest_row(digest_id) or {}
    start, end = row.get("start_date"), row.get("end_date")
    rng = f"{start}" if start == end else f"{start}..{end}"
    built = _local(row["built_at"], settings.tz) if row.get("built_at") else "?"
    last = store.last_built()
    used = f", last built or reused {_local(last[1], settings.tz)}" if last and last[0] == digest_id else ""
    verb = "would send" if dry_run else "sending"
    return (f"{verb} digest {digest_id} of {row.get('publication', '?')} (range {rng}, built {built}{used}): {why}"
            + ("\n  hint: --digest-id N, --date D or --from D1 --to D2 names another one (`digest status` lists them)"
               if why.startswith("the digest built") or why.startswith("the newest") else ""))


def register(cli) -> None:
    @cli.command("send")
    @click.option("--digest-id", type=click.IntRange(1, 2**63 - 1),
                  help="Send this built digest [default: the one `digest build` built or reused last].")
    @click.option("--date", "date_", metavar="YYYY-MM-DD", help="Build (or reuse) the digest of this day and send it.")
    @click.option("--from", "from_", metavar="YYYY-MM-DD", help="First day of a range to build (or reuse) and send.")
    @click.option("--to", "to_", metavar="YYYY-MM-DD", callback=_to_is_a_date,
                  help="Last day of that range (as in `digest build`).")
    @click.option("--test-to", "test_to", multiple=True, metavar="ADDR",
                  help="A test send to ADDR only, instead of the readers (repeatable; 'a@x.org, 张三 <b@y.org>' "
                       "names two). Never counts as delivery: the readers still get the digest.")
    @click.option("--until", hidden=True, expose_value=False, callback=_until_is_gone)
    @click.option("--dry-run", is_flag=True,
                  help="Show what would be sent and to whom; build, write, record and connect to nothing.")
    @click.option("--requeue", is_flag=True,
                  help="Send again to recipients held after an interrupted send (in-data), a permanent failure, or a "
                       "`sending` claim whose lease expired. Only when you know they did not get it.")
    @click.option("--json", "as_json", is_flag=True, help="Print per-recipient outcomes as JSON.")
    @pass_ctx
    def send(c: Ctx, digest_id, date_, from_, to_, test_to, dry_run, requeue, as_json):
        """E-mail a digest by SMTP to the subscribers (and DIGEST_TO), or --test-to ADDR for a test send.

        \b
        digest send                          the digest built (or reused) last, to every reader
        digest send --date 2025-03-26        build (or reuse) that day's digest and send it
        digest send --from D1 --to D2        the same for a range (named as `digest build` names it)
        digest send --test-to editor@example.org --date D   a test send: only that address

        One message per reader over one connection, each with its own unsubscribe link and
        List-Unsubscribe header; readers who unsubscribed are skipped, even if already queued.
        Each recipient is recorded in the database: queued -> sent, or failed with the server's
        reply. Temporary failures (4xx, refused, timeout) are retried with backoff and stay
        queued (`digest run` retries them); permanent ones (5xx) are reported. A recipient who
        already got a digest is never sent it again, even after a crash or restart. A test send
        is recorded apart and never counts as delivery. Every address is checked before
        anything is built or sent. The message sent is the .eml in the outbox, its Date: set to
        the send time. Output: one line per recipient, "ADDR: STATUS — server reply" (or JSON).
        Exit codes: 0 all sent, 1 some sent, 2 none sent (or nothing to send).
        """
        from .addresses import AddressError, split_addresses
        from .deliver import send_digest, send_test, would_send

        settings = c.settings()
        try:
            tests = list(dict.fromkeys(a for text in test_to for a in split_addresses(text)))
        except AddressError as exc:
            raise Fail(f"--test-to: {exc}") from None
        if requeue and tests:
            raise click.UsageError("--requeue is for the readers' deliveries, not for a test send")
        if digest_id is not None and (date_ or from_ or to_):
            raise click.UsageError("use either --digest-id or a range (--date, --from/--to)")
        if not settings.smtp_host and not dry_run:
            raise Fail("setting DIGEST_SMTP_HOST: no SMTP server configured\n  hint: set it in .env, or use --dry-run")
        problems = _send_problems(settings)  # what a real send would fail on (a dry run reports them)
        if problems and not dry_run:  # the SMTP host is set (checked above): only the sender can be missing
            click.echo(f"warning: {problems[0]}", err=True)
        why = ""
        if dry_run and not _database_exists(settings):
            raise Fail(f"nothing to send: no database yet ({settings.database_url})\n"
                       f"  hint: `digest ingest` and `digest build` first")
        store = c.store(settings)
        preview = None  # dry run of a range never built: what would be built
        try:
            if date_ or from_ or to_:
                start, end = resolve_range(date_, from_, to_, store, settings)
                if dry_run:
                    live = store.find_digest(settings.publication, start, end)
                    if live is not None:
                        digest_id = live["id"]
                    else:
                        preview = pipeline.make_digest(store, settings, start, end)
                else:
                    result = pipeline.build(store, settings, start, end)
                    digest_id = result.digest_id
                    preview = result.digest if digest_id is None else None
                if preview is not None and preview.is_empty:
                    raise Fail(f"no articles of {settings.publication} between {start} and {end}: nothing "
                               f"{'would be ' if dry_run else ''}built or sent\n"
                               f"  hint: `digest status` lists the issues in the store")
            elif digest_id is None:
                digest_id, why = _default_digest(store)
            elif store.digest_row(digest_id) is None:
                raise Fail(f"no digest with id {digest_id}\n  hint: `digest status` lists the built digests")
            else:
                why = "named by --digest-id"
            if preview is None and digest_id is not None and not as_json:
                click.echo(_announce(store, settings, digest_id, why if not (date_ or from_ or to_)
                                     else "the digest of the range given", dry_run), err=True)
            if preview is not None:  # dry run: report the digest that would be built, to whom
                who = tests or would_send(store, settings, settings.publication)
                note = (f"would send{' a test of' if tests else ''} the digest of {preview.date_label} "
                        f"({preview.article_count} articles; not built yet: a real send builds it first)")
                outcome = {r: dict(status="dry-run", reply=note, **({"test": True} if tests else {})) for r in who}
            else:
                if requeue and not dry_run:
                    for d in store.deliveries(digest_id):
                        if d["status"] in ("in-data", "failed", "sending"):
                            ok, why = store.requeue_delivery(digest_id, d["recipient"])
                            if not ok:
                                click.echo(f"{d['recipient']}: not requeued: {why}", err=True)
                if tests:
                    outcome = send_test(store, settings, digest_id, tests, dry_run=dry_run)
                else:
                    outcome = send_digest(store, settings, digest_id, dry_run=dry_run)
        except DigestError as exc:
            raise fail(exc) from None
        if as_json:
            click.echo(json.dumps({"digest_id": digest_id, "outcome": outcome, "test": bool(tests),
                                   "dry_run": dry_run, "problems": problems if dry_run else []},
                                  ensure_ascii=False, indent=2, default=str))
        else:
            if not outcome:
                click.echo(NOBODY, err=True)
            for rcpt, state in outcome.items():
                status, reply = state.get("status", "?"), state.get("reply", "")
                label = f"{status} (test send: not a delivery)" if state.get("test") and status == "sent" else status
                click.echo(f"{rcpt}: {label}" + (f" — {reply}" if reply else ""))
        states = [o.get("status", "") for o in outcome.values()]
        if dry_run and problems:
            if not as_json:
                for p in problems:
                    click.echo(f"error: a real send would fail: {p}", err=True)
            sys.exit(EXIT_NOTHING)
        if dry_run and outcome:
            sys.exit(EXIT_OK)
        if outcome and all(st == "sent" or (st == "skipped" and "already sent" in o.get("reply", ""))
                           for st, o in zip(states, outcome.values())):
            sys.exit(EXIT_OK)
        sys.exit(EXIT_PARTIAL if "sent" in states else EXIT_NOTHING)

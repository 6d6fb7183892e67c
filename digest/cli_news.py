"""`digest subscribers …` (the readers of a publication), `digest web` (the public site) and
`digest publish DIR` (the archive as static files).

Registered on the `digest` group by cli.py. Thin shells over digest.subscribers, digest.web and
digest.publish. Exit codes: 0 done, 1 partly done (some addresses refused), 2 nothing done.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .context import EXIT_NOTHING, EXIT_OK, EXIT_PARTIAL, Ctx, Fail, fail, pass_ctx
from .errors import DigestError

_PAPER = click.option("--paper", help="Publication [default: DIGEST_PUBLICATION].")


def _report_lines(report, verb: str = "added") -> list[str]:
    lines = [f"{a}: {verb}" for a in report.added] + [f"{a}: active again" for a in report.reactivated]
    lines += [f"{a}: already there" for a in report.unchanged]
    lines += [f"{a}: {s}" + (" (left: not re-added; --resubscribe if they asked to come back)" if s in
                             ("unsubscribed", "bounced") and verb == "added" else "") for a, s in report.kept_out]
    return lines


def _publishing_line(store, settings, sent_only: bool) -> str:
    """How many digests `publish` writes, and what --sent-only would change."""
    from .archive import Archive

    every = sum(n for _, n in Archive(store, settings).years())
    sent = sum(n for _, n in Archive(store, settings, sent_only=True).years())
    if sent_only:
        return (f"publishing {sent} digest(s) of {settings.publication} that were e-mailed to readers "
                f"(--sent-only; {every} built in all)")
    return (f"publishing {every} digest(s) of {settings.publication}: every built digest, test builds and "
            f"overlapping ranges included ({sent} e-mailed to readers: --sent-only publishes only those)")


def register(cli) -> None:
    """Add `digest subscribers`, `digest web` and `digest publish` to the `digest` group."""

    @cli.group("subscribers")
    def subscribers_group():
        """The readers of a publication: add, remove, list, import and export them.

        \b
        Each reader has a status: active (gets the digest), pending (asked through the web
        form, not confirmed yet), unsubscribed or bounced; every change is kept with its date
        and source. Addresses are checked offline (email-validator). DIGEST_TO is a default list:
        its addresses become subscribers the first time a digest is sent.
        \b
          digest subscribers add reader@example.org
          digest subscribers import readers.csv
          digest subscribers list --status active
          digest subscribers remove reader@example.org
          digest subscribers export > readers.csv
        """

    @subscribers_group.command("add")
    @click.argument("addresses", nargs=-1, required=True)
    @click.option("--name", default="", help="The reader's name (shown in To:), for a single address.")
    @click.option("--source", default="cli", show_default=True, help="Where the address came from (kept in its history).")
    @click.option("--resubscribe", is_flag=True,
                  help="Make a reader who unsubscribed or bounced active again (only if they asked for it).")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON {added, reactivated, unchanged, kept_out, invalid}.")
    @_PAPER
    @pass_ctx
    def sub_add(c: Ctx, addresses, name, source, resubscribe, as_json, paper):
        """Subscribe ADDRESSES to the publication (active at once: you vouch for them)."""
        from . import subscribers as subs

        if name and len(addresses) > 1:
            raise click.UsageError("--name goes with a single address")
        settings = c.settings(**({"publication": paper} if paper else {}))
        store = c.store(settings)
        try:
            report = subs.add_many(store, settings.publication, [(a, name) for a in addresses], source=source,
                                   resubscribe=resubscribe)
        except DigestError as exc:
            raise fail(exc) from None
        if as_json:
            click.echo(json.dumps({"publication": settings.publication, **report.as_dict()}, ensure_ascii=False, indent=2))
        else:
            for line in _report_lines(report):
                click.echo(line)
            for _where, address, reason in report.invalid:
                click.echo(f"error: {address!r} is not a valid address: {reason}", err=True)
        refused = len(report.invalid) + len(report.kept_out)
        sys.exit(EXIT_OK if not refused else EXIT_PARTIAL if report.changed or report.unchanged else EXIT_NOTHING)

    @subscribers_group.command("remove")
    @click.argument("addresses", nargs=-1, required=True)
    @click.option("--bounced", is_flag=True, help="Mark them bounced (their mailbox refuses mail) instead of unsubscribed.")
    @click.option("--forget", is_flag=True, help="Delete them and their history (erasure on request).")
    @click.option("--source", default="cli", show_default=True, help="Who asked (kept in the history).")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON {results: [{email, status}]}.")
    @_PAPER
    @pass_ctx
    def sub_remove(c: Ctx, addresses, bounced, forget, source, as_json, paper):
        """Unsubscribe ADDRESSES: they get no further digest, not even one already queued."""
        from . import subscribers as subs

        if bounced and forget:
            raise click.UsageError("use either --bounced or --forget")
        settings = c.settings(**({"publication": paper} if paper else {}))
        store = c.store(settings)
        results, missing = [], 0
        for address in addresses:
            try:
                sub = subs.get(store, settings.publication, address)
                if sub is None:
                    results.append({"email": address, "status": "not a subscriber"})
                    missing += 1
                    continue
                if forget:
                    subs.forget(store, sub)
                    results.append({"email": sub.email, "status": "deleted"})
                else:
                    sub = subs.set_status(store, sub, "bounced" if bounced else "unsubscribed", source)
                    results.append({"email": sub.email, "status": sub.status} if sub else
                                   {"email": address, "status": "not a subscriber"})
            except subs.InvalidAddress as exc:
                results.append({"email": address, "status": "invalid", "reason": exc.reason})
                missing += 1
            except DigestError as exc:
                raise fail(exc) from None
        if as_json:
            click.echo(json.dumps({"publication": settings.publication, "results": results}, ensure_ascii=False, indent=2))
        else:
            for r in results:
                click.echo(f"{r['email']}: {r['status']}" + (f" ({r['reason']})" if r.get("reason") else ""))
        sys.exit(EXIT_OK if not missing else EXIT_PARTIAL if missing < len(addresses) else EXIT_NOTHING)

    @subscribers_group.command("list")
    @click.option("--status", type=click.Choice(["pending", "active", "unsubscribed", "bounced"]),
                  help="Only readers with this status.")
    @click.option("--history", is_flag=True, help="Also show each reader's changes (date, status, source).")
    @click.option("--json", "as_json", is_flag=True,
                  help="Print JSON {publication, counts, subscribers: [{id, email, name, status, source, created_at, updated_at}]}.")
    @_PAPER
    @pass_ctx
    def sub_list(c: Ctx, status, history, as_json, paper):
        """List the readers of the publication with their status and the source of the last change."""
        from . import subscribers as subs

        settings = c.settings(**({"publication": paper} if paper else {}))
        store = c.store(settings)
        try:
            found = subs.list_subscribers(store, settings.publication, status)
            totals = subs.counts(store, settings.publication)
            past = {s.id: subs.events(store, s.id) for s in found} if history else {}
        except DigestError as exc:
            raise fail(exc) from None
        if as_json:
            out = []
            for s in found:
                d = s.as_dict()
                if history:
                    d["history"] = [{"at": e["at"].isoformat(timespec="seconds") + "Z", "status": e["status"],
                                     "source": e["source"], "detail": e["detail"]} for e in past[s.id]]
                out.append(d)
            click.echo(json.dumps({"publication": settings.publication, "counts": totals, "subscribers": out},
                                  ensure_ascii=False, indent=2))
            return
        from .display import local_time

        for s in found:
            click.echo(f"{s.email:<40} {s.status:<12} {local_time(s.updated_at, settings.tz)}  {s.source}"
                       + (f"  ({s.name})" if s.name else ""))
            for e in past.get(s.id, []):
                click.echo(f"    {local_time(e['at'], settings.tz)}  {e['status']:<12} {e['source']}"
                           + (f"  {e['detail']}" if e["detail"] else ""))
        click.echo(f"{settings.publication}: " + ", ".join(f"{n} {st}" for st, n in totals.items()), err=True)

    @subscribers_group.command("import")
    @click.argument("file", type=click.File("r", encoding="utf-8-sig"))
    @click.option("--source", default=None, help="Source kept in the history [default: import:FILE].")
    @click.option("--resubscribe", is_flag=True, help="Make readers who left active again (only if they asked).")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON {added, reactivated, unchanged, kept_out, invalid}.")
    @_PAPER
    @pass_ctx
    def sub_import(c: Ctx, file, source, resubscribe, as_json, paper):
        """Import readers from FILE.csv (- for stdin): a column `email` (or 邮箱), optionally `name` and `status`;
        or, without a header row, the address in the first column. Bad rows are reported, the rest imported."""
        from . import subscribers as subs

        settings = c.settings(**({"publication": paper} if paper else {}))
        store = c.store(settings)
        try:
            report = subs.import_csv(store, settings.publication, file, source=source or f"import:{file.name}",
                                     resubscribe=resubscribe)
        except UnicodeDecodeError:
            raise Fail(f"{file.name}: not UTF-8 text\n  hint: save the CSV as UTF-8") from None
        except DigestError as exc:
            raise fail(exc) from None
        if as_json:
            click.echo(json.dumps({"publication": settings.publication, **report.as_dict()}, ensure_ascii=False, indent=2))
        else:
            for where, address, reason in report.invalid:
                click.echo(f"error: {file.name}: {where}: {address!r}: {reason}", err=True)
        click.echo(f"{settings.publication}: {len(report.added)} added, {len(report.reactivated)} active again, "
                   f"{len(report.unchanged)} already there, {len(report.kept_out)} unsubscribed or bounced, "
                   f"{len(report.invalid)} refused", err=True)
        done = report.changed or report.unchanged or report.kept_out
        sys.exit(EXIT_OK if not report.invalid else EXIT_PARTIAL if done else EXIT_NOTHING)

    @subscribers_group.command("export")
    @click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
                  help="Write to this file [default: stdout].")
    @click.option("--status", type=click.Choice(["pending", "active", "unsubscribed", "bounced"]),
                  help="Only readers with this status.")
    @_PAPER
    @pass_ctx
    def sub_export(c: Ctx, output, status, paper):
        """Write the readers as CSV (email,name,status,source,created_at,updated_at; UTC), ready to import."""
        from . import subscribers as subs

        settings = c.settings(**({"publication": paper} if paper else {}))
        store = c.store(settings)
        try:
            n = subs.export_csv(store, settings.publication, output, status)
        except DigestError as exc:
            raise fail(exc) from None
        click.echo(f"{n} subscriber(s) of {settings.publication}", err=True)

    @cli.command("web")
    @click.option("--host", help="Address to bind [DIGEST_WEB_HOST; default: 127.0.0.1, behind a reverse proxy].")
    @click.option("--port", type=click.IntRange(0, 65535), help="Port [DIGEST_WEB_PORT; default: 8080; 0: any free].")
    @click.option("--threads", type=click.IntRange(1, 256), help="Worker threads [DIGEST_WEB_THREADS; default: 8].")
    @pass_ctx
    def web_cmd(c: Ctx, host, port, threads):
        """The public site: the read-only archive, the unsubscribe pages (one-click, RFC 8058) and,
        with DIGEST_WEB_SUBSCRIBE, a subscribe form with double opt-in. Served by waitress; put a
        reverse proxy with TLS in front (README "Unsubscribe"). No preview, no test send."""
        from .web import create_app, serve

        settings = c.settings()
        store = c.store(settings)
        if not settings.public_url:
            click.echo("warning: DIGEST_WEB_URL (or DIGEST_BASE_URL) is not set: the e-mails carry no link to this "
                       "site, and the feed and sitemap have no absolute addresses", err=True)
        if settings.web_subscribe and not settings.smtp_host:
            click.echo("warning: DIGEST_WEB_SUBSCRIBE is on but DIGEST_SMTP_HOST is not set: no confirmation "
                       "e-mail can be sent", err=True)
        try:
            app = create_app(settings, store)
            serve(app, host or settings.web_host, settings.web_port if port is None else port,
                  threads or settings.web_threads, echo=lambda line: click.echo(line, err=True))
        except OSError as exc:
            raise Fail(f"cannot listen on {host or settings.web_host}:{port or settings.web_port}: "
                       f"{exc.strerror or exc}\n  hint: pick another --port (DIGEST_WEB_PORT)") from None
        except DigestError as exc:
            raise fail(exc) from None

    @cli.command("publish")
    @click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
    @click.option("--base-url", help="Address the folder will be served at [DIGEST_BASE_URL] (feed and sitemap).")
    @click.option("--sent-only", is_flag=True,
                  help="Only digests that were e-mailed to someone [default: every built digest, test builds "
                       "of overlapping ranges included].")
    @click.option("--json", "as_json", is_flag=True,
                  help="Print JSON {folder, written, unchanged, removed, digests, articles, warnings}.")
    @_PAPER
    @pass_ctx
    def publish_cmd(c: Ctx, folder, base_url, sent_only, as_json, paper):
        """Write the archive as static files into FOLDER: an index by date, every digest, every
        article, an Atom feed and a sitemap, for any static host. Only changed files are rewritten.

        Every live digest is published, each `digest build` of a test range too (overlapping
        ranges included), unless --sent-only: then only those e-mailed to someone. It says how
        many it publishes before it starts."""
        from .progress import Progress
        from .publish import publish

        settings = c.settings(**({"publication": paper} if paper else {}))
        store = c.store(settings)
        if base_url and not base_url.startswith(("http://", "https://")):
            raise click.BadParameter("must start with https:// (or http://)", param_hint="--base-url")
        progress = Progress()
        try:
            if not as_json:
                click.echo(_publishing_line(store, settings, sent_only), err=True)
            report = publish(store, settings, folder, base_url=base_url, sent_only=sent_only,
                             progress=None if as_json else progress)
        except DigestError as exc:
            raise fail(exc) from None
        progress.close()
        if as_json:
            click.echo(json.dumps({"folder": str(folder), **report.as_dict()}, ensure_ascii=False, indent=2))
        else:
            for w in report.warnings:
                click.echo(f"warning: {w}", err=True)
            click.echo(f"{folder}: {report.digests} digests, {report.articles} articles; {report.written} files "
                       f"written, {report.unchanged} unchanged, {report.removed} removed", err=True)
        sys.exit(EXIT_PARTIAL if report.warnings else EXIT_OK if report.digests else EXIT_NOTHING)

"""`digest issues list` and `digest issues remove ID`: the issues in the store, and taking one
out (an issue filed under the wrong paper, a test file ingested by mistake).

Registered on the `digest` group by cli.py; a thin shell over digest.store. Exit codes: 0 done,
2 nothing done (unknown issue, or one in a delivered digest without --force).
"""
from __future__ import annotations

import json
import sys

import click

from .context import EXIT_OK, Ctx, Fail, fail, pass_ctx
from .display import safe_text
from .errors import DigestError


def _json_default(value):
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def register(cli) -> None:
    """Add `digest issues` to the `digest` group."""

    @cli.group("issues")
    def issues_group():
        """The issues in the store: list them, remove one filed by mistake.

        \b
          digest issues list [--paper NAME] [--json]
          digest issues remove ID            # e.g. an issue filed under the wrong paper
        \b
        To file a misfiled issue under its own paper: `digest issues remove ID`, then
        `digest ingest --paper NAME FILE` (or move the file to inbox/NAME/).
        """

    @issues_group.command("list")
    @click.option("--paper", help="Only this publication [default: every publication].")
    @click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="At most N issues, newest first.")
    @click.option("--json", "as_json", is_flag=True,
                  help='Print JSON [{"id", "publication", "date", "date_rule", "articles", "sources"}].')
    @pass_ctx
    def issues_list(c: Ctx, paper, limit, as_json):
        """List the live issues, newest first: id, publication, date, articles and files."""
        store = c.store(c.settings())
        try:
            rows = store.list_issues(paper, limit=limit)
        except DigestError as exc:
            raise fail(exc) from None
        if as_json:
            click.echo(json.dumps([{"id": r["id"], "publication": r["publication"], "date": r["issue_date"],
                                    "date_rule": r["date_rule"], "articles": r["articles"], "sources": r["sources"]}
                                   for r in rows], ensure_ascii=False, indent=2, default=_json_default))
            sys.exit(EXIT_OK)
        for r in rows:
            src = r["sources"][0] if r["sources"] else ""
            more = " …" if len(r["sources"]) > 1 else ""
            click.echo(f"{r['id']:6d}  {safe_text(r['publication'])}  {r['issue_date']} ({r['date_rule']})  "
                       f"{r['articles']} article(s)  {safe_text(src)}{more}")
        if not rows:
            click.echo("no issues in the store" + (f" for {safe_text(paper)}" if paper else ""), err=True)
        sys.exit(EXIT_OK)

    @issues_group.command("remove")
    @click.argument("issue_id", metavar="ID", type=int)
    @click.option("--force", is_flag=True, help="Remove it even when a digest holding it went to readers.")
    @click.option("--json", "as_json", is_flag=True,
                  help='Print JSON {"removed", "publication", "date", "sources", "restored", "digests"}.')
    @pass_ctx
    def issues_remove(c: Ctx, issue_id, force, as_json):
        """Remove issue ID (see `digest issues list`, `digest ingest`) with its pages, articles and
        summaries.

        An issue in a digest that went to its readers is kept unless --force (the readers got it).
        A digest only built from it stays in the outbox: build it again. When ID replaced an older
        version of the same issue, that version is live again. To file it under another paper,
        ingest its files again with --paper NAME (or from inbox/NAME/) afterwards.
        """
        store = c.store(c.settings())
        try:
            held = store.issue_digests(issue_id)
            sent = [d for d in held if d["dispatched_at"] is not None]
            if sent and not force:
                ids = ", ".join(str(d["id"]) for d in sent)
                raise Fail(f"issue {issue_id} is in digest(s) {ids}, which went to readers: not removed\n"
                           f"  hint: add --force to remove it all the same (the readers keep what they got)")
            row = store.remove_issue(issue_id)
        except DigestError as exc:
            raise fail(exc) from None
        if row is None:
            raise Fail(f"no issue {issue_id} in the store\n  hint: `digest issues list` shows the issues and their ids")
        if as_json:
            click.echo(json.dumps({"removed": issue_id, "publication": row["publication"], "date": row["issue_date"],
                                   "sources": row["sources"], "restored": row["restored"],
                                   "digests": [d["id"] for d in held]},
                                  ensure_ascii=False, indent=2, default=_json_default))
            sys.exit(EXIT_OK)
        click.echo(f"removed issue {issue_id}: {safe_text(row['publication'])} {row['issue_date']}, "
                   f"{len(row['sources'])} page(s) from {safe_text(row['sources'][0]) if row['sources'] else '?'}")
        if row["restored"] is not None:
            click.echo(f"issue {row['restored']} (its previous version) is live again")
        if held:
            click.echo(f"note: digest(s) {', '.join(str(d['id']) for d in held)} held it; `digest build` them again "
                       f"to leave it out", err=True)
        sys.exit(EXIT_OK)

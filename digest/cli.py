"""`digest` command line: thin click commands over digest.pipeline and friends.

Exit codes: 0 everything done, 1 partly done (some input failed), 2 nothing done (error or bad usage).
"""
from __future__ import annotations

import dataclasses
import json
import logging
import sys
from pathlib import Path

import click

from . import pipeline
from .config import Settings
from .context import EXIT_NOTHING, EXIT_OK, EXIT_PARTIAL, Ctx, Fail, pass_ctx
from .context import fail as _fail
from .display import SafeLogFormatter, safe_text
from .context import parse_date as _date
from .context import resolve_range
from .cli_send import register as _register_send
from .cli_db import register as _register_db
from .cli_news import register as _register_news
from .cli_issues import register as _register_issues
from .errors import DigestError
from .models import Failure
from .headline import headline
from .preview import register as _register_preview
from .progress import Progress
from .cli_run import register as _register_service

__all__ = ["cli", "main", "Ctx", "Fail", "pass_ctx", "EXIT_OK", "EXIT_PARTIAL", "EXIT_NOTHING"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--home", type=click.Path(file_okay=False), help="Folder holding inbox/, data/ and outbox/ [DIGEST_HOME; default: .]")
@click.option("--env-file", type=click.Path(dir_okay=False), help="Settings file to read [DIGEST_ENV_FILE; default: HOME/.env]")
@click.option("--database-url", help="Database URL [DIGEST_DATABASE_URL; default: sqlite:///HOME/data/digest.db]")
@click.option("--inbox", type=click.Path(file_okay=False), help="Inbox folder [DIGEST_INBOX]")
@click.option("--outbox", type=click.Path(file_okay=False), help="Outbox folder [DIGEST_OUTBOX]")
@click.option("--publication", help="Publication name [DIGEST_PUBLICATION]")
@click.option("--timezone", help="IANA time zone [DIGEST_TIMEZONE; default: Asia/Shanghai]")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="digest")
@click.pass_context
def cli(ctx: click.Context, home, env_file, database_url, inbox, outbox, publication, timezone, verbose):
    """Turn newspaper page dumps into a daily digest newsletter.

    \b
    Typical use:
      digest ingest inbox/            # read new issues into the store
      digest build --date 2025-03-26  # write the digest to outbox/
      digest send --date 2025-03-26   # e-mail it (SMTP settings in .env)
      digest run                      # the daily service: poll the inbox, send every morning
      digest preview --open           # look at digests in a browser

    Settings come from .env, then DIGEST_* environment variables, then these options.
    Exit codes: 0 ok, 1 partly done (see messages), 2 nothing done.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(SafeLogFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING - 10 * min(verbose, 2), handlers=[handler])
    overrides = dict(home=home, database_url=database_url, inbox=inbox, outbox=outbox,
                     publication=publication, timezone=timezone)
    ctx.obj = Ctx({k: v for k, v in overrides.items() if v is not None}, env_file)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--date", "date_", metavar="YYYY-MM-DD", help="Issue date for files whose path carries none.")
@click.option("--paper", help="Publication of these issues [default: the inbox paper folder they are in "
              "(inbox/<paper>/…), else DIGEST_PUBLICATION].")
@click.option("--jobs", "-j", type=click.IntRange(min=0), help="Worker processes [DIGEST_JOBS; 0 = all cores].")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report on stdout.")
@click.option("--queue", "queue", is_flag=True,
              help="Only queue the issues (bytes in the database) for `digest worker` processes on any machine.")
@pass_ctx
def ingest(c: Ctx, paths, date_, paper, jobs, as_json, queue):
    """Read issues from PATHS (files or folders; default: the inbox) into the store.

    A folder named by a date (2025-03-26/ or 20250326/) is one issue whose files are its pages
    (sub-folders too: sections); a file whose name carries a date is a one-page issue; other
    folders are searched and each undated file is its own issue (date from a dated folder above
    it, else --date, else the date the paper prints on the page; failing that it is guessed from
    the stories and a warning says so). Files already ingested (same content) are skipped.

    \b
    Several papers: a top-level inbox folder whose name is not a date is a paper folder, and
    its name the publication: inbox/大众日报/2025-03-26/01.txt is an issue of 大众日报; anything
    else is DIGEST_PUBLICATION's (or --paper's). Only what lies inside the inbox (or inside a
    PATH named here) is read: links leading out of it are refused (README: What digest opens).
    """
    settings = c.settings(**({"jobs": jobs} if jobs is not None else {}))
    if not paths and not Path(settings.inbox).is_dir():
        try:
            Path(settings.inbox).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise Fail(f"cannot create the inbox {settings.inbox}: {exc.strerror or exc}\n"
                       f"  hint: set DIGEST_INBOX (or --inbox) to a folder you can write, or give PATH") from None
        raise Fail(f"the inbox {settings.inbox} did not exist: it is created now and empty\n"
                   f"  hint: put issue files or dated folders (2025-03-26/01.txt ...) there and run "
                   f"`digest ingest` again, or give PATH: `digest ingest samples/2025-06-18`")
    store = c.store(settings)
    paths = paths or (settings.inbox,)
    if queue:  # digest/cli_db.py (store owner)
        from .cli_db import enqueue_command

        sys.exit(enqueue_command(store, settings, paths, _date(date_), paper, as_json))
    report = pipeline.ingest(store, settings, paths, date=_date(date_), publication=paper,
                             progress=None if as_json else Progress())
    if as_json:
        click.echo(json.dumps({
            "ingested": [{"id": i, "date": iss.date.isoformat(), "date_rule": iss.date_rule,
                          "date_guessed": iss.date_guessed, "date_evidence": iss.date_evidence,
                          "sources": list(iss.sources)} for i, iss in report.ingested],
            "skipped": [{"date": iss.date.isoformat(), "sources": list(iss.sources)} for iss in report.skipped],
            "articles": report.articles,
            "failures": [{"path": f.path, "stage": f.stage, "message": f.message, "hint": f.hint}
                         for f in report.failures],
            "paper_mismatches": [{"id": i, "publication": iss.publication, "printed_paper": printed,
                                  "sources": list(iss.sources)} for i, iss, printed in _mismatches(report)],
        }, ensure_ascii=False, indent=2))
    else:
        for issue_id, iss in report.ingested:
            click.echo(f"ingested issue {issue_id}: {safe_text(iss.publication)} {iss.date} ({iss.date_rule}), "
                       f"{len(iss.pages)} page(s) from {safe_text(report.shown(iss))}")
            if iss.date_guessed:
                click.echo(f"warning: issue {issue_id}: no date is printed on its pages; {iss.date} is a guess "
                           f"({safe_text(iss.date_evidence)})\n  hint: give such pages their date: `digest ingest --date YYYY-MM-DD PATH` "
                           f"or a dated folder (inbox/2025-03-26/01.txt)", err=True)
        for issue_id, iss, printed in _mismatches(report):
            click.echo(f"warning: {safe_text(report.shown(iss))}: its pages print "
                       f"{safe_text(printed)}, but it is filed under {safe_text(iss.publication)} (issue {issue_id})\n"
                       f"  hint: use --paper NAME or put it in inbox/<NAME>/ (here: --paper {safe_text(printed)}, "
                       f"inbox/{safe_text(printed)}/); `digest issues remove {issue_id}` takes this one out", err=True)
        for iss in report.skipped:
            click.echo(f"skipped (already ingested): {safe_text(report.shown(iss))}")
        for f in report.failures:
            click.echo(f"error: {f}", err=True)
        click.echo(f"{len(report.ingested)} issue(s), {report.articles} article(s) ingested; "
                   f"{len(report.skipped)} skipped; {len(report.failures)} failure(s)", err=True)
    sys.exit(report.exit_code)


def _mismatches(report: pipeline.IngestReport):
    """(issue id, issue, printed paper) of the issues filed under DIGEST_PUBLICATION by default
    whose pages print another paper's name."""
    issues = dict(report.ingested)
    return [(i, issues[i], printed) for i, printed in report.paper_mismatches if i in issues]


@cli.command()
@click.option("--date", "date_", metavar="YYYY-MM-DD", help="One day [default: the latest issue].")
@click.option("--from", "from_", metavar="YYYY-MM-DD", help="First day of a range.")
@click.option("--to", "to_", metavar="YYYY-MM-DD", help="Last day of a range.")
@click.option("--paper", help="Publication [default: DIGEST_PUBLICATION].")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_ctx
def build(c: Ctx, date_, from_, to_, paper, as_json):
    """Build the digest of a day or a date range and write it to the outbox (.eml, .html, .txt).

    A range without articles writes nothing (no digest, no file) and exits 2. Building never
    sends and never counts as delivery: the morning run still covers those issues."""
    settings = c.settings(**({"publication": paper} if paper else {}))
    store = c.store(settings)
    start, end = resolve_range(date_, from_, to_, store, settings)
    try:
        result = pipeline.build(store, settings, start, end)
    except DigestError as exc:
        raise _fail(exc) from None
    d = result.digest
    if result.digest_id is None:  # an empty range: nothing is written or recorded
        message = (f"no articles of {safe_text(d.publication)} between {start} and {end}: nothing written "
                   f"(no digest, no outbox file)")
        if as_json:
            click.echo(json.dumps({"digest_id": None, "publication": d.publication, "from": start.isoformat(),
                                   "to": end.isoformat(), "articles": 0, "reused": False, "front_page": [],
                                   "files": {}}, ensure_ascii=False, indent=2))
        click.echo(f"{message}\n  hint: `digest status` lists the issues in the store; check --from/--to "
                   f"and --paper", err=True)
        sys.exit(EXIT_NOTHING)
    if as_json:
        click.echo(json.dumps({
            "digest_id": result.digest_id, "publication": d.publication, "from": start.isoformat(),
            "to": end.isoformat(), "articles": d.article_count, "reused": result.reused,
            "front_page": [{"id": i.stored.id, "title": i.article.display_title, "summary": list(i.summary.sentences),
                            "keywords": list(i.summary.keywords), "headline": _headline_json(i.article)}
                           for i in d.front_page],
            "files": {k: str(v) for k, v in result.paths.items()},
        }, ensure_ascii=False, indent=2))
    else:
        click.echo(f"digest {safe_text(d.publication)} {d.date_label}: {len(d.front_page)} front-page stories, "
                   f"{d.article_count} articles{' (unchanged)' if result.reused else ''}", err=True)
        for key in ("eml", "html", "text"):
            click.echo(safe_text(result.paths[key]))
    sys.exit(EXIT_OK)


def _headline_json(article) -> dict:
    """{"kickers": [引题…], "main": 主题, "subtitles": [副题…]} of an article (digest.headline)."""
    h = headline(article)
    return {"kickers": list(h.kickers), "main": h.main, "subtitles": list(h.subtitles)}


def _article_json(a, date_iso) -> dict:
    return {"title": a.title, "main_title": a.main_title, "byline": a.byline, "kind": a.kind,
            "dateline": a.dateline, "page": a.page, "body": a.body, "captions": list(a.captions)}


def _read_for_cli(path: Path, settings: Settings):
    from . import ingest as ingest_mod
    from .inputs import named

    try:
        named(path, settings.inbox)  # a file in the inbox follows the inbox's rules (digest.inputs)
        reading = ingest_mod.read_file(path, int(settings.max_file_mb * 1024 * 1024))
    except DigestError as exc:
        raise _fail(exc) from None
    problems = tuple(Failure(str(path), "read", m, h) for text in reading.texts  # read, but not splittable
                     for m, h in ingest_mod.page_problems(text))
    if problems:
        reading = dataclasses.replace(reading, failures=reading.failures + problems)  # exit code 1
    for f in reading.failures:  # pages of a PDF that could not be read; the others go on
        click.echo(f"warning: {f}", err=True)
    named = ingest_mod.date_from_name(str(path))
    if named is not None:
        return reading, named, "path"
    return reading, reading.date, reading.date_rule


_LABEL_WIDTH = 13


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the default output is a readable outline).")
@click.option("--explain", is_flag=True,
              help="Show every line with its label (headline, byline, body, furniture …), the article it went to and why.")
@pass_ctx
def segment(c: Ctx, file, as_json, explain):
    """Split one page FILE into articles (no database write).

    JSON: {"source", "issue_date", "date_rule", "articles": [{"title", "byline", "kind", "body", ...}],
    "furniture": [{"line", "text", "reason"}]} where body is the cleaned text with paragraphs
    separated by "\\n"; with --explain also "lines": [{"line", "text", "label", "reason", "article"}].
    """
    from .reading import join_continuations

    reading, day, rule = _read_for_cli(file, c.settings())
    parses = reading.pages
    arts = [a for a in join_continuations(parses) if a.duplicate_of is None]  # a PDF's jumps joined
    labels = [lb for p in parses for lb in p.labels]
    if as_json:
        out = {"source": str(file), "issue_date": day.isoformat() if day else None, "date_rule": rule,
               "date_evidence": reading.date_evidence, "paper": next((p.paper for p in parses if p.paper), None),
               "page_label": next((p.page_label for p in parses if p.page_label), None),
               "articles": [_article_json(a, day) for a in arts],
               "furniture": [{"line": lb.no, "text": lb.text, "reason": lb.reason}
                             for lb in labels if lb.label == "furniture"]}
        if explain:
            out["lines"] = [{"line": lb.no, "text": lb.text, "label": lb.label, "reason": lb.reason,
                             "article": lb.article} for lb in labels]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        sys.exit(EXIT_PARTIAL if reading.failures else EXIT_OK)
    guessed = rule not in ("path", "option", "printed")
    click.echo(f"{safe_text(file)}: {len(arts)} article(s); issue date {day or '未知 unknown'} ({rule}"
               + (", a guess: pass --date to ingest if it is wrong" if guessed else "") + ")")
    if explain:
        for lb in labels:
            where = f"[{lb.article + 1}]" if lb.article is not None else "   "
            click.echo(f"{lb.no:5d} {lb.label:<{_LABEL_WIDTH}} {where:>5} {safe_text(lb.text)[:40]}  ← {lb.reason}")
        click.echo("")
    for i, a in enumerate(arts, 1):
        click.echo(f"[{i}] {a.kind}: {a.title or '(no headline)'}" + (f"  — {a.byline}" if a.byline else ""))
        click.echo(f"    {a.body[:70].replace(chr(10), ' ')}…")
    sys.exit(EXIT_PARTIAL if reading.failures else EXIT_OK)


@cli.command()
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (segment's shape plus summary and keywords).")
@click.option("--whole", is_flag=True, help="Treat the file as one article (no segmentation).")
@click.option("--sentences", "-n", type=click.IntRange(1, 20), default=3, show_default=True,
              help="At most N sentences per summary.")
@click.option("--chars", type=click.IntRange(min=1), help="Character budget per summary (whole sentences only).")
@click.option("--jsonl", type=click.File("r", encoding="utf-8"),
              help='Batch mode: read {"id","text"} lines (- for stdin), write {"id","summary","keywords"} lines.')
@pass_ctx
def summarize(c: Ctx, file, as_json, whole, sentences, chars, jsonl):
    """Summarise the articles of one page FILE with TextRank (no database write)."""
    from .reading.repair import clean_text
    from .summarize import summarize_articles, summarize_text

    settings = c.settings()
    from . import nlp

    nlp.init(settings.jieba_cache.parent)
    if jsonl is not None:
        if file:
            raise click.UsageError("give either FILE or --jsonl")
        bad = 0
        for n, line in enumerate(jsonl, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                text = item["text"]
            except (ValueError, KeyError, TypeError):
                click.echo(f"error: line {n}: not a JSON object with a \"text\" field", err=True)
                bad += 1
                continue
            s = summarize_text(clean_text(text), max_sentences=sentences, max_chars=chars, title=item.get("title"))
            click.echo(json.dumps({"id": item.get("id", n), "summary": list(s.sentences), "keywords": list(s.keywords)},
                                  ensure_ascii=False))
        sys.exit(EXIT_PARTIAL if bad else EXIT_OK)
    if file is None:
        raise click.UsageError("give a FILE or --jsonl")
    reading, day, _ = _read_for_cli(file, settings)
    out = []
    if whole:
        text = "\n\n".join(reading.texts)
        s = summarize_text(clean_text(text), max_sentences=sentences, max_chars=chars)
        out.append({"title": None, "byline": None, "kind": "news", "body": clean_text(text),
                    "summary": list(s.sentences), "keywords": list(s.keywords)})
    else:
        from .reading import join_continuations

        arts = [a for a in join_continuations(reading.pages) if a.duplicate_of is None]
        for a, s in zip(arts, summarize_articles(arts, max_sentences=sentences, max_chars=chars)):
            out.append({**_article_json(a, day), "subheads": list(a.subheads), "summary": list(s.sentences),
                        "keywords": list(s.keywords)})
    if as_json:
        click.echo(json.dumps({"source": str(file), "issue_date": day.isoformat() if day else None, "articles": out},
                              ensure_ascii=False, indent=2))
    else:
        for i, a in enumerate(out, 1):
            click.echo(f"[{i}] {a['title'] or '(no headline)'}")
            for sent in a["summary"]:
                click.echo(f"    {sent}")
            if a["keywords"]:
                click.echo(f"    #{' #'.join(a['keywords'])}")
    sys.exit(EXIT_PARTIAL if reading.failures else EXIT_OK)


@cli.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with \"origins\": where each value came from).")
@pass_ctx
def config_cmd(c: Ctx, as_json):
    """Show the effective settings and where each came from (default, .env, environment, flag).

    Passwords are never shown: the SMTP password and one inside any URL (DIGEST_DATABASE_URL) are ***.
    """
    settings = c.settings()
    values = settings.redacted()
    if as_json:
        click.echo(json.dumps({**values, "origins": {k: settings.origin(k) for k in values}},
                              ensure_ascii=False, indent=2))
    else:
        from .config import ENV_NAMES

        for k, v in values.items():
            click.echo(f"{ENV_NAMES[k]:32} {v}  [{settings.origin(k)}]")


# `digest run`/`digest status` live in digest/cli_run.py, `digest preview` in digest/preview.py;
# they take their context from digest/context.py and never import this module.
_register_service(cli)
_register_send(cli)
_register_db(cli)
_register_news(cli)
_register_issues(cli)
_register_preview(cli)


def main() -> None:
    cli(prog_name="digest")


if __name__ == "__main__":
    main()

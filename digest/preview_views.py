"""The pages of `digest preview` (see digest/preview.py for the app, safety rules and CLI).

Views gather plain values and hand them to templates/preview/*.html; no HTML is built here.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.routing import IntegerConverter

from .display import PRINTED_RULES, date_is_guessed  # noqa: F401
from .preview_state import EMAIL_CSP, check_csrf, parse_day, state

bp = Blueprint("preview", __name__)
MAX_ID = 2**63 - 1  # the largest id an INTEGER / BIGINT column holds


class DatabaseId(IntegerConverter):
    """``<int:…>`` in every preview URL: a whole number a database id can be (0 … 2**63-1).
    A larger one (``/article/99999999999999999999999``) matches no page: 404, never a 500 from
    the database driver's overflow."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


# before any route of this blueprint is added: its <int:…> parts use DatabaseId
bp.record_once(lambda s: s.app.url_map.converters.update(int=DatabaseId))
_EMAIL = re.compile(r"^[^@\s<>,;\"'()\\]+@[^@\s<>,;\"'()\\]+\.[^@\s<>,;\"'()\\]+$")
KIND_LABELS = {"news": lazy_gettext("News"), "interview": lazy_gettext("Interview"),
               "commentary": lazy_gettext("Commentary"), "report_excerpt": lazy_gettext("Report excerpt"),
               "notice": lazy_gettext("Notice"), "photo_caption": lazy_gettext("Photo caption")}
STATUS_LABELS = {"sent": lazy_gettext("sent"), "queued": lazy_gettext("queued"), "sending": lazy_gettext("sending"),
                 "in-data": lazy_gettext("interrupted while sending"), "failed": lazy_gettext("failed"),
                 "skipped": lazy_gettext("skipped"), "dry-run": lazy_gettext("dry run")}


RULE_LABELS = {"path": lazy_gettext("from the path"), "option": lazy_gettext("given (--date)"),
               "printed": lazy_gettext("printed on the page"), "guess": lazy_gettext("guessed from the text"),
               "text": lazy_gettext("guessed from the text"), "mtime": lazy_gettext("file modification time")}


LINE_LABELS = {"headline": lazy_gettext("headline"), "subhead": lazy_gettext("subhead"), "byline": lazy_gettext("byline"),
               "credit": lazy_gettext("credit"), "dateline": lazy_gettext("dateline"), "caption": lazy_gettext("caption"),
               "brief": lazy_gettext("brief"), "editor's note": lazy_gettext("editor's note"), "body": lazy_gettext("body"),
               "furniture": lazy_gettext("furniture"), "source": lazy_gettext("source line"),
               "jump": lazy_gettext("jump"), "duplicate": lazy_gettext("repeat")}


def line_label(label: str) -> str:
    """The reader's label of a page line (digest.reading LineLabel.label), in the interface language."""
    return str(LINE_LABELS.get(label, label))


def rule_label(rule: str) -> str:
    """How an issue's date was found (Issue.date_rule), in the interface language."""
    return str(RULE_LABELS.get(rule, rule))


def kind_label(kind: str) -> str:
    """An article kind in the interface language (the kind itself when unknown)."""
    return str(KIND_LABELS.get(kind, kind))


def status_label(status: str) -> str:
    """A delivery status in the interface language (the status itself when unknown)."""
    return str(STATUS_LABELS.get(status, status))


ARCHIVE_PAGE = 200  # issues per archive page

# -- archive index ---------------------------------------------------------------------------------------
@bp.get("/")
def index():
    st = state()
    try:  # the archive in pages of ARCHIVE_PAGE issues (newest first); counts come from SQL (scale)
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    issues = st.store.list_issues(limit=ARCHIVE_PAGE + 1, offset=(page - 1) * ARCHIVE_PAGE)
    more, issues = len(issues) > ARCHIVE_PAGE, issues[:ARCHIVE_PAGE]
    summary = st.store.archive_summary(PRINTED_RULES)
    pubs: OrderedDict[str, list[dict]] = OrderedDict()
    for row in sorted(issues, key=lambda r: (r["publication"] != st.settings.publication, r["publication"])):
        pubs.setdefault(row["publication"], []).append(row)
    for rows in pubs.values():
        rows.sort(key=lambda r: (r["issue_date"], r["id"]), reverse=True)
    lo, hi = st.store.date_bounds(st.settings.publication)
    if hi is None and issues:
        lo, hi = min(r["issue_date"] for r in issues), max(r["issue_date"] for r in issues)
    digests = st.store.list_digests(limit=50)
    for d in digests:
        d["files"] = [(label, st.outbox_name(d.get(key))) for label, key in
                      (("HTML", "html_path"), (_("Plain text"), "text_path"), (".eml", "eml_path"))]
    return render_template("index.html", pubs=pubs, digests=digests, lo=lo, hi=hi,
                           default_pub=st.settings.publication, settings=st.settings,
                           summary=summary, page=page, more=more)


# -- one issue -----------------------------------------------------------------------------------------------
def _issue_row(issue_id: int) -> dict:
    row = state().store.issue_row(issue_id)  # one row, not the whole archive (scale)
    if row is None:
        abort(404, description=_("There is no current issue with id %(id)s (it may have been replaced by a "
                                 "newer version). The archive index lists the issues.", id=issue_id))
    return row


@bp.get("/issue/<int:issue_id>")
def issue(issue_id: int):
    row = _issue_row(issue_id)
    pages: OrderedDict[int, list] = OrderedDict((n, []) for n in range(1, len(row["sources"]) + 1))
    for s in state().store.issue_articles(issue_id):
        pages.setdefault(s.article.page, []).append(s)
    return render_template("issue.html", issue=row, pages=pages)


# -- page source: raw text beside the reader's split ------------------------------------------------------

_TAG = {"furniture": "furniture", "source": "furniture", "duplicate": "duplicate", "jump": "marker"}


def split_view(text: str, parse: Any) -> tuple[list[dict], list[tuple[str, str]]]:
    """Each raw line with the label the reader gave it (headline, byline, body, furniture …), the
    reason for it and the article it went into; blank lines stay blank. Exact: the reader labels
    every non-blank line (``PageParse.labels``)."""
    by_no: dict[int, Any] = {}
    for lb in getattr(parse, "labels", ()) or ():
        by_no.setdefault(lb.no, lb)
    lines, furniture = [], []
    for no, raw in enumerate(text.split("\n"), 1):
        lb = by_no.get(no)
        if lb is None:
            lines.append(dict(no=no, text=raw, tag="blank" if not raw.strip() else "dropped", idx=None,
                              label="", reason=""))
            continue
        tag = _TAG.get(lb.label) or ("article" if lb.article is not None else
                                     "orphan" if lb.label in ("headline", "byline") else "dropped")
        if lb.label == "furniture":
            furniture.append((lb.text.strip(), lb.reason.removeprefix("furniture: ")))
        lines.append(dict(no=no, text=raw, tag=tag, idx=lb.article, label=lb.label, reason=lb.reason))
    return lines, furniture


@bp.get("/issue/<int:issue_id>/page/<int:number>/source")
def page_source(issue_id: int, number: int):
    from . import pipeline

    st = state()
    pages = st.store.issue_pages(issue_id)
    if not pages:
        abort(404, description=_("There is no issue with id %(id)s.", id=issue_id))
    page = next((p for p in pages if p["number"] == number), None)
    if page is None:
        abort(404, description=_("Issue %(id)s has pages 1–%(n)s; there is no page %(page)s.", id=issue_id,
                                 n=len(pages), page=number))
    error, parse, pdf_view = "", None, None
    try:
        from .preview_pdf import pdf_page_view  # a PDF page: re-read from the PDF, drawn with its boxes

        inbox, home = Path(st.settings.inbox), Path(st.settings.home)  # the only folders it may open
        pdf_view = (pdf_page_view(page.get("path") or "", number, inbox, home)  # path: the file read (scale)
                    or pdf_page_view(page["source"], number, inbox, home))
        parse = pdf_view.parse if pdf_view is not None else \
            pipeline.analyse_page_text(page["text"], source=page["source"], page=number)
    except Exception as exc:  # noqa: BLE001 - show the raw text and the reason
        error = f"{exc.__class__.__name__}: {exc}"
    lines, furniture = split_view(page["text"], parse) if parse is not None else (
        [dict(no=i, text=t, tag="dropped", idx=None, label="", reason="")
         for i, t in enumerate(page["text"].split("\n"), 1)], [])
    stored = {(s.article.position, s.article.title): s.id for s in st.store.issue_articles(issue_id)
              if s.article.page == number}
    arts = list(parse.articles) if parse is not None else []
    links = [stored.get((a.position, a.title)) for a in arts]
    return render_template("source.html", issue_id=issue_id, issue=st.store.issue_row(issue_id), page=page,
                           pages=pages, lines=lines, articles=arts, links=links, furniture=furniture,
                           orphans=tuple(getattr(parse, "orphan_titles", ()) or ()),
                           duplicates=tuple(getattr(parse, "duplicates", ()) or ()),
                           error=error, pdf_view=pdf_view)


# -- article -------------------------------------------------------------------------------------------
def highlight(paragraphs: tuple[str, ...], sentences: tuple[str, ...]) -> tuple[list[list[tuple[str, bool]]], list[str]]:
    """Paragraphs as (text, marked) runs with the summary sentences marked; also the sentences not found."""
    out, found = [], set()
    for para in paragraphs:
        spans = []
        for s in sentences:
            s2 = s.strip()
            if not s2:
                continue
            start = para.find(s2)
            while start >= 0:
                spans.append((start, start + len(s2)))
                found.add(s)
                start = para.find(s2, start + len(s2))
        spans.sort()
        merged: list[list[int]] = []
        for a, b in spans:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        runs, pos = [], 0
        for a, b in merged:
            if a > pos:
                runs.append((para[pos:a], False))
            runs.append((para[a:b], True))
            pos = b
        if pos < len(para):
            runs.append((para[pos:], False))
        out.append(runs)
    return out, [s for s in sentences if s not in found and s.strip()]


@bp.get("/article/<int:article_id>")
def article(article_id: int):
    st = state()
    stored = st.store.article(article_id)
    if stored is None:
        abort(404, description=_("There is no current article with id %(id)s.", id=article_id))
    siblings = st.store.issue_articles(stored.issue_id)
    ids = [s.id for s in siblings]
    at = ids.index(article_id) if article_id in ids else -1
    prev = siblings[at - 1] if at > 0 else None
    nxt = siblings[at + 1] if 0 <= at < len(siblings) - 1 else None
    paragraphs, missing = highlight(stored.article.paragraphs, stored.summary.sentences)
    issue_row = st.store.issue_row(stored.issue_id)
    return render_template("article.html", s=stored, a=stored.article, paragraphs=paragraphs, missing=missing,
                           prev=prev, next=nxt, position=at + 1, total=len(siblings), issue=issue_row)


# -- digest ------------------------------------------------------------------------------------------------
def _range() -> tuple[str, dt.date, dt.date]:
    st = state()
    pub = (request.values.get("pub") or st.settings.publication).strip()[:200]
    start = parse_day(request.values.get("from"), "from")
    end = parse_day(request.values.get("to"), "to")
    if start is None or end is None:
        lo, hi = st.store.date_bounds(pub)
        if hi is None:
            abort(404, description=_("No issue of %(pub)s is in the store yet, so there is no date range to show. "
                                     "Run `digest ingest PATH` first.", pub=pub))
        start, end = start or end or hi, end or start or hi
    if start > end:
        abort(400, description=_("“From” (%(start)s) is after “To” (%(end)s): swap the dates.", start=start, end=end))
    return pub, start, end


def _range_args(pub: str, start: dt.date, end: dt.date) -> dict[str, str]:
    args = {"from": start.isoformat(), "to": end.isoformat()}
    if pub != state().settings.publication:
        args["pub"] = pub
    return args


@bp.get("/digest")
def digest():
    pub, start, end = _range()
    args = _range_args(pub, start, end)
    if request.args.get("from") != args["from"] or request.args.get("to") != args["to"]:
        return redirect(url_for("preview.digest", **args, view=request.args.get("view", "html")))
    st = state()
    built = st.digest(pub, start, end)
    view = "text" if request.args.get("view") == "text" else "html"
    lo, hi = st.store.date_bounds(pub)
    guessed_issues = st.store.list_issues(pub, start=start, end=end, exclude_rules=PRINTED_RULES)
    return render_template("digest.html", built=built, d=built.digest, r=built.rendered, view=view, args=args,
                           pub=pub, start=start, end=end, lo=lo, hi=hi, smtp=bool(st.settings.smtp_host),
                           to=", ".join(st.settings.to), guessed_issues=guessed_issues)


def _email_response(body: str, kind: str) -> Response:
    resp = Response(body, mimetype=kind)
    resp.headers["Content-Type"] = f"{kind}; charset=utf-8"
    resp.headers["Content-Security-Policy"] = EMAIL_CSP
    return resp


@bp.get("/digest/email.html")
def email_html():
    pub, start, end = _range()
    return _email_response(state().digest(pub, start, end).rendered.html, "text/html")


@bp.get("/digest/email.txt")
def email_text():
    pub, start, end = _range()
    return _email_response(state().digest(pub, start, end).rendered.text, "text/plain")


@bp.post("/digest/send-test")
def send_test():
    """Build the digest of the range (outbox + digests table) and send it to ONE address."""
    from . import pipeline
    from .deliver import send_digest
    from .errors import DigestError

    check_csrf()
    pub, start, end = _range()
    addr = (request.form.get("addr") or "").strip()
    if not _EMAIL.match(addr) or len(addr) > 320:
        abort(400, description=_("%(addr)s is not an e-mail address; give one address, e.g. editor@example.org.",
                                 addr=repr(addr[:80])))
    st = state()
    outcome, error, digest_id = {}, None, None
    try:
        if not st.settings.smtp_host:  # say so before writing anything to the outbox
            raise DigestError(_("no SMTP server configured"), _("set DIGEST_SMTP_HOST (and restart the preview)"))
        result = pipeline.build(st.store, st.settings, start, end, publication=pub)
        digest_id = result.digest_id
        if digest_id is None:  # an empty range: nothing is built, nothing sent (issue 15.4)
            raise DigestError(_("There is no article of %(pub)s between %(start)s and %(end)s: nothing was built "
                                "or sent.", pub=pub, start=start, end=end), "")
        outcome = send_digest(st.store, st.settings, digest_id, to=[addr])  # a test send: never a delivery
    except DigestError as exc:
        error = exc
    ok = bool(outcome) and all(v.get("status") == "sent" for v in outcome.values())
    return render_template("sent.html", addr=addr, outcome=outcome, error=error, ok=ok, digest_id=digest_id,
                           args=_range_args(pub, start, end), pub=pub, start=start, end=end)

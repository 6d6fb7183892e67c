"""`digest preview`: a local web preview and archive of the store (Flask).

    /                                  archive: publications, issues, built digests and their deliveries
    /digest?from=D&to=D[&pub=P]        the e-mail exactly as it will be sent (iframe) or its plain text
    /digest/email.html, /digest/email.txt   the rendered e-mail itself, under a strict CSP
    /digest/send-test                  POST only, CSRF-checked: build + send to one address
    /issue/<id>                        the articles of one issue, by page
    /issue/<id>/page/<n>/source        raw page text beside the segmenter's split (for editors)
    /article/<id>                      full text with the summary sentences marked
    /outbox/<name>                     files of the outbox folder, nothing else

Safety: binds to 127.0.0.1 unless --host says otherwise (with a warning: there is no
authentication), answers only to loopback Host names when bound to loopback (DNS rebinding),
escapes everything (Jinja2 autoescape, no HTML built in Python), sends no script to the browser,
and sends mail only from an explicit POST carrying the session's CSRF token.
The routes of the pages live in digest/preview_views.py, the shared plumbing (dates, digest
cache, outbox files, CSRF) in digest/preview_state.py; this module holds the app factory, the
error pages and the CLI command. Imports point one way: preview -> preview_views -> preview_state.
"""
from __future__ import annotations

import logging
import mimetypes
import secrets
import threading
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from .config import Settings
from .preview_state import (EMAIL_CSP, LOOPBACK_NAMES, PAGE_CSP, PreviewState, csrf_token, is_loopback,
                            parse_day, state)

# Flask is imported inside the functions: `digest` (cli.py) imports this module for `register`,
# and every other command should not pay for loading Flask.

log = logging.getLogger("digest.preview")

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "preview"
# gettext catalogues of the interface (English source strings; Chinese in zh/LC_MESSAGES/messages.po,
# compiled to messages.mo; `make translations` re-extracts and compiles them).
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


# -- app factory -----------------------------------------------------------------------------------------
def create_app(settings: Settings, store: Any = None, *, allowed_hosts: tuple[str, ...] | None = LOOPBACK_NAMES):
    """The preview app (a Flask). `allowed_hosts`: Host names it answers to (None: any, for --host 0.0.0.0)."""
    from flask import Flask, abort, current_app, render_template, request, send_file
    from flask_babel import Babel
    from flask_babel import gettext as _
    from jinja2 import StrictUndefined
    from werkzeug.exceptions import HTTPException

    from . import pipeline
    from .display import date_is_guessed, local_time, zone_label
    from .headline import headline
    from .preview_views import bp, kind_label, line_label, rule_label, status_label

    app = Flask(__name__, template_folder=str(TEMPLATES), static_folder=None)
    app.secret_key = secrets.token_bytes(32)  # per process: sessions only carry the CSRF token
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict",
                      SESSION_COOKIE_NAME="digest_preview", MAX_CONTENT_LENGTH=64 * 1024,
                      PREVIEW_ALLOWED_HOSTS=allowed_hosts)
    app.jinja_env.undefined = StrictUndefined
    # the interface language is DIGEST_LANGUAGE (zh by default), whatever the browser asks for
    app.config.update(BABEL_DEFAULT_LOCALE=settings.language, BABEL_DEFAULT_TIMEZONE=settings.timezone)
    Babel(app, locale_selector=lambda: settings.language, timezone_selector=lambda: settings.timezone,
          default_translation_directories=str(TRANSLATIONS))
    app.jinja_env.globals.update(csrf_token=csrf_token, lang=settings.language, headline=headline,
                                 guessed=date_is_guessed, kind_label=kind_label, status_label=status_label, rule_label=rule_label,
                                 line_label=line_label,
                                 zone=zone_label(settings.tz, settings.timezone))
    app.jinja_env.filters["local"] = lambda value, seconds=False: local_time(value, settings.tz, seconds=seconds)
    app.jinja_env.tests["guessed"] = date_is_guessed
    app.extensions["digest_preview"] = PreviewState(settings, store if store is not None else pipeline.open_store(settings))
    app.register_blueprint(bp)

    @app.before_request
    def _check_host():
        allowed = current_app.config["PREVIEW_ALLOWED_HOSTS"]
        if allowed is None:
            return None
        host = (urlsplit("//" + request.host).hostname or "") if request.host else ""
        if host not in allowed and not is_loopback(host):
            abort(400, description=_("This preview answers only to localhost, not to host %(host)s.",
                                     host=repr(host[:60])))
        return None

    @app.after_request
    def _headers(resp):
        resp.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        names = {400: _("Bad request"), 403: _("Forbidden"), 404: _("Not found"), 405: _("Method not allowed"),
                 413: _("Request too large")}
        return render_template("error.html", code=exc.code, name=names.get(exc.code, exc.name),
                               message=exc.description or ""), exc.code

    @app.errorhandler(Exception)
    def _crash(exc: Exception):
        from .errors import DigestError

        if isinstance(exc, DigestError):
            log.warning("preview: %s", exc)
            return render_template("error.html", code=503, name=_("Cannot read the store"),
                                   message=exc.message, hint=exc.hint), 503
        log.exception("preview: %s %s failed", request.method, request.path)
        return render_template("error.html", code=500, name=_("Internal error"),
                               message=_("Something went wrong while building this page; the details are in the "
                                         "preview's log (run with -v).")), 500

    @app.get("/outbox/<path:name>")
    def outbox(name: str):
        target = state().outbox_file(name)
        if target is None:
            abort(404, description=_("No such file in the outbox."))
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix.lower() in (".txt", ".eml"):
            kind = "text/plain"
        resp = send_file(target, mimetype=kind, max_age=0, conditional=True)
        resp.headers["Content-Security-Policy"] = EMAIL_CSP
        if kind.startswith("text/"):
            resp.headers["Content-Type"] = f"{kind}; charset=utf-8"
        return resp

    return app


# -- CLI --------------------------------------------------------------------------------------------------
def serve(app: Any, host: str, port: int, open_browser: bool = False, echo: Callable[[str], None] = print) -> None:
    from werkzeug.serving import make_server

    server = make_server(host, port, app, threaded=True)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{server.server_port}/"
    echo(f"digest preview on {url}  (Ctrl-C to stop)")
    if open_browser:
        import webbrowser

        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def register(cli: Any) -> None:
    """Add `digest preview` to the click group (called from the hook at the end of cli.py)."""
    import click

    from .context import Ctx, Fail, pass_ctx

    @cli.command()
    @click.option("--host", default="127.0.0.1", show_default=True,
                  help="Address to bind. Anything but loopback exposes the preview (it has no authentication).")
    @click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free).")
    @click.option("--open", "open_browser", is_flag=True, help="Open the preview in the default browser.")
    @pass_ctx
    def preview(c: Ctx, host: str, port: int, open_browser: bool):
        """Browse the archive in a web browser: issues, articles, page splits and each digest
        exactly as it will be e-mailed. Reads the store; sends mail only from its "send test" form."""
        settings = c.settings()
        store = c.store(settings)
        loopback = is_loopback(host)
        if not loopback:
            click.echo(f"warning: binding to {host}: the preview has NO authentication; anyone who can reach "
                       f"this address can read the archive and send test mails.", err=True)
        app = create_app(settings, store, allowed_hosts=LOOPBACK_NAMES if loopback else None)
        try:
            serve(app, host, port, open_browser, echo=lambda line: click.echo(line, err=True))
        except OSError as exc:
            raise Fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}\n"
                       f"  hint: pick another --port (or 0 for any free one)") from None


__all__ = ["create_app", "register", "serve", "EMAIL_CSP", "PAGE_CSP", "parse_day", "is_loopback"]

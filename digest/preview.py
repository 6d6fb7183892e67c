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

import errno
import logging
import mimetypes
import secrets
import threading
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from . import templates_dir
from .config import Settings
from .preview_state import (EMAIL_CSP, LOOPBACK_NAMES, PAGE_CSP, PreviewState, csrf_token, is_loopback,
                            parse_day, state)

# Flask is imported inside the functions: `digest` (cli.py) imports this module for `register`,
# and every other command should not pay for loading Flask.

log = logging.getLogger("digest.preview")

TEMPLATES = templates_dir() / "preview"
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
                 413: _("Request too large"), 500: _("Internal error")}
        # Werkzeug's own English descriptions are replaced by ours (through the catalogue); a
        # description given to abort() is the view's own, already translated
        generic = {400: _("The browser sent a request this preview could not understand."),
                   403: _("This page may not be opened from here."),
                   404: _("There is no such page in the preview. Check the address, or start again from the "
                          "archive."),
                   405: _("This page cannot be used that way (the method is not allowed)."),
                   413: _("The request is too large."),
                   500: _("Something went wrong while building this page; the details are in the preview's "
                          "log (run with -v).")}
        own = exc.description and exc.description != type(exc).description
        message = exc.description if own else generic.get(exc.code, "")
        return render_template("error.html", code=exc.code, name=names.get(exc.code, _("Error")),
                               message=message or ""), exc.code

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
class PortInUse(OSError):
    """The preview's address is taken (or cannot be bound): ``host``, ``port``, ``reason``."""

    def __init__(self, host: str, port: int, reason: str):
        super().__init__(reason)
        self.host, self.port, self.reason = host, port, reason


def _plain_handler():
    """Werkzeug's request handler, logging plain text: its access lines carry ANSI colour codes
    ("\\x1b[33mGET …"), which a log file or journal shows escaped."""
    from werkzeug.serving import WSGIRequestHandler

    class PlainHandler(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            self.log("info", '"%s" %s %s', self.requestline, code, size)

    return PlainHandler


def _bind(host: str, port: int):
    """A listening socket on host:port, or PortInUse: Werkzeug's own bind prints English to stderr
    and exits 1 on a busy port, so the socket is bound here and handed to it."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise PortInUse(host, port, "the port is in use by another program" if exc.errno == errno.EADDRINUSE
                        else (exc.strerror or str(exc))) from None
    return sock


def serve(app: Any, host: str, port: int, open_browser: bool = False, echo: Callable[[str], None] = print) -> None:
    """Serve `app` on host:port (0: any free port) until Ctrl-C. Raises PortInUse when the address
    cannot be bound. Access log lines are plain text (logger "werkzeug")."""
    from werkzeug.serving import make_server

    sock = _bind(host, port)
    try:
        server = make_server(host, port, app, threaded=True, request_handler=_plain_handler(), fd=sock.fileno())
    finally:
        sock.close()  # the server holds its own duplicate of the descriptor
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{server.server_address[1]}/"
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
        except PortInUse as exc:
            raise Fail(f"cannot listen on {host} port {port}: {exc.reason}\n"
                       f"  hint: pick another port with --port N (e.g. --port {port + 1 if 0 < port < 65535 else 8001}), "
                       f"or --port 0 for any free one") from None
        except OSError as exc:
            raise Fail(f"cannot listen on {host} port {port}: {exc.strerror or exc}\n"
                       f"  hint: pick another port with --port N, or --port 0 for any free one") from None


__all__ = ["create_app", "register", "serve", "EMAIL_CSP", "PAGE_CSP", "parse_day", "is_loopback"]

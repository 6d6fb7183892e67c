"""`digest web`: the public side of the newsletter, a production WSGI app (Flask, served by waitress).

    GET  /  /year/Y/  /digest/SLUG/  /article/ID/  /feed.xml  /sitemap.xml   the read-only archive
    GET  /unsubscribe/TOKEN     a confirm page (changes nothing: link scanners fetch GETs)
    POST /unsubscribe/TOKEN     unsubscribes; RFC 8058 one-click (List-Unsubscribe=One-Click) works
                                as a mailbox provider sends it: no session, no cookie, no CSRF token
    GET  /unsubscribe/          how to leave (the link of a test send)
    GET/POST /subscribe         optional (DIGEST_WEB_SUBSCRIBE): a form, double opt-in
    GET/POST /subscribe/confirm/TOKEN   confirm page, then POST makes the reader active
    GET  /healthz               "ok" when the database answers (for the proxy or the orchestrator)

Nothing else: no preview, no test send, no page source, no outbox files. Every response has a
Content-Security-Policy without scripts, nosniff, frame-ancestors 'none', Referrer-Policy
no-referrer (token URLs never leak), HSTS over https; token pages are `no-store`. The subscribe
form carries a CSRF token (Flask-WTF) and a honeypot; the unsubscribe POST needs none: its signed
token is the proof. Behind DIGEST_WEB_PROXIES reverse proxies, X-Forwarded-For/-Proto/-Host are
trusted (werkzeug ProxyFix). Pages are in DIGEST_LANGUAGE (Chinese by default) through Flask-Babel
and the `web` catalogue. The archive pages are the ones `digest publish` writes (digest.archive).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

from .archive import DOMAIN, TEMPLATES, TRANSLATIONS, Archive, install, parse_slug
from .config import Settings

log = logging.getLogger("digest.web")

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
CONFIRM_RESEND_SECONDS = 600  # one confirmation e-mail per address per 10 minutes at most


def create_app(settings: Settings, store: Any = None):
    """The public WSGI app (a Flask). `store`: a digest.store.Store (default: the settings' database)."""
    from flask import Flask, Response, abort, redirect, render_template, request
    from flask_babel import Babel
    from flask_babel import gettext as _
    from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
    from jinja2 import StrictUndefined
    from werkzeug.exceptions import HTTPException
    from werkzeug.middleware.proxy_fix import ProxyFix

    from . import pipeline, subscribers as subs
    from .tokens import BadToken, Tokens, secret_key, subscriber_for

    store = store if store is not None else pipeline.open_store(settings)
    key = secret_key(store, settings)
    tokens = Tokens(key)
    archive = Archive(store, settings)
    app = Flask(__name__, template_folder=str(TEMPLATES), static_folder=None)
    https = settings.public_url.startswith("https://")
    app.config.update(
        SECRET_KEY=hashlib.sha256(b"digest web session\0" + key.encode()).hexdigest(),
        SESSION_COOKIE_NAME="digest_web", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https, MAX_CONTENT_LENGTH=16 * 1024, WTF_CSRF_TIME_LIMIT=3600,
        BABEL_DEFAULT_LOCALE=settings.language, BABEL_DEFAULT_TIMEZONE=settings.timezone)
    app.jinja_env.undefined = StrictUndefined
    Babel(app, locale_selector=lambda: settings.language, timezone_selector=lambda: settings.timezone,
          default_translation_directories=str(TRANSLATIONS), default_domain=DOMAIN)
    install(app.jinja_env, settings)
    csrf = CSRFProtect(app)
    if settings.web_proxies:
        n = settings.web_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)  # type: ignore[method-assign]
    base = dict(publication=settings.publication, subscribe=settings.web_subscribe, feed=True, canonical="",
                noindex=False)

    def page(name: str, status: int = 200, *, private: bool = False, **values: Any):
        root = request.script_root + "/"
        resp = Response(render_template(name, root=root, **{**base, **values}), status, mimetype="text/html")
        resp.headers["Cache-Control"] = "no-store" if private else "public, max-age=300"
        return resp

    def message(heading: str, lines: list[str], status: int = 200, *, form_action: str = "", button: str = "",
                csrf_token: str = ""):
        return page("message.html", status, private=True, noindex=True, heading=heading, lines=lines,
                    form_action=form_action, button=button, csrf=csrf_token)

    @app.after_request
    def _headers(resp):
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["Permissions-Policy"] = "interest-cohort=(), camera=(), microphone=(), geolocation=()"
        resp.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.is_secure:
            resp.headers["Strict-Transport-Security"] = "max-age=31536000"
        return resp

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        names = {400: _("Bad request"), 404: _("Page not found"), 405: _("Method not allowed"),
                 413: _("Request too large")}
        return message(names.get(exc.code or 500, exc.name), [exc.description or ""] if exc.code != 404 else
                       [_("There is no such page in the archive.")], exc.code or 500)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        return message(_("The form has expired"), [_("Please open the form again and send it once more.")], 400)

    @app.errorhandler(Exception)
    def _crash(exc: Exception):
        from .errors import DigestError

        if isinstance(exc, DigestError):
            log.warning("web: %s", exc)
        else:
            log.exception("web: %s %s failed", request.method, request.path)
        return message(_("Temporarily unavailable"), [_("Please try again in a few minutes.")], 503)

    # -- the archive -------------------------------------------------------------------------------
    @app.get("/")
    def index():
        return page("index.html", recent=archive.digests(), years=archive.years())

    @app.get("/year/<int:year>/")
    def year_page(year: int):
        items = archive.digests(limit=None, year=year) if 1900 < year < 3000 else []
        if not items:
            abort(404)
        months: dict[int, list] = {}
        for d in items:
            months.setdefault(d["end_date"].month, []).append(d)
        return page("year.html", year=year, months=sorted(months.items(), reverse=True))

    @app.get("/digest/<string:key>/")
    def digest_page(key: str):
        rng = parse_slug(key)
        row = archive.find(*rng) if rng else None
        if row is None:
            abort(404)
        return page("digest.html", **archive.digest_view(row))

    @app.get("/digest")
    def digest_query():  # links of e-mails built for the preview's URL scheme (?from=&to=)
        try:
            start = dt.date.fromisoformat(request.args.get("from", ""))
            end = dt.date.fromisoformat(request.args.get("to", "") or start.isoformat())
        except ValueError:
            abort(404)
        from .archive import slug

        return redirect(f"{request.script_root}/digest/{slug(start, end)}/", 301)

    @app.get("/article/<int:article_id>/")
    @app.get("/article/<int:article_id>")
    def article_page(article_id: int):
        view = archive.article_view(article_id) if article_id < 2**62 else None
        if view is None:
            abort(404)
        return page("article.html", a=view)

    @app.get("/feed.xml")
    def feed():
        from .publish import atom_feed

        base_url = settings.base_url or settings.public_url or request.host_url  # absolute ids and links
        resp = Response(atom_feed(archive, settings, base_url), mimetype="application/atom+xml")
        resp.headers["Cache-Control"] = "public, max-age=300"
        return resp

    @app.get("/sitemap.xml")
    def sitemap():
        from .publish import sitemap_urls, sitemap_xml

        urls = list(sitemap_urls(archive, settings.base_url or request.host_url))
        return Response(sitemap_xml(urls[:50_000]), mimetype="application/xml")

    @app.get("/robots.txt")
    def robots():
        return Response("User-agent: *\nDisallow: /unsubscribe/\nDisallow: /subscribe\n", mimetype="text/plain")

    @app.get("/static/archive.css")
    def css():
        resp = Response((TEMPLATES / "archive.css").read_bytes(), mimetype="text/css")
        resp.headers["Cache-Control"] = "public, max-age=3600"
        return resp

    @app.get("/healthz")
    def healthz():
        store.schema_version()
        return Response("ok\n", mimetype="text/plain", headers={"Cache-Control": "no-store"})

    # -- unsubscribe ---------------------------------------------------------------------------------
    def _reader(token: str):
        try:
            return subscriber_for(store, *tokens.read_unsubscribe(token))
        except BadToken:
            return None

    def _bad_link():
        return message(_("This link is not valid"),
                       [_("The unsubscribe link is damaged or no longer valid. Use the 退订 link of the latest "
                          "digest you received, or reply to it and ask to be removed.")], 400)

    @app.get("/unsubscribe/")
    def unsubscribe_help():
        return message(_("Unsubscribe"), [_("Every digest e-mail ends with a 退订 link made for its reader: "
                                            "open it to stop receiving the digest.")])

    @app.get("/unsubscribe/<string:token>")
    def unsubscribe_confirm(token: str):
        sub = _reader(token)
        if sub is None:
            return _bad_link()
        if sub.status in subs.LEFT:
            return message(_("You have unsubscribed"), [_("%(email)s receives no more digests of %(publication)s.",
                                                         email=_mask(sub.email), publication=sub.publication)])
        return message(_("Unsubscribe from %(publication)s?", publication=sub.publication),
                       [_("%(email)s will no longer receive the digest.", email=_mask(sub.email))],
                       form_action=f"{request.script_root}/unsubscribe/{token}", button=_("Unsubscribe"))

    @app.post("/unsubscribe/<string:token>")
    @csrf.exempt
    def unsubscribe(token: str):
        sub = _reader(token)
        if sub is None:
            return _bad_link()
        one_click = request.form.get("List-Unsubscribe") == "One-Click"
        subs.set_status(store, sub, "unsubscribed" if sub.status != "bounced" else "bounced",
                        "one-click" if one_click else "web", request.headers.get("User-Agent", "")[:200])
        log.info("web: subscriber %d of %s unsubscribed (%s)", sub.id, sub.publication,
                 "one-click" if one_click else "web")
        return message(_("You have unsubscribed"), [_("%(email)s receives no more digests of %(publication)s.",
                                                     email=_mask(sub.email), publication=sub.publication)])

    # -- subscribe (double opt-in) --------------------------------------------------------------------
    @app.route("/subscribe", methods=["GET", "POST"])
    def subscribe():
        if not settings.web_subscribe:
            abort(404)
        if request.method == "GET":
            return page("subscribe.html", private=True, csrf=generate_csrf(), email="", error="")
        address = request.form.get("email", "").strip()
        if request.form.get("website"):  # the honeypot: a robot filled the hidden field
            return _check_inbox()
        try:
            email = subs.normalise(address)
        except subs.InvalidAddress as exc:
            return page("subscribe.html", 400, private=True, csrf=generate_csrf(), email=address[:320],
                        error=_("This address cannot receive mail: %(reason)s", reason=exc.reason))
        sub, _what = subs.add(store, settings.publication, email, source="web", status="pending")
        if sub.status != "active" and _may_mail(sub.id):
            _send_confirmation(sub)
        return _check_inbox()  # the same answer whatever the address's status: no probing

    def _check_inbox():
        return message(_("Check your inbox"), [_("If the address can subscribe, we have sent it an e-mail with a "
                                                 "link to confirm. The subscription starts once you confirm.")])

    def _may_mail(sid: int) -> bool:
        sent = [e for e in subs.events(store, sid) if e["detail"] == "confirmation sent"]
        return not sent or (dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - sent[-1]["at"]
                            ).total_seconds() > CONFIRM_RESEND_SECONDS

    def _send_confirmation(sub) -> None:
        from .deliver import send_one
        from .errors import DigestError

        link = f"{settings.public_url or request.host_url.rstrip('/')}/subscribe/confirm/{tokens.confirm(sub)}"
        try:
            send_one(settings, sub.email, confirmation_message(settings, sub.email, link))
        except DigestError as exc:
            log.warning("web: confirmation to subscriber %d not sent: %s", sub.id, exc)
            return
        with store._write() as conn:  # recorded so the next request within the window sends none
            from .schema import subscriber_events
            conn.execute(subscriber_events.insert().values(subscriber_id=sub.id, at=dt.datetime.now(
                dt.timezone.utc).replace(tzinfo=None), status=sub.status, source="web", detail="confirmation sent"))

    def _confirm_reader(token: str):
        try:
            return subscriber_for(store, *tokens.read_confirm(token))
        except BadToken:
            return None

    def _bad_confirmation():
        return message(_("This link is not valid"), [_("The confirmation link is damaged or has expired. "
                                                       "Subscribe again to get a new one.")], 400)

    @app.get("/subscribe/confirm/<string:token>")
    def confirm_page(token: str):
        sub = _confirm_reader(token) if settings.web_subscribe else None
        if sub is None:
            return _bad_confirmation()
        return message(_("Confirm your subscription"), [_("Send the digest of %(publication)s to %(email)s?",
                                                         publication=sub.publication, email=_mask(sub.email))],
                       form_action=f"{request.script_root}/subscribe/confirm/{token}", button=_("Confirm"),
                       csrf_token=generate_csrf())

    @app.post("/subscribe/confirm/<string:token>")
    def confirm(token: str):
        sub = _confirm_reader(token) if settings.web_subscribe else None
        if sub is None:
            return _bad_confirmation()
        subs.set_status(store, sub, "active", "web", "confirmed (double opt-in)")
        return message(_("Subscribed"), [_("%(email)s will receive the digest of %(publication)s.",
                                          email=_mask(sub.email), publication=sub.publication)])

    return app


def _mask(email: str) -> str:
    """r•••r@example.org: enough for a reader to recognise their address, not to read it off a screen."""
    local, _, domain = email.partition("@")
    shown = local[0] + "•••" + (local[-1] if len(local) > 2 else "") if local else ""
    return f"{shown}@{domain}"


def confirmation_message(settings: Settings, to: str, link: str) -> bytes:
    """The double opt-in e-mail (plain text, UTF-8, wire form)."""
    import email.policy
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.utils import format_datetime, make_msgid

    from .render import one_line

    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = Address(display_name=one_line(settings.publication), addr_spec=settings.from_addr)
    msg["To"] = to
    msg["Subject"] = f"请确认订阅《{one_line(settings.publication)}》每日摘要"
    msg["Date"] = format_datetime(dt.datetime.now(dt.timezone.utc))
    msg["Message-ID"] = make_msgid(domain=settings.from_addr.rpartition("@")[2] or "localhost")
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(f"您好！\n\n有人（希望是您）用这个地址订阅了《{one_line(settings.publication)}》每日摘要。"
                    f"请打开下面的链接确认订阅（7天内有效）：\n\n{link}\n\n"
                    f"如果不是您本人操作，请忽略本邮件，您不会收到任何摘要。\n", charset="utf-8")
    return msg.as_bytes(policy=email.policy.SMTP)


def serve(app: Any, host: str, port: int, threads: int = 8, echo=print) -> None:
    """Serve `app` with waitress until interrupted (SIGINT/SIGTERM)."""
    from waitress import create_server

    server = create_server(app, host=host, port=port, threads=threads, ident="digest",
                           clear_untrusted_proxy_headers=True)
    echo(f"digest web on http://{host if ':' not in host else f'[{host}]'}:{server.effective_port}/  (Ctrl-C to stop)")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


__all__ = ["create_app", "serve", "confirmation_message", "CSP"]

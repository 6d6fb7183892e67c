"""Shared plumbing of `digest preview`: the app's state (store, settings, digest cache) and request helpers.

Used by digest/preview.py (app factory, CLI) and digest/preview_views.py (the pages); imports neither,
so the preview's modules point one way: preview.py -> preview_views.py -> preview_state.py.
"""
from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .config import Settings

# Flask is imported inside the functions: `digest` (cli.py) imports the preview for `register`,
# and every other command should not pay for loading Flask.

# The e-mail (and any outbox file) is shown as data: no script, no fetch, no remote image.
EMAIL_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
# The preview's own pages: no script at all; frames and forms only from this origin.
PAGE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'; "
            "form-action 'self'; frame-ancestors 'self'; base-uri 'none'")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# -- small helpers shared with the views ------------------------------------------------------
def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_day(value: str | None, name: str) -> dt.date | None:
    """YYYY-MM-DD or None when empty; anything else is a 400 with a helpful message."""
    from flask import abort
    from flask_babel import gettext as _

    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        if not _DAY.match(value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        label = {"from": _("From"), "to": _("To")}.get(name, name)
        abort(400, description=_("“%(name)s” is %(value)s, which is not a date: use YYYY-MM-DD, e.g. 2025-06-18.",
                                 name=label, value=repr(value[:40])))


def state() -> "PreviewState":
    from flask import current_app

    return current_app.extensions["digest_preview"]


@dataclass
class Built:
    """A digest rendered for the preview (cached per range and store revision)."""

    digest: Any  # models.Digest
    rendered: Any  # models.Rendered
    seconds: float


class DigestCache:
    """Rendered digests per (publication, start, end, store revision); small LRU, one build per key."""

    def __init__(self, size: int = 16):
        self.size = size
        self._items: OrderedDict[tuple, Built] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[tuple, threading.Lock] = {}

    def get(self, key: tuple, make: Callable[[], Built]) -> Built:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            key_lock = self._building.setdefault(key, threading.Lock())
        with key_lock:  # a page and its iframe ask at once: build once
            with self._lock:
                if key in self._items:
                    return self._items[key]
            built = make()
            with self._lock:
                self._items[key] = built
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
                self._building.pop(key, None)
            return built


class PreviewState:
    def __init__(self, settings: Settings, store: Any):
        self.settings = settings
        self.store = store
        self.cache = DigestCache()

    def digest(self, publication: str, start: dt.date, end: dt.date) -> Built:
        """make_digest (stored summaries only) + render_digest, cached until the store changes."""
        from . import pipeline

        key = (publication, start, end, self.store.revision())

        def make() -> Built:
            from .render import render_digest

            t0 = time.perf_counter()
            digest = pipeline.make_digest(self.store, self.settings, start, end, publication)
            rendered = render_digest(digest, self.settings)
            return Built(digest, rendered, time.perf_counter() - t0)

        return self.cache.get(key, make)

    def outbox_file(self, name: str) -> Path | None:
        """The file `name` inside the outbox, or None: no '..', no absolute path, no escaping symlink."""
        if not name or "\x00" in name or "\\" in name or name.startswith(("/", "~")) or re.match(r"^[A-Za-z]:", name):
            return None
        if any(part in ("..", ".") for part in name.split("/")):
            return None
        root = Path(self.settings.outbox).resolve()
        try:
            target = (root / name).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not target.is_relative_to(root) or target == root or not target.is_file():
            return None
        return target

    def outbox_name(self, path: str | None) -> str | None:
        """The /outbox/ name of a stored outbox path, when it lies inside the outbox."""
        if not path:
            return None
        root = Path(self.settings.outbox).resolve()
        try:
            rel = Path(path).resolve().relative_to(root)
        except (ValueError, OSError):
            return None
        return rel.as_posix() if self.outbox_file(rel.as_posix()) else None


def csrf_token() -> str:
    from flask import session

    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    from flask import abort, request, session
    from flask_babel import gettext as _

    sent = request.form.get("csrf", "")
    token = session.get("csrf", "")
    if not token or not sent or not hmac.compare_digest(str(sent), str(token)):
        abort(403, description=_("The form has expired or did not come from this preview (missing or wrong CSRF "
                                 "token). Reload the digest page and try again."))

"""Signed tokens for the links a reader gets: unsubscribe (in every digest) and confirm (double opt-in).

A token is itsdangerous' URL-safe signed serialisation (HMAC-SHA256) of [subscriber id, nonce]:
no address in it, in clear or otherwise. It cannot be forged without the secret key, and it cannot
be altered to name another subscriber: the signature covers the id, and the nonce (random, kept in
the subscriber's row) must match too, so a token never works for a later subscriber who gets the
same id, and a new nonce revokes every earlier token of a subscriber. Each kind of token has its
own salt: an unsubscribe token is not a confirmation token, nor the other way round.

Unsubscribe tokens do not expire (RFC 8058: the link of an old message must still work);
confirmation tokens expire after CONFIRM_MAX_AGE.

The key is DIGEST_SECRET_KEY, or else a random key made once and kept in the database
(`digest_meta`), so every host that shares the database signs and checks alike with no setting.
"""
from __future__ import annotations

import hashlib
import secrets
from typing import Any

import sqlalchemy as sa
from itsdangerous import BadData, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from .errors import DigestError
from .schema import meta_table

UNSUBSCRIBE_SALT = "digest.unsubscribe.v1"
CONFIRM_SALT = "digest.confirm.v1"
CONFIRM_MAX_AGE = 7 * 24 * 3600  # seconds a confirmation link stays valid
_META_KEY = "secret_key"
_SIGNER = {"digest_method": hashlib.sha256}


class BadToken(DigestError):
    """A token that is forged, altered, of another kind, expired, or names no subscriber."""

    def __init__(self, why: str):
        super().__init__(f"invalid link: {why}", "use the link of the latest e-mail")
        self.why = why


def secret_key(store: Any, settings: Any = None) -> str:
    """DIGEST_SECRET_KEY, else the database's key (made on first use; concurrent first uses agree)."""
    configured = getattr(settings, "secret_key", "") if settings is not None else ""
    if configured:
        return configured
    with store._read() as conn:
        found = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == _META_KEY)).scalar()
    if found:
        return found
    try:
        with store._write() as conn:
            found = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == _META_KEY)).scalar()
            if found:
                return found
            key = secrets.token_urlsafe(32)
            conn.execute(sa.insert(meta_table).values(key=_META_KEY, value=key))
            return key
    except IntegrityError:  # another process made it a moment ago
        with store._read() as conn:
            return conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == _META_KEY)).scalar()


class Tokens:
    """Makes and checks the tokens of one key."""

    def __init__(self, key: str):
        self._unsub = URLSafeSerializer(key, salt=UNSUBSCRIBE_SALT, signer_kwargs=_SIGNER)
        self._confirm = URLSafeTimedSerializer(key, salt=CONFIRM_SALT, signer_kwargs=_SIGNER)

    @classmethod
    def for_store(cls, store: Any, settings: Any = None) -> "Tokens":
        return cls(secret_key(store, settings))

    def unsubscribe(self, sub: Any) -> str:
        """The unsubscribe token of a subscriber (anything with .id and .token_nonce)."""
        return self._unsub.dumps([int(sub.id), sub.token_nonce])

    def confirm(self, sub: Any) -> str:
        """The confirmation token of a pending subscriber (valid for CONFIRM_MAX_AGE seconds)."""
        return self._confirm.dumps([int(sub.id), sub.token_nonce])

    def read_unsubscribe(self, token: str) -> tuple[int, str]:
        """(subscriber id, nonce) of a genuine unsubscribe token; raises BadToken."""
        try:
            return _ids(self._unsub.loads(token))
        except BadData:
            raise BadToken("the signature does not match") from None

    def read_confirm(self, token: str) -> tuple[int, str]:
        """(subscriber id, nonce) of a genuine, unexpired confirmation token; raises BadToken."""
        try:
            return _ids(self._confirm.loads(token, max_age=CONFIRM_MAX_AGE))
        except SignatureExpired:
            raise BadToken("the confirmation link has expired") from None
        except BadData:
            raise BadToken("the signature does not match") from None


def _ids(value: Any) -> tuple[int, str]:
    if (not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], int)
            or not isinstance(value[1], str)):
        raise BadToken("not a subscriber token")
    return value[0], value[1]


def subscriber_for(store: Any, sid: int, nonce: str):
    """The subscriber a checked token names, or BadToken when they are gone or the nonce differs."""
    from .subscribers import get_by_id

    sub = get_by_id(store, sid)
    if sub is None or not secrets.compare_digest(sub.token_nonce, nonce):
        raise BadToken("no such subscriber")
    return sub


__all__ = ["Tokens", "BadToken", "secret_key", "subscriber_for", "CONFIRM_MAX_AGE"]

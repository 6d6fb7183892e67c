"""E-mail addresses as people type them: one validated address per recipient.

``split_addresses("a@x.org, b@y.org")``, ``split_addresses("张三 <d@x.org> e@y.org")`` and
``split_addresses("a@x.org; b@y.org")`` all give one address per recipient, each checked offline by
the email-validator package (no DNS look-up) and kept in its ASCII form (an internationalised
domain becomes punycode). A word that is neither an address nor the display name in front of an
``<address>`` is an error: ``--test-to 2025-07-30`` is refused, never sent to.
"""
from __future__ import annotations

import re

from .errors import DigestError

# a quoted display name, an <address>, or a bare word (an address when it holds an @)
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|<[^<>]*>|[^\s,;<>"]+|[<>"]')
_SEPARATOR = re.compile(r"[\s,;]+")


class AddressError(DigestError):
    """A recipient that is not one valid e-mail address; `.address` is the text, `.reason` why."""

    def __init__(self, address: str, reason: str, hint: str = ""):
        super().__init__(f"{address!r} is not a valid e-mail address: {reason}",
                         hint or "give addresses like editor@example.org, separated by commas")
        self.address, self.reason = address, reason


def normalise(address: str) -> str:
    """One address, checked offline by email-validator: its ASCII form (domain lower case,
    punycode). Raises AddressError with email-validator's reason."""
    from email_validator import EmailNotValidError, validate_email

    text = (address or "").strip()
    if not text:
        raise AddressError(text, "it is empty")
    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise AddressError(text, str(exc)) from None
    return checked.ascii_email or checked.normalized


def split_addresses(text: str) -> list[str]:
    """Every recipient in `text` (commas, semicolons or spaces between them; ``Name <addr>``
    allowed), validated, without repeats (first spelling kept, compared without case).

    Raises AddressError for a word that is not an address (and not a display name before an
    ``<address>``), for an invalid address, and when `text` holds no address at all.
    """
    found: list[str] = []
    name_words: list[str] = []
    for token in _TOKEN.findall(text or ""):
        if token.startswith("<") and token.endswith(">") and len(token) > 1:
            found.append(normalise(token[1:-1]))
            name_words = []
        elif token.startswith('"'):
            name_words.append(token)
        elif "@" in token:
            if name_words:
                raise AddressError(" ".join(name_words), "not an address",
                                   "write a name as: 张三 <zhang@example.org>")
            found.append(normalise(token))
        elif token in "<>\"":
            raise AddressError(text.strip(), f"unbalanced {token!r}")
        else:
            name_words.append(token)
    if name_words:
        raise AddressError(" ".join(name_words), "not an address",
                           "give addresses like editor@example.org; a name goes before <address>")
    if not found:
        raise AddressError((text or "").strip(), "no address given")
    unique: dict[str, str] = {}
    for address in found:
        unique.setdefault(address.lower(), address)
    return list(unique.values())


__all__ = ["AddressError", "normalise", "split_addresses"]

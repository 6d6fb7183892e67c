"""One message per reader, made from the digest's stored message (the template) at send time.

The build stores one message per digest (its wire bytes, in the database and the outbox .eml);
its 退订 links point at `…/unsubscribe/UNSUBSCRIBE_TOKEN` (digest.render). For each reader,
MailMerge.message() gives the bytes to send:

  * `To:` the reader (with their name), never the list;
  * `List-Unsubscribe: <https://…/unsubscribe/TOKEN>, <mailto:…>` and
    `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 2369, RFC 8058), TOKEN being the
    reader's signed token (digest.tokens);
  * the reader's token in place of the placeholder in the HTML and the text;
  * everything else byte for byte as stored (Message-ID, Subject, List-Id, the rest of the body).

The template is parsed once: every text part holding the placeholder is replaced by a marker, the
message is serialised once and cut at the markers, so each reader costs one encoding of the parts
that change (base64 or quoted-printable, as stored) and a join, not a parse and a generation
(2,000 readers: see bench/bench_send.py). A part without the placeholder (a digest built before
personal links, or without DIGEST_WEB_URL) is sent as stored.
"""
from __future__ import annotations

import base64
import binascii
import email
import email.policy
import re
import secrets
from email.utils import formataddr
from typing import Any, Sequence

from .config import Settings
from .render import UNSUBSCRIBE_PLACEHOLDER, one_line

WIRE = email.policy.SMTP
_PLACEHOLDER_PATH = f"/unsubscribe/{UNSUBSCRIBE_PLACEHOLDER}"
_REPLACED = ("to", "cc", "list-unsubscribe", "list-unsubscribe-post")


def _header_block_split(data: bytes) -> tuple[bytes, bytes]:
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return data, b""
    return data[:end + 2], data[end + 4:]


def _drop_headers(head: bytes, names: tuple[str, ...]) -> bytes:
    """The header block without the fields named (and their folded continuation lines)."""
    out, skipping = [], False
    for line in head.split(b"\r\n"):
        if not line:
            continue
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                out.append(line)
            continue
        name = line.split(b":", 1)[0].strip().lower().decode("ascii", "replace")
        skipping = name in names
        if not skipping:
            out.append(line)
    return b"\r\n".join(out) + b"\r\n"


def _fields(recipient: str, name: str, list_unsubscribe: str, one_click: bool) -> bytes:
    """To:, List-Unsubscribe: and List-Unsubscribe-Post: as wire lines (RFC 2047 for a name,
    folded between URIs), without the email package's per-header parsing (cheap per reader)."""
    to = formataddr((name, recipient), charset="utf-8") if name else recipient
    lines = [f"To: {to}"]
    if list_unsubscribe:
        uris = [u.strip() for u in list_unsubscribe.split(",") if u.strip()]
        lines.append("List-Unsubscribe: " + ",\r\n ".join(uris))
        if one_click:
            lines.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


class MailMerge:
    """Per-reader wire bytes from the stored message `template` (bytes, CRLF)."""

    def __init__(self, template: bytes):
        msg = email.message_from_bytes(template, policy=email.policy.default)
        self._varying: list[tuple[str, str, str]] = []  # (text, subtype, cte) of each part with the placeholder
        tag = secrets.token_hex(6)
        for part in msg.walk():
            if part.is_multipart() or part.get_content_maintype() != "text":
                continue
            text = part.get_content()
            if _PLACEHOLDER_PATH not in text:
                continue
            cte = (part.get("Content-Transfer-Encoding") or "8bit").lower()
            self._varying.append((text, part.get_content_subtype(), cte))
            part.set_payload(f"@@merge-{len(self._varying) - 1}-{tag}@@")
        wire = msg.as_bytes(policy=WIRE) if self._varying else template
        head, body = _header_block_split(wire)
        self._head = _drop_headers(head, _REPLACED)
        self._chunks = re.split(rb"@@merge-\d+-" + tag.encode() + rb"@@", body)
        self.personal = bool(self._varying)

    def message(self, recipient: str, *, name: str = "", unsubscribe_url: str = "",
                list_unsubscribe: str = "", one_click: bool = False) -> bytes:
        """The message for one reader.

        `unsubscribe_url`: the reader's own link, put where the placeholder link was (""
        leaves the link without a token: `…/unsubscribe/`, the page that says how to leave);
        `list_unsubscribe`: the List-Unsubscribe value ("" for none); `one_click`: add
        List-Unsubscribe-Post (only when list_unsubscribe holds the reader's https link).
        """
        head = _fields(one_line(recipient), one_line(name), one_line(list_unsubscribe), one_click and bool(list_unsubscribe))
        out = [self._head, head, b"\r\n", self._chunks[0]]
        link = unsubscribe_url or ""
        for i, (text, subtype, cte) in enumerate(self._varying):
            if link:
                personal = re.sub(r"https?://[^\s\"'<>]*" + re.escape(_PLACEHOLDER_PATH), lambda _m: link, text)
            else:
                personal = text.replace(_PLACEHOLDER_PATH, "/unsubscribe/")
            out.append(_encode(personal, subtype, cte))
            out.append(self._chunks[i + 1])
        return b"".join(out)


def _encode(text: str, subtype: str, cte: str) -> bytes:
    """The body of a text part (UTF-8, lines ending in CRLF) in the transfer encoding it was stored
    with: base64 in 76-character lines, or quoted-printable (binascii, RFC 2045 6.7)."""
    data = ("\n".join(text.splitlines()) + "\n").encode("utf-8")
    if cte == "quoted-printable":
        return binascii.b2a_qp(data, istext=True).replace(b"\n", b"\r\n")
    if cte in ("8bit", "7bit"):
        return data.replace(b"\n", b"\r\n")
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def list_unsubscribe_header(value: str) -> str:
    """DIGEST_UNSUBSCRIBE as a List-Unsubscribe value: its mailto:/http(s): URIs, each in <>, or ""."""
    parts = [p.strip().strip("<>") for p in (value or "").replace(";", ",").split(",")]
    ok = [p for p in parts if p.lower().startswith(("mailto:", "https:", "http:")) and one_line(p) == p and " " not in p]
    return ", ".join(f"<{p}>" for p in ok)


def readers_for(store: Any, settings: Settings, publication: str, to: Sequence[str] | None) -> tuple[list[str], dict]:
    """(addresses to send to, {lower-case address: Subscriber}). `to` None: the active subscribers
    of the publication (DIGEST_TO's addresses joining them); else exactly `to` (a test send), each
    address that is a subscriber getting their own links."""
    from . import subscribers as subs

    if to is None:
        found = subs.recipients(store, publication, settings.to)
        return [s.email for s in found], {s.email.lower(): s for s in found}
    wanted = list(dict.fromkeys(one_line(r) for r in to if one_line(r)))
    known = {}
    for r in wanted:
        try:
            sub = subs.get(store, publication, r)
        except subs.InvalidAddress:
            sub = None
        if sub is not None:
            known[r.lower()] = sub
    return wanted, known


def personal_message(settings: Settings, merge: Any, tokens: Any, recipient: str, sub: Any) -> bytes:
    """The wire bytes for one reader: their To:, List-Unsubscribe(-Post) and 退订 links (`sub`: their
    Subscriber, None for an address that is not one; `tokens`: a digest.tokens.Tokens or None)."""
    url = f"{settings.public_url}/unsubscribe/{tokens.unsubscribe(sub)}" if sub is not None and tokens else ""
    static = list_unsubscribe_header(settings.unsubscribe)
    if url:
        mailtos = [u for u in static.split(", ") if u.lower().startswith("<mailto:")]
        header, one_click = ", ".join([f"<{url}>", *mailtos]), True
    else:
        header, one_click = static, False
    return merge.message(recipient, name=sub.name if sub is not None else "", unsubscribe_url=url,
                         list_unsubscribe=header, one_click=one_click)


__all__ = ["MailMerge", "readers_for", "personal_message", "list_unsubscribe_header"]

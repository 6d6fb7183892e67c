"""How dates and times are shown to people: in DIGEST_TIMEZONE, always labelled; guessed issue dates marked.

The store keeps times as naive UTC. Every time a person reads (`digest status`, the preview) goes
through `local_time`, which converts it to the configured zone and appends the UTC offset
("2025-03-27 07:00:00 +08:00"), so a time is never shown without saying which clock it is on.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

# Issue.date_rule values that mean the date was printed (on the page, in the path) or given by the user.
# Every other rule (guess, mtime, the legacy text, ...) means the date was inferred: a guess to check.
PRINTED_RULES = frozenset({"path", "option", "printed"})


def date_is_guessed(rule: str | None) -> bool:
    """True when an issue's `date_rule` says its date was not printed or given but inferred."""
    return (rule or "") not in PRINTED_RULES


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def offset_label(value: dt.datetime) -> str:
    """The UTC offset of an aware datetime as +08:00."""
    off = value.utcoffset() or dt.timedelta(0)
    sign = "-" if off < dt.timedelta(0) else "+"
    minutes = abs(int(off.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def local_time(value: Any, tz: dt.tzinfo, *, seconds: bool = True) -> str:
    """A stored time (naive = UTC, or aware) in zone `tz`, labelled: "2025-03-27 07:00:00 +08:00".

    None gives "-"; anything that is not a datetime is returned as str().
    """
    if value is None:
        return "-"
    if not isinstance(value, dt.datetime):
        return str(value)
    local = _aware(value).astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + " " + offset_label(local)


def zone_label(tz: dt.tzinfo, name: str) -> str:
    """The zone as a heading says it: "Asia/Shanghai, UTC+08:00" (offset as of now)."""
    return f"{name}, UTC{offset_label(dt.datetime.now(tz))}"


def shown_path(path: str) -> str:
    """A file's path as messages show it: relative to the working directory when it lies inside
    it (``inbox/2025-03-26/01.txt``), else as given. A key that is no absolute path is unchanged."""
    import os

    if not path or not os.path.isabs(path):
        return path
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows) or no working directory
        return path
    return path if rel == ".." or rel.startswith(".." + os.sep) else rel


def storable(text: str) -> str:
    """`text` (a path, or a message naming one) as text any database and terminal can encode:
    bytes of a file name that are not UTF-8 (which Python holds as lone surrogates) become
    ``\\xff`` escapes; any other text is returned unchanged."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        try:
            raw = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return text.encode("utf-8", "backslashreplace").decode("utf-8")
        return raw.decode("utf-8", "backslashreplace")


def safe_text(text: object) -> str:
    """`text` made safe for a terminal or a log line: every character that is not printable
    (control characters such as ESC, BEL, newline and tab, bidirectional overrides) is shown as
    its escape (``\\x1b``, ``\\n``, ``\\u202e``) and never sent raw, and bytes of a file name
    that are not UTF-8 as ``\\xff`` (see :func:`storable`); printable text, CJK and the ideographic
    space stay as they are. Use it for every file name, path and other untrusted text that is
    printed or logged."""
    s = str(text)
    if s.isprintable():
        return s
    s = storable(s)
    return "".join(ch if ch.isprintable() or ch == "\u3000" else ch.encode("unicode_escape", "backslashreplace").decode("ascii")
                   for ch in s)


class SafeLogFormatter(logging.Formatter):
    """A logging formatter whose records are one line each: the message (file names, server
    replies, details) goes through safe_text, so a name holding ESC or a newline can neither
    drive the terminal nor forge a log line. A traceback appended after it stays as it is."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        record.message = safe_text(record.message)
        return super().formatMessage(record)

"""Logical source keys: how a page file is named in the store, the same from any directory or machine.

A page is stored under a key, not the path it was read from, so that a later run from another
working directory, with an absolute instead of a relative path, or on another machine with the
inbox mounted elsewhere, recognises it (and a corrected page replaces its earlier version):

- a file inside the inbox:  ``inbox/<path inside the inbox>``  (``inbox/2025-06-18/01.txt``),
  whatever the inbox folder is called or wherever it is mounted;
- any other file: its path from the folder that holds the argument named on the command line,
  so the argument's own name is kept (``digest ingest /mnt/archive`` gives
  ``archive/2025-06-18/01.txt``; ``digest ingest t2/page.txt`` and, from inside t2/,
  ``digest ingest page.txt`` both give ``t2/page.txt``).

Keys always use forward slashes and never start with a slash or contain ``..``; bytes of a file
name that are not UTF-8 (a GBK name from an old zip) are kept as ``\\xNN`` escapes, so every key
is text a database stores (digest.display.storable).
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path, PurePosixPath
from typing import Sequence

from .display import storable

INBOX_PREFIX = "inbox"


def _absolute(path: str | os.PathLike) -> Path:
    """The absolute path with `..` resolved but the last symlink kept (what the user named)."""
    p = Path(os.path.abspath(os.fspath(path)))
    try:
        return p.parent.resolve() / p.name
    except OSError:
        return p


def source_key(path: str | os.PathLike, argument: str | os.PathLike, inbox: str | os.PathLike | None) -> str:
    """The logical key of the page file `path`, found under the command-line `argument`.

    `inbox` is the configured inbox folder (None: no inbox rule).
    """
    full = _absolute(path)
    if inbox is not None:
        root = Path(os.path.abspath(os.fspath(inbox)))
        try:
            root = root.resolve()
        except OSError:
            pass
        if full.is_relative_to(root) and full != root:
            return storable(str(PurePosixPath(INBOX_PREFIX, *full.relative_to(root).parts)))
    arg = _absolute(argument)
    base = arg.parent.parent if arg == full else arg.parent  # a file named directly keeps its folder
    if not full.is_relative_to(base):
        base = full.parent.parent
    return storable(str(PurePosixPath(*full.relative_to(base).parts)))


def sources_key(sources: Sequence[str]) -> str:
    """The key of an issue's set of pages: sha256 hex of the JSON list of its source keys."""
    return hashlib.sha256(json.dumps(list(sources), ensure_ascii=False).encode()).hexdigest()

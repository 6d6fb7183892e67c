"""jieba set-up, once per process, and the one POS-tagging pass everything reuses.

``init()`` points jieba's dictionary cache at the data dir (instead of /tmp), loads the
dictionary and ``config/userdict.txt`` (local place names), and is idempotent and thread-safe.
``pos_tag()`` is the single jieba pass per text: sentence ranking and keyword extraction both
consume its ``(word, flag)`` tokens, which cover the text exactly (concatenated they give it back).
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

import jieba
import jieba.posseg as pseg

USERDICT = Path(__file__).resolve().parents[1] / "config" / "userdict.txt"
CACHE_NAME = "jieba.cache"

_lock = threading.Lock()
_ready = False

Token = tuple[str, str]


def init(cache_dir: Path | None = None) -> None:
    """Load jieba's dictionary (and our user dictionary) once; later calls return at once.

    ``cache_dir``: where jieba keeps its dictionary cache (the project's data dir); created if
    missing. Without it jieba's default (the system temp dir) is used.
    """
    global _ready
    if _ready:
        return
    with _lock:
        if _ready:
            return
        jieba.setLogLevel(logging.WARNING)
        if cache_dir is not None:
            cache_dir = Path(cache_dir)
            try:
                cache_dir.mkdir(parents=True, exist_ok=True)
                jieba.dt.tmp_dir = str(cache_dir)
                jieba.dt.cache_file = CACHE_NAME
            except OSError:  # unwritable data dir: keep jieba's default cache location
                pass
        jieba.dt.initialize()
        if USERDICT.is_file():
            jieba.dt.load_userdict(str(USERDICT))
        # the POS tokenizer shares jieba.dt; pull the user words' tags in now, not lazily
        # inside the first cut (which would race between threads)
        pseg.dt.makesure_userdict_loaded()
        _ready = True


def pos_tag(text: str) -> list[Token]:
    """One jieba POS pass over ``text``: ``(word, flag)`` pairs covering it in order."""
    init()
    if not text:
        return []
    return [(w, f) for w, f in pseg.dt.cut(text)]

"""jieba set-up, once per process, and the one POS-tagging pass everything reuses.

``init()`` points jieba's dictionary cache at the data dir (instead of /tmp), loads the
dictionary and ``config/userdict.txt`` (local place names), and is idempotent and thread-safe.
The cache is built in a private folder (``data/.jieba-tmp-PID/``) and moved into place in one
rename: a process killed while jieba writes it leaves no half-written or empty file in the data
dir, and the next ``init()`` removes the folder of a process that is gone.
``pos_tag()`` is the single jieba pass per text: sentence ranking and keyword extraction both
consume its ``(word, flag)`` tokens, which cover the text exactly (concatenated they give it back).
"""
from __future__ import annotations

import logging
import os
import shutil
import threading
from pathlib import Path

import jieba
import jieba.posseg as pseg

USERDICT = Path(__file__).resolve().parents[1] / "config" / "userdict.txt"
CACHE_NAME = "jieba.cache"
WORK_PREFIX = ".jieba-tmp-"  # + pid: where a process builds the cache before moving it into place

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
        work = None
        if cache_dir is not None:
            cache_dir = Path(cache_dir)
            try:
                cache_dir.mkdir(parents=True, exist_ok=True)
                _remove_stale_work(cache_dir)
                jieba.dt.cache_file = CACHE_NAME
                jieba.dt.tmp_dir = str(cache_dir)
                if not (cache_dir / CACHE_NAME).is_file():  # jieba builds it (and its temp file) in here
                    work = cache_dir / f"{WORK_PREFIX}{os.getpid()}"
                    work.mkdir(exist_ok=True)
                    jieba.dt.tmp_dir = str(work)
            except OSError:  # unwritable data dir: keep jieba's default cache location
                pass
        jieba.dt.initialize()
        if work is not None:
            try:
                if (work / CACHE_NAME).is_file():
                    os.replace(work / CACHE_NAME, cache_dir / CACHE_NAME)
            except OSError:
                pass  # the next process builds it again
            shutil.rmtree(work, ignore_errors=True)
            jieba.dt.tmp_dir = str(cache_dir)
        if USERDICT.is_file():
            jieba.dt.load_userdict(str(USERDICT))
        # the POS tokenizer shares jieba.dt; pull the user words' tags in now, not lazily
        # inside the first cut (which would race between threads)
        pseg.dt.makesure_userdict_loaded()
        _ready = True


def _remove_stale_work(cache_dir: Path) -> None:
    """Remove the cache-building folders of processes that no longer exist (killed mid-write)."""
    for work in cache_dir.glob(WORK_PREFIX + "*"):
        pid = work.name[len(WORK_PREFIX):]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # still running (or another user's process): not ours to remove
        except ProcessLookupError:
            shutil.rmtree(work, ignore_errors=True)
        except OSError:
            continue


def pos_tag(text: str) -> list[Token]:
    """One jieba POS pass over ``text``: ``(word, flag)`` pairs covering it in order."""
    init()
    if not text:
        return []
    return [(w, f) for w, f in pseg.dt.cut(text)]

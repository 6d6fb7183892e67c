"""Traditional Chinese read through simplified characters, shown in its own.

jieba's dictionary, its IDF table and our cohesion rules are written in simplified characters: a
traditional-Chinese article (澳門、香港、台灣 papers) tagged as it is gets poor words and poor
sentence similarities. ``to_simplified`` converts text with OpenCC's ``t2s`` profile (the
``opencc`` package, which bundles its dictionaries: no network) for analysis only; sentences are
always shown as printed, and keywords are mapped back to the printed characters by
``printed_form``.
"""
from __future__ import annotations

import functools
import threading

_lock = threading.Lock()


@functools.cache
def _converter():
    import opencc

    with _lock:
        return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """``text`` in simplified characters (OpenCC t2s); simplified text comes back unchanged."""
    if not text or text.isascii():
        return text
    return _converter().convert(text)


def printed_form(word: str, analysed: str, printed: str) -> str:
    """``word`` (found in the simplified ``analysed`` text) as ``printed`` spells it.

    OpenCC's t2s maps characters one to one for nearly all text; where the two texts have the same
    length the word is read at the same offsets, else it is returned as it is.
    """
    if analysed is printed or len(analysed) != len(printed):
        return word
    i = analysed.find(word)
    return printed[i:i + len(word)] if i >= 0 else word

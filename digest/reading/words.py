"""Is a line break inside a word? jieba's segmentation of the text around the break decides.

Extraction breaks words at column and page ends (``加强扬`` / ``尘源污染治理``, ``十年接`` /
``听二十一万个来电``). When jieba's word segmentation (its dictionary, no HMM guessing) puts one
word across the break, the two pieces are one text. jieba is loaded lazily, once per process.
"""
from __future__ import annotations

from .repair import is_cjk


def spans_word(left: str, right: str) -> bool:
    """True when jieba cuts a dictionary word across the join of ``left`` | ``right``."""
    a, b = left.rstrip()[-4:], right.lstrip()[:4]
    if not a or not b or not is_cjk(a[-1]) or not is_cjk(b[0]):
        return False
    from .. import nlp

    nlp.init()
    import jieba

    pos = 0
    for w in jieba.dt.cut(a + b, HMM=False):
        start, pos = pos, pos + len(w)
        if start < len(a) < pos:
            return True
        if pos >= len(a):
            return False
    return False

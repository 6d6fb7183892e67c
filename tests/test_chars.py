"""Character repair: radicals and other look-alikes that PDF fonts emit become ordinary characters."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from digest.reading.chars import LOOKALIKES, lookalike_count, repair_chars

UCD_FILE = Path("/usr/share/unicode/EquivalentUnifiedIdeograph.txt")


def test_kangxi_and_supplement_forms_seen_in_e_paper_pdfs():
    # what a Skia/Noto CJK PDF of an invented story extracts as: ⽇ ⼀ ⺠ ⻘ look like 日 一 民 青
    assert repair_chars("今⽇上午，⼀批村⺠在⻘柳村集合") == "今日上午，一批村民在青柳村集合"
    assert repair_chars("⻅⾯") == "见面"  # C-SIMPLIFIED SEE (supplement), KANGXI FACE


def test_every_kangxi_radical_maps_like_nfkc():
    for cp in range(0x2F00, 0x2FD6):
        ch = chr(cp)
        assert repair_chars(ch) == unicodedata.normalize("NFKC", ch), hex(cp)


def test_supplement_forms_that_nfkc_leaves_alone_are_repaired():
    supplement = [cp for cp in range(0x2E80, 0x2F00) if cp in LOOKALIKES]
    untouched_by_nfkc = [cp for cp in supplement if unicodedata.normalize("NFKC", chr(cp)) == chr(cp)]
    assert len(supplement) >= 110 and len(untouched_by_nfkc) >= 100
    for cp in supplement:
        out = repair_chars(chr(cp))
        unified = 0x3400 <= ord(out) <= 0x9FFF or 0x20000 <= ord(out) <= 0x323AF  # URO and extensions A–H
        assert out != chr(cp) and unified, hex(cp)


def test_compatibility_ideographs_and_wave_dash():
    assert repair_chars("\uF963京") == "北京"  # CJK COMPATIBILITY IDEOGRAPH-F963 is 北
    assert repair_chars("多云转晴6℃〜15℃") == "多云转晴6℃～15℃"


def test_everything_else_is_kept():
    text = "「臺灣」記者，（上接第1版）ABC abc 123，。！？、…“”《》　全角空格 ﹐ ＡＢＣ"
    assert repair_chars(text) == text  # no NFKC: full-width punctuation and letters stay
    messy = "⽇⼀⺠" * 50 + text
    once = repair_chars(messy)
    assert len(once) == len(messy) and repair_chars(once) == once
    assert lookalike_count(messy) == 150 and lookalike_count(once) == 0


@pytest.mark.skipif(not UCD_FILE.exists(), reason="Debian package unicode-data not installed (only needed to check the embedded table)")
def test_embedded_table_equals_the_unicode_data_file():
    import re

    expected = {}
    for line in UCD_FILE.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([0-9A-F]{4,6})(?:\.\.([0-9A-F]{4,6}))?\s*;\s*([0-9A-F]{4,6})", line)
        if m:
            for cp in range(int(m.group(1), 16), int(m.group(2) or m.group(1), 16) + 1):
                expected[cp] = chr(int(m.group(3), 16))
    assert expected and all(LOOKALIKES.get(cp) == ch for cp, ch in expected.items())

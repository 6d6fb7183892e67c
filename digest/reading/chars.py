"""Character repair: look-alike code points that PDF fonts and extraction tools put in Chinese text.

Many Chinese e-paper PDFs map some glyphs to CJK radicals instead of the ordinary ideographs that
share the glyph: ``⽇`` (U+2F47 KANGXI RADICAL SUN) for 日, ``⼀`` (U+2F00) for 一, ``⺠`` (U+2EA0 CJK
RADICAL CIVILIAN) for 民, ``⻘`` (U+2EC4) for 青. Text copied from such PDFs carries them too. They look
right but break search, dictionaries (jieba), de-duplication and the summariser.

:func:`repair_chars` maps them back:

* CJK radicals and strokes (Kangxi Radicals U+2F00–U+2FD5, CJK Radicals Supplement U+2E80–U+2EFF,
  CJK Strokes U+31C0–U+31EF) to their equivalent unified ideograph, from the table below. NFKC would
  cover the Kangxi block but only 2 of the 115 supplement forms, and NFKC also folds full-width
  punctuation (，→ ,), which Chinese text must keep.
* CJK compatibility ideographs (U+F900–U+FAFF, U+2F800–U+2FA1F) to their canonical equivalent
  (their Unicode decomposition, from :mod:`unicodedata`).
* ``〜`` (U+301C WAVE DASH) to ``～`` (U+FF5E), the form Chinese text uses in ranges (6℃～15℃).

Source of the table: the Unicode Character Database file EquivalentUnifiedIdeograph.txt
(UAX #44, https://www.unicode.org/Public/UCD/latest/ucd/EquivalentUnifiedIdeograph.txt;
© Unicode, Inc., Unicode License v3), embedded as data: nothing is downloaded at run time.
``scripts/gen_equivalent_ideographs.py`` regenerates it from Debian's ``unicode-data`` package.
"""
from __future__ import annotations

import unicodedata

# EquivalentUnifiedIdeograph-15.0.0.txt: 348 mappings; "RADICAL:IDEOGRAPH" in hexadecimal.
_EQUIVALENT_UNIFIED_IDEOGRAPH = """
    2E81:5382 2E82:4E5B 2E83:4E5A 2E84:4E59 2E85:4EBB 2E86:5182 2E87:20628 2E88:5200 2E89:5202 2E8A:535C
    2E8B:353E 2E8C:5C0F 2E8D:5C0F 2E8E:5140 2E8F:5C23 2E90:5C22 2E91:21BC2 2E92:5DF3 2E93:5E7A 2E94:5F51
    2E95:2B739 2E96:5FC4 2E97:5FC3 2E98:624C 2E99:6535 2E9B:65E1 2E9C:65E5 2E9D:6708 2E9E:6B7A 2E9F:6BCD
    2EA0:6C11 2EA1:6C35 2EA2:6C3A 2EA3:706C 2EA4:722B 2EA5:722B 2EA6:4E2C 2EA7:725B 2EA8:72AD 2EA9:738B
    2EAA:24D14 2EAB:76EE 2EAC:793A 2EAD:793B 2EAE:25AD7 2EAF:7CF9 2EB0:7E9F 2EB1:7F53 2EB2:7F52 2EB3:34C1
    2EB4:5197 2EB5:2626B 2EB6:7F8A 2EB7:2634C 2EB8:2634B 2EB9:8002 2EBA:8080 2EBB:807F 2EBC:8089 2EBD:26951
    2EBE:8279 2EBF:8279 2EC0:8279 2EC1:864E 2EC2:8864 2EC3:8980 2EC4:897F 2EC5:89C1 2EC6:89D2 2EC7:278B2
    2EC8:8BA0 2EC9:8D1D 2ECA:27FB7 2ECB:8F66 2ECC:8FB6 2ECD:8FB6 2ECE:8FB6 2ECF:9091 2ED0:9485 2ED1:9577
    2ED2:9578 2ED3:957F 2ED4:95E8 2ED5:28E0F 2ED6:961D 2ED7:96E8 2ED8:9752 2ED9:97E6 2EDA:9875 2EDB:98CE
    2EDC:98DE 2EDD:98DF 2EDE:2967F 2EDF:98E0 2EE0:9963 2EE1:29810 2EE2:9A6C 2EE3:9AA8 2EE4:9B3C 2EE5:9C7C
    2EE6:9E1F 2EE7:5364 2EE8:9EA6 2EE9:9EC4 2EEA:9EFE 2EEB:6589 2EEC:9F50 2EED:6B6F 2EEE:9F7F 2EEF:7ADC
    2EF0:9F99 2EF1:9F9C 2EF2:4E80 2EF3:9F9F 2F00:4E00 2F01:4E28 2F02:4E36 2F03:4E3F 2F04:4E59 2F05:4E85
    2F06:4E8C 2F07:4EA0 2F08:4EBA 2F09:513F 2F0A:5165 2F0B:516B 2F0C:5182 2F0D:5196 2F0E:51AB 2F0F:51E0
    2F10:51F5 2F11:5200 2F12:529B 2F13:52F9 2F14:5315 2F15:531A 2F16:5338 2F17:5341 2F18:535C 2F19:5369
    2F1A:5382 2F1B:53B6 2F1C:53C8 2F1D:53E3 2F1E:56D7 2F1F:571F 2F20:58EB 2F21:5902 2F22:590A 2F23:5915
    2F24:5927 2F25:5973 2F26:5B50 2F27:5B80 2F28:5BF8 2F29:5C0F 2F2A:5C22 2F2B:5C38 2F2C:5C6E 2F2D:5C71
    2F2E:5DDB 2F2F:5DE5 2F30:5DF1 2F31:5DFE 2F32:5E72 2F33:5E7A 2F34:5E7F 2F35:5EF4 2F36:5EFE 2F37:5F0B
    2F38:5F13 2F39:5F50 2F3A:5F61 2F3B:5F73 2F3C:5FC3 2F3D:6208 2F3E:6236 2F3F:624B 2F40:652F 2F41:6534
    2F42:6587 2F43:6597 2F44:65A4 2F45:65B9 2F46:65E0 2F47:65E5 2F48:66F0 2F49:6708 2F4A:6728 2F4B:6B20
    2F4C:6B62 2F4D:6B79 2F4E:6BB3 2F4F:6BCB 2F50:6BD4 2F51:6BDB 2F52:6C0F 2F53:6C14 2F54:6C34 2F55:706B
    2F56:722A 2F57:7236 2F58:723B 2F59:723F 2F5A:7247 2F5B:7259 2F5C:725B 2F5D:72AC 2F5E:7384 2F5F:7389
    2F60:74DC 2F61:74E6 2F62:7518 2F63:751F 2F64:7528 2F65:7530 2F66:758B 2F67:7592 2F68:7676 2F69:767D
    2F6A:76AE 2F6B:76BF 2F6C:76EE 2F6D:77DB 2F6E:77E2 2F6F:77F3 2F70:793A 2F71:79B8 2F72:79BE 2F73:7A74
    2F74:7ACB 2F75:7AF9 2F76:7C73 2F77:7CF8 2F78:7F36 2F79:7F51 2F7A:7F8A 2F7B:7FBD 2F7C:8001 2F7D:800C
    2F7E:8012 2F7F:8033 2F80:807F 2F81:8089 2F82:81E3 2F83:81EA 2F84:81F3 2F85:81FC 2F86:820C 2F87:821B
    2F88:821F 2F89:826E 2F8A:8272 2F8B:8278 2F8C:864D 2F8D:866B 2F8E:8840 2F8F:884C 2F90:8863 2F91:897E
    2F92:898B 2F93:89D2 2F94:8A00 2F95:8C37 2F96:8C46 2F97:8C55 2F98:8C78 2F99:8C9D 2F9A:8D64 2F9B:8D70
    2F9C:8DB3 2F9D:8EAB 2F9E:8ECA 2F9F:8F9B 2FA0:8FB0 2FA1:8FB5 2FA2:9091 2FA3:9149 2FA4:91C6 2FA5:91CC
    2FA6:91D1 2FA7:9577 2FA8:9580 2FA9:961C 2FAA:96B6 2FAB:96B9 2FAC:96E8 2FAD:9751 2FAE:975E 2FAF:9762
    2FB0:9769 2FB1:97CB 2FB2:97ED 2FB3:97F3 2FB4:9801 2FB5:98A8 2FB6:98DB 2FB7:98DF 2FB8:9996 2FB9:9999
    2FBA:99AC 2FBB:9AA8 2FBC:9AD8 2FBD:9ADF 2FBE:9B25 2FBF:9B2F 2FC0:9B32 2FC1:9B3C 2FC2:9B5A 2FC3:9CE5
    2FC4:9E75 2FC5:9E7F 2FC6:9EA5 2FC7:9EBB 2FC8:9EC3 2FC9:9ECD 2FCA:9ED1 2FCB:9EF9 2FCC:9EFD 2FCD:9F0E
    2FCE:9F13 2FCF:9F20 2FD0:9F3B 2FD1:9F4A 2FD2:9F52 2FD3:9F8D 2FD4:9F9C 2FD5:9FA0 31C6:200CC 31CF:4E40
    31D0:4E00 31D1:4E28 31D2:4E3F 31D3:4E3F 31D4:4E36 31D5:200CD 31D6:4E5B 31D7:200CA 31D8:200CE 31D9:2010C
    31DA:4E85 31DB:21FE8 31DC:200CB 31DD:4E40 31DE:200D1 31DF:4E5A 31E0:4E59 31E1:2010E
"""

_OTHER = {0x301C: 0xFF5E}  # 〜 WAVE DASH -> ～ FULLWIDTH TILDE


def _compatibility_ideographs() -> dict[int, int]:
    out = {}
    for lo, hi in ((0xF900, 0xFAFF), (0x2F800, 0x2FA1F)):
        for cp in range(lo, hi + 1):
            d = unicodedata.decomposition(chr(cp))
            if d and not d.startswith("<") and " " not in d:
                out[cp] = int(d, 16)
    return out


def _build() -> dict[int, str]:
    table = {}
    for pair in _EQUIVALENT_UNIFIED_IDEOGRAPH.split():
        radical, ideograph = pair.split(":")
        table[int(radical, 16)] = int(ideograph, 16)
    table.update(_compatibility_ideographs())
    table.update(_OTHER)
    return {k: chr(v) for k, v in table.items()}


LOOKALIKES: dict[int, str] = _build()  # code point -> the ordinary character; for str.translate


def repair_chars(text: str) -> str:
    """Replace look-alike code points with the ordinary characters (see the module docstring).

    ``text`` is any string; the result has the same length (every mapping is one character to
    one character), so offsets into the text stay valid. Everything else is left as it is: no
    NFKC, full-width punctuation and traditional characters are kept. Idempotent.
    """
    return text.translate(LOOKALIKES)


def lookalike_count(text: str) -> int:
    """How many characters of ``text`` :func:`repair_chars` would replace."""
    return sum(1 for ch in text if ord(ch) in LOOKALIKES)

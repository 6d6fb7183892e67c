"""Page bytes to text: the encodings Chinese pages come in, and what makes bytes not a page.

``decode`` tells UTF-8 (with or without BOM), UTF-16 (with or without BOM, byte order from the
line breaks), GB18030/GBK and Big5 apart (charset_normalizer for the legacy ones) and refuses
binary files by their signature; ``page_problems`` names a decoded text that cannot be read as a
page although it is text. Used by digest.ingest for every text page.
"""
from __future__ import annotations

from charset_normalizer import from_bytes

from .errors import InputError

_MAGIC = {  # signatures of files that are certainly not text
    b"%PDF": "a PDF document", b"PK\x03\x04": "a zip archive", b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image", b"\x1f\x8b": "a gzip archive",
    b"7z\xbc\xaf": "a 7z archive", b"Rar!": "a RAR archive", b"\xd0\xcf\x11\xe0": "an Office document",
}


def decode(data: bytes, path: str = "") -> tuple[str, str]:
    """Decode page bytes, returning (text, encoding). Raise InputError naming the file if it is not text."""
    if not data.strip():
        raise InputError(path, "empty file" if not data else "file holds only whitespace",
                         "the page has no text: export or copy it again (write it as NAME.part and rename it "
                         "when complete, so a half-written file is never taken), or remove it")
    if not data.strip(b"\x00 \t\r\n\f\v"):
        raise InputError(path, f"holds only NUL bytes ({len(data):,} bytes), no text",
                         "a file allocated but never written, or cut short by a crash: copy the page again")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(path, f"not a text file (looks like {what})",
                             "text dumps of pages and PDFs (.pdf) can be ingested")
    boms = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
    for bom, enc in boms:
        if data.startswith(bom):
            return _strict(data, enc, path), enc
    try:
        text = data.decode("utf-8")
        if text.count("\x00") * 10 < len(text):  # a stray NUL or two: the reader drops them
            return text, "utf-8"
        # many NULs: UTF-16 without a BOM (plain ASCII decodes as UTF-8 too) or NUL filler: see below
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        # no Chinese legacy encoding uses NUL bytes: UTF-16 without a BOM, or binary.
        # Line breaks tell the byte order: "\n\0" at even offsets is little-endian.
        le = sum(1 for i in _find_all(data, b"\n\x00") if i % 2 == 0)
        be = sum(1 for i in _find_all(data, b"\x00\n") if i % 2 == 0)
        for enc in (("utf-16-le", "utf-16-be") if le >= be else ("utf-16-be", "utf-16-le")):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _mostly_text(text) and (le or be or _cjk_share(text) > 0.3):
                return text, enc
        nul = data.count(0)
        if nul * 2 > len(data):
            raise InputError(path, f"mostly NUL bytes ({nul:,} of {len(data):,}): not a page of text",
                             "the file looks cut short by a crash or never fully written: copy the page again")
        raise InputError(path, "not a text file (binary data)", "only text dumps of pages can be ingested")
    best = from_bytes(data, cp_isolation=["gb18030", "big5", "utf_16", "shift_jis", "euc_kr"]).best()
    candidates = ([best.encoding] if best is not None else []) + ["gb18030", "big5"]
    for enc in dict.fromkeys(candidates):
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if _mostly_text(text):
            return text, "gb18030" if enc in ("gbk", "gb2312") else enc
    raise InputError(path, "cannot decode: not valid UTF-8, GB18030, Big5 or UTF-16",
                     "convert the file to UTF-8 (bytes that cannot be decoded are never dropped silently)")


def _find_all(data: bytes, needle: bytes):
    i = data.find(needle)
    while i != -1:
        yield i
        i = data.find(needle, i + 1)


def _cjk_share(text: str) -> float:
    sample = text[:5000]
    return sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff") / max(1, len(sample))


def _strict(data: bytes, enc: str, path: str) -> str:
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        raise InputError(path, f"undecodable bytes at offset {exc.start} for {enc}",
                         "repair or re-export the file") from None


def _mostly_text(text: str) -> bool:
    if not text:
        return False
    bad = sum(1 for ch in text[:20000] if (ord(ch) < 32 and ch not in "\n\r\t\f") or 0xE000 <= ord(ch) <= 0xF8FF)
    return bad / min(len(text), 20000) < 0.01


ONE_LINE_CHARS = 50_000  # one line longer than several pages (a dense broadsheet page holds ~15,000): not a page


def page_problems(text: str) -> list[tuple[str, str]]:
    """What is wrong with a page's decoded text although it can be read: ``[(message, hint)]``.

    A page that is (nearly) one line of more than ONE_LINE_CHARS characters (a 5 MB file without a
    line break: several pages' worth of text) is read as it is, but headlines, bylines and
    paragraphs cannot be told apart in it: that is said, not "only page furniture". A long
    paragraph of an ordinary page is not reported."""
    longest = max(text.split("\n"), key=len, default="")
    if len(longest) > ONE_LINE_CHARS and len(longest) * 10 > len(text.strip()) * 9:
        return [(f"the page is one line of {len(longest):,} characters with no line break: headlines, "
                 f"bylines and paragraphs cannot be told apart (read as it is)",
                 "re-extract the page keeping its line breaks (pdftotext -layout, or the PDF itself)")]
    return []

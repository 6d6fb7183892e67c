"""Layout rules on hand-built glyphs and blocks: lines, gutters, blocks, XY-cut reading order."""
from __future__ import annotations

from digest.reading.pdflayout import Block, PLine, build_blocks, build_lines, reading_order
from digest.reading.pdfpage import Char

S = 10.0  # type size of the hand-set text


def glyphs(text: str, x: float, top: float, size: float = S, seq: int = 0, advance: float | None = None) -> list[Char]:
    """Characters of ``text`` set from x (each one em wide unless ``advance`` says otherwise)."""
    out = []
    step = size if advance is None else advance
    for i, ch in enumerate(text):
        out.append(Char(ch, x + i * step, x + i * step + size, top, top + size, size, False, False, seq=seq + i))
    return out


def texts(lines):
    return [ln.text for ln in lines]


def test_columns_on_one_baseline_are_not_interleaved():
    # two columns, 12 rows, a gutter of 1.2 em; the content stream runs row by row (the worst case)
    chars, seq = [], 0
    for row in range(12):
        for col, word in enumerate(("甲" * 8, "乙" * 8)):
            chars += glyphs(word, 40 + col * (80 + 12), 100 + row * 16, seq=seq)
            seq += 8
    lines = build_lines(chars)
    assert len(lines) == 24 and set(texts(lines)) == {"甲" * 8, "乙" * 8}


def test_a_wide_word_gap_without_a_gutter_stays_one_line():
    # a box title with an ideographic space (about 1.2 em of white), nothing above or below
    chars = glyphs("三年累计更新", 40, 100) + glyphs("加装电梯", 40 + 6 * S + 12, 100, seq=6)
    (line,) = build_lines(chars)
    assert line.text == "三年累计更新 加装电梯"


def test_compressed_punctuation_and_a_two_code_point_dash():
    # "。”" set in one em (the full stop compressed); "——" drawn as one glyph reported twice
    chars = glyphs("了。", 40, 100)
    chars += [Char("”", 40 + 1.5 * S, 40 + 2.5 * S, 100, 110, S, False, False, seq=2)]
    chars += glyphs("苇塘", 40 + 2.5 * S, 100, seq=3)
    chars += [Char("—", 40, 60, 130, 140, S, False, False, seq=10), Char("—", 40, 60, 130, 140, S, False, False, seq=11)]
    chars += glyphs("副题", 60, 130, seq=12)
    assert texts(build_lines(chars)) == ["了。”苇塘", "——副题"]


def test_a_glyph_printed_twice_for_fake_bold_is_read_once():
    chars = glyphs("标题", 40, 100) + glyphs("标题", 40.3, 100, seq=50)
    assert texts(build_lines(chars)) == ["标题"]


def test_vertical_text_is_one_line():
    chars = [Char(ch, 40, 40 + S, 100 + i * S, 110 + i * S, S, False, False, seq=i) for i, ch in enumerate("竖排标题")]
    (line,) = build_lines(chars)
    assert line.vertical and line.text == "竖排标题"


def _page(*items):
    """Lines from (text, x, top, size) items, set as glyphs, then blocks."""
    chars, seq = [], 0
    for text, x, top, size in items:
        chars += glyphs(text, x, top, size, seq=seq)
        seq += len(text)
    return build_blocks(build_lines(chars), S)


def test_blocks_split_on_type_size_and_leading():
    blocks = _page(("大标题", 40, 60, 24), ("正文第一行正文", 40, 100, S), ("正文第二行正文", 40, 116, S),
                   ("正文第三行正文", 40, 132, S), ("另一段落的正文", 40, 170, S))
    assert [len(b.lines) for b in blocks] == [1, 3, 1]


def _order(blocks):
    return [b.lines[0].text for b in reading_order(blocks)]


def test_chance_alignment_of_gaps_does_not_interleave_stories():
    # left: a story (headline, gap, body); right: two briefs whose gap lines up with the left one's.
    # The gutter (20 pt) is wider than the aligned gap (8 pt): read the left column first.
    blocks = _page(("左栏标题", 40, 60, 16),
                   ("左栏正文一", 40, 88, S), ("左栏正文二", 40, 104, S), ("左栏正文三", 40, 120, S),
                   ("右栏简讯一", 110, 60, S), ("右栏简讯一续", 110, 76, S),
                   ("右栏简讯二", 110, 98, S), ("右栏简讯二续", 110, 114, S))
    assert _order(blocks) == ["左栏标题", "左栏正文一", "右栏简讯一", "右栏简讯二"]


def test_stacked_stories_with_short_headlines_keep_their_columns():
    # two stories, each a short headline over two columns; the gutters line up (14 pt) but the
    # white between the stories (30 pt) is wider: read story by story
    items = []
    for k, top in enumerate((60, 160)):
        items += [(f"标题{k}", 40, top, 14)]
        for row in range(3):
            items += [(f"甲{k}{row}正文正文", 40, top + 24 + row * 16, S), (f"乙{k}{row}正文正文", 124, top + 24 + row * 16, S)]
    assert _order(_page(*items)) == ["标题0", "甲00正文正文", "乙00正文正文", "标题1", "甲10正文正文", "乙10正文正文"]


def test_a_photo_is_an_obstacle_not_white_space():
    # two modules side by side, each a headline, a photo and a body: the photos line up, but the
    # white they seem to leave is no gap: the left module is read whole before the right one
    blocks = _page(("左边的标题", 40, 40, 16), ("左边正文", 40, 220, S), ("右边的标题", 200, 40, 16), ("右边正文", 200, 220, S))
    photos = [Block.photo((40, 70, 180, 200)), Block.photo((200, 70, 340, 200))]
    assert _order(blocks + photos) == ["左边的标题", "左边正文", "右边的标题", "右边正文"]
    assert not all(isinstance(b, PLine) for b in reading_order(blocks + photos))

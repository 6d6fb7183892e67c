"""A labelled unit of a page: one line, or a run of lines read as one thing (see labels.py)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Continuation


@dataclass
class Unit:
    """A labelled piece of a page: one line, or a run of lines read as one thing."""

    kind: str  # F X C B T D K Q E H N P (S: set by the assembler)
    text: str = ""
    why: str = ""  # the reason for the label, shown by --explain
    lines: list[int] = field(default_factory=list)  # indices into Document.lines
    parts: list[str] = field(default_factory=list)  # H: headline parts
    level: int = 0  # markup heading level (or type-size rank in a PDF)
    levels: list[int] = field(default_factory=list)  # H: level of each part
    block_start: bool = False  # a new text frame (indented line in a page that rarely indents)
    names: list[str] = field(default_factory=list)
    bare: bool = False  # B: author mark without reporter words
    conts: list[Continuation] = field(default_factory=list)
    interlopers: list[str] = field(default_factory=list)
    lifted: list[int] = field(default_factory=list)  # P: lines of the interlopers lifted out of it
    lede: bool = False  # P: opens with 本报讯 / a 电头
    page: int = 1  # physical page of its first line
    centred: bool = False
    category: str = ""  # F: edge | flow
    photo: bool = False  # K: a photo credit (本报记者 X 摄)
    brief_head: bool = False  # Q: a ■ headline (its body follows), else a one-line brief
    raw: str = ""  # P: the paragraph before prose cleaning (a headline found in it keeps its gaps)
    breaks: list[int] = field(default_factory=list)  # H: part indices a blank line came before (groups joined)

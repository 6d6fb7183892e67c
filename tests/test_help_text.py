"""Every command's --help says what its source says: no escape sequence lost in a docstring or an
option's help (segment's help read `paragraphs separated by " "` for "\\n")."""
from __future__ import annotations

import click
from click.testing import CliRunner

from digest.cli import cli


def _commands(group: click.Group, path=()):
    for name, cmd in group.commands.items():
        yield (*path, name), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*path, name))


def _texts(cmd: click.Command):
    yield "help", cmd.help or ""
    for p in cmd.params:
        yield p.name, getattr(p, "help", None) or ""


def test_no_help_text_holds_a_control_character_or_a_lost_newline_escape():
    bad = []
    for path, cmd in _commands(cli):
        for where, text in _texts(cmd):
            rest = "\n".join(line for line in text.splitlines() if line.strip() != "\b")  # click's no-rewrap mark
            if '"\n"' in rest or "'\n'" in rest or any(ord(ch) < 32 and ch != "\n" for ch in rest):
                bad.append(f"digest {' '.join(path)} ({where}): {text[:80]!r}")
    assert not bad, bad


def test_segment_help_shows_the_paragraph_separator():
    out = CliRunner().invoke(cli, ["segment", "--help"]).output
    assert 'separated by "\\n"' in out and 'separated\n    by " "' not in out

"""Progress on long work, for the command line: a bar with position and ETA on a terminal; on a
pipe or a log file a plain line at about every tenth of the work (no carriage-return noise)."""
from __future__ import annotations

import sys
from typing import TextIO

import click


class Progress:
    """A `pipeline.Progress` callback: call it with (label, done, total) as work advances."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.bar = None
        self.label = ""
        self.shown = 0

    def __call__(self, label: str, done: int, total: int) -> None:
        if not total:
            return
        if not self.stream.isatty():
            if done == total or done % max(1, total // 10) == 0:
                click.echo(f"{label}: {done}/{total}", file=self.stream)
            return
        if self.bar is None or label != self.label:
            self.close()
            self.bar = click.progressbar(length=total, label=label, file=self.stream, show_pos=True, show_eta=True)
            self.label, self.shown = label, 0
            self.bar.render_progress()
        self.bar.update(done - self.shown)
        self.shown = done
        if done >= total:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()
            self.bar = None

"""Run the `digest` command line with a Python audit hook that logs every file it opens and every
folder it lists (events ``open``, ``os.scandir``, ``os.listdir``) to $DIGEST_AUDIT_LOG, one
``event<TAB>absolute path`` per line. The reliability tests read the log to prove that nothing
outside the inbox (or the paths named on the command line) was touched.

Usage: python tests/reliability/audit_digest.py ARGS...   (the same ARGS as `digest`)
"""
from __future__ import annotations

import os
import sys

_LOG = open(os.environ["DIGEST_AUDIT_LOG"], "a", encoding="utf-8", errors="backslashreplace")  # noqa: SIM115


def _hook(event: str, args: tuple) -> None:
    if event not in ("open", "os.scandir", "os.listdir") or not args:
        return
    path = args[0]
    if path is None and event != "open":
        path = "."
    if isinstance(path, (str, bytes, os.PathLike)):
        _LOG.write(f"{event}\t{os.path.abspath(os.fsdecode(path))}\n")
        _LOG.flush()


sys.addaudithook(_hook)

if __name__ == "__main__":
    from digest.cli import cli

    cli(sys.argv[1:], prog_name="digest")

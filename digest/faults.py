"""Crash points for the reliability tests.

`checkpoint("name")` does nothing unless the environment variable DIGEST_CRASH_AT equals
"name", in which case the process kills itself with SIGKILL right there — the closest a test
can get to pulling the plug at an exact point of ingest, build or send. "name#N" kills at the
N-th time the point is reached (send:after-claim#2: while sending to the second recipient).
Names in use: ingest:before-save, store:mid-issue, ingest:after-save, build:after-outbox,
outbox:mid-write, send:after-claim, send:before-data, send:after-accept.
"""
from __future__ import annotations

import os
import signal

_seen: dict[str, int] = {}


def checkpoint(name: str) -> None:
    wanted = os.environ.get("DIGEST_CRASH_AT")
    if not wanted or not wanted.startswith(name):
        return
    point, _, nth = wanted.partition("#")
    if point != name:
        return
    _seen[name] = _seen.get(name, 0) + 1
    if _seen[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)

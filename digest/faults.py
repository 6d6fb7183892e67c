"""Crash points for the reliability tests.

`checkpoint("name")` does nothing unless the environment variable DIGEST_CRASH_AT equals
"name", in which case the process kills itself with SIGKILL right there — the closest a test
can get to pulling the plug at an exact point of ingest, build or send. Names in use:
ingest:before-save, store:mid-issue, ingest:after-save, build:after-outbox,
outbox:mid-write, send:after-claim, send:before-data, send:after-accept.
"""
from __future__ import annotations

import os
import signal


def checkpoint(name: str) -> None:
    if os.environ.get("DIGEST_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)

"""The settings of a running `digest run`: re-read at every job, never a reason to stop.

Each job re-reads .env and the environment (an edit applies at the next run). A reload that fails
(a bad value, a file that is not UTF-8, a line that is not NAME=value …) is logged and recorded in
job_runs (job "settings", shown by `digest status`) with the message naming the setting, once per
distinct error; the job runs on with the last settings that loaded. A later good reload is
recorded too ("settings valid again").
"""
from __future__ import annotations

import logging
import threading
from typing import Any

from . import pipeline
from .config import Settings, load_settings
from .db import utcnow
from .errors import DigestError
from .runstate import JOB_SETTINGS

log = logging.getLogger("digest.run")

_good: dict[str, Settings] = {}  # per job arguments: the last settings that loaded without error
_bad: dict[str, str] = {}  # ... and the reload error last recorded
_lock = threading.Lock()


def _key(args: dict[str, Any]) -> str:
    return repr((sorted((args.get("overrides") or {}).items()), args.get("env_file")))


def remember_settings(args: dict[str, Any], settings: Settings) -> None:
    """The settings `digest run` started with are the last good ones until a reload succeeds."""
    with _lock:
        _good[_key(args)] = settings


def job_settings(args: dict[str, Any]) -> Settings:
    """The settings a job runs with: re-read at every run (a .env edit applies to the next run).
    A reload that fails (a bad value, a file that is not UTF-8 …) never stops the service: the
    error, naming the setting, is logged and recorded once in job_runs (job "settings", shown by
    `digest status`) and the job runs with the last good settings; a later good reload is
    recorded too. Raises ConfigError only when no settings ever loaded in this process."""
    key = _key(args)
    try:
        fresh = load_settings(args.get("overrides") or {}, env_file=args.get("env_file"), require_env_file=True)
    except DigestError as exc:
        with _lock:
            good, known = _good.get(key), _bad.get(key)
            if good is None:
                raise
            message = str(exc).replace("\n  hint: ", " (hint: ") + (")" if exc.hint else "")
            _bad[key] = message
        if known != message:
            detail = f"{message}; running on with the last good settings until it is fixed"
            log.warning("settings: %s", detail)
            _record(good, JOB_SETTINGS, "failed", detail)
        return good
    with _lock:
        repaired = _bad.pop(key, None)
        _good[key] = fresh
    if repaired is not None:
        log.info("settings: valid again; the new values apply from now")
        _record(fresh, JOB_SETTINGS, "ok", "settings valid again (the earlier error is fixed); the new values apply")
    return fresh


def _record(settings: Settings, job: str, outcome: str, detail: str) -> None:
    now = utcnow()
    try:
        pipeline.open_store(settings).log_run(job, now, outcome, detail, now)
    except DigestError as exc:
        log.error("%s: cannot record it: %s", job, exc)

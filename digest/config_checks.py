"""Checks of the settings: every value at load, with a message naming its DIGEST_* variable.

`problems(settings, names)` lists what is wrong with a Settings (digest.config calls it on every
load), `check_database_url` tells a URL whose driver is not installed, and `read_env_file` reads a
.env file strictly: UTF-8, NAME=value lines, no unknown DIGEST_* names (a typo would be ignored).
"""
from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError, DigestError

SECURITY_MODES = ("none", "starttls", "ssl")
RANGE_MODES = ("since_last", "issue_date")
DEFAULT_CRON = "0 7 * * *"
LANGUAGES = ("zh", "en")  # the preview's interface: Chinese (default) or English
EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+$")  # the sender: a local (dotless) domain is allowed


def hide_passwords(text: str) -> str:
    """Every `scheme://user:password@` in `text` with the password shown as ***."""
    return re.sub(r"([A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@", r"\1***@", text)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PATHS = (("home", "DIGEST_HOME"), ("inbox", "DIGEST_INBOX"), ("data_dir", "DIGEST_DATA"), ("outbox", "DIGEST_OUTBOX"))


def check_database_url(url: str) -> tuple[str, str] | None:
    """(message, hint) when `url` is not a usable SQLAlchemy URL or its driver is not installed."""
    shown = hide_passwords(url)
    example = "e.g. sqlite:////var/lib/digest/digest.db or postgresql://digest:***@db.example.org/digest"
    if "://" not in url:
        return f"{shown!r} is not a database URL", example
    if url.startswith("sqlite://"):
        return None  # sqlite3 is part of Python
    import sqlalchemy as sa
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        parsed = sa.engine.make_url(url)
    except ArgumentError:
        return f"{shown!r} is not a database URL", example
    try:
        dialect = parsed.get_dialect()
    except NoSuchModuleError:
        return f"{parsed.drivername!r} is not a kind of database SQLAlchemy knows", example
    if parsed.drivername == "postgresql":  # digest.db.make_engine uses psycopg 3 unless psycopg2 is there
        from importlib.util import find_spec

        if find_spec("psycopg") or find_spec("psycopg2"):
            return None
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        module = getattr(exc, "name", None) or str(exc)
        return (f"the database driver {module!r} for {parsed.drivername}:// URLs is not installed",
                "install it into digest's environment (pip install …), or use sqlite:/// or postgresql:// "
                "(psycopg is installed with digest)")
    return None


# A sensible value of each number setting, for the hint of a bad one (every int/float field has one:
# tests/test_messages_consistent.py checks it).
NUMBER_EXAMPLES = {
    "smtp_port": "587 (starttls; 465 for ssl, 25 without security; 0 picks it from DIGEST_SMTP_SECURITY)",
    "smtp_timeout": "30 (seconds per SMTP step)", "send_retries": "5 (attempts per message)",
    "send_time_limit": "120 (seconds for a whole send; the rest stays queued)",
    "poll_seconds": "300 (seconds between inbox polls)", "misfire_grace_seconds": "3600 (seconds)",
    "front_page_size": "5 (stories)", "summary_chars_front": "150 (characters)",
    "summary_chars_other": "60 (characters)", "max_file_mb": "20 (MB)", "jobs": "4 (processes; 0 = all cores)",
    "claim_lease_seconds": "900 (seconds)", "leader_lease_seconds": "60 (seconds)",
    "job_lease_seconds": "300 (seconds)", "retry_seconds": "300 (seconds)", "retry_max_age_hours": "72 (hours)",
    "catch_up_days": "7 (days)", "send_rate": "10 (messages a second; 0 = no limit)",
    "web_port": "8080", "web_proxies": "1 (one reverse proxy, e.g. nginx; 0 = none)", "web_threads": "8 (threads)",
}


def _example(names: Mapping[str, str], name: str) -> str:
    return f"e.g. {NUMBER_EXAMPLES[name]}"


def problems(s: Any, names: Mapping[str, str]) -> list[ConfigError]:
    """Every invalid value of the Settings `s`, each as a ConfigError naming its variable (from
    `names`: field name -> DIGEST_* variable) with a hint."""
    out: list[ConfigError] = []

    def bad(name: str, msg: str, hint: str = "") -> None:
        out.append(ConfigError(names[name], msg, hint))

    for f in dataclasses.fields(s):  # one line each: a newline could add mail headers or split a log line
        value = getattr(s, f.name)
        if isinstance(value, str) and _CONTROL.search(value):
            bad(f.name, "must be a single line without control characters (a newline or tab slipped in?)",
                "put the value on one line; quote it in .env if it holds spaces")
    try:
        ZoneInfo(s.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        bad("timezone", f"unknown time zone {s.timezone!r}", "use an IANA name such as Asia/Shanghai")
    if s.language not in LANGUAGES:
        bad("language", f"{s.language!r} is not one of {', '.join(LANGUAGES)}", "zh (中文, the default) or en (English)")
    if s.smtp_security not in SECURITY_MODES:
        bad("smtp_security", f"{s.smtp_security!r} is not one of {', '.join(SECURITY_MODES)}")
    if s.digest_range not in RANGE_MODES:
        bad("digest_range", f"{s.digest_range!r} is not one of {', '.join(RANGE_MODES)}")
    if not s.publication.strip():
        bad("publication", "must not be empty", "the paper's name, e.g. 聊城日报")
    if s.smtp_host and not re.match(r"^[A-Za-z0-9_.:\[\]-]+$", s.smtp_host):
        bad("smtp_host", f"{s.smtp_host!r} is not a host name", "e.g. smtp.example.org (no scheme, no port)")
    for name in ("smtp_port", "web_port"):
        if not 0 <= getattr(s, name) <= 65535:
            bad(name, f"{getattr(s, name)} is not a port number", f"0..65535, {_example(names, name)}")
    if not EMAIL.match(s.from_addr):
        bad("from_addr", f"{s.from_addr!r} is not an e-mail address", "e.g. digest@example.org")
    problem = check_database_url(s.database_url or "")
    if problem:
        bad("database_url", *problem)
    for name in ("poll_seconds", "front_page_size", "summary_chars_front", "summary_chars_other", "retry_seconds",
                 "catch_up_days"):
        if getattr(s, name) <= 0:
            bad(name, f"{getattr(s, name)} is not a positive number", f"give a number of at least 1, {_example(names, name)}")
    for name, unit in (("smtp_timeout", "seconds"), ("send_time_limit", "seconds"), ("max_file_mb", "MB"),
                       ("retry_max_age_hours", "hours")):
        if not getattr(s, name) > 0:
            bad(name, f"{getattr(s, name):g} is not a positive number of {unit}",
                _example(names, name))
    for name in ("claim_lease_seconds", "leader_lease_seconds", "job_lease_seconds"):
        if not getattr(s, name) >= 1:
            bad(name, f"{getattr(s, name):g} is too short", f"must be at least 1 second, {_example(names, name)}")
    for name in ("misfire_grace_seconds", "jobs", "send_retries", "web_proxies"):
        if getattr(s, name) < 0:
            bad(name, f"{getattr(s, name)} is negative", f"give 0 or more, {_example(names, name)}")
    for name in ("web_url", "base_url"):
        url = getattr(s, name)
        if url and not re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", url):
            bad(name, f"{url!r} is not an http(s) address", "e.g. https://news.example.org (no query string)")
    for part in (p.strip() for p in s.unsubscribe.replace(";", ",").split(",")):
        if part and not re.match(r"^<?(mailto:[^\s<>@]+@[^\s<>]+|https?://[^\s<>]+)>?$", part, re.I):
            bad("unsubscribe", f"{part!r} is not a mailto: or https: address",
                "e.g. mailto:unsubscribe@example.org,https://news.example.org/unsubscribe")
    if not s.send_rate >= 0:
        bad("send_rate", "must be 0 (no limit) or a positive number of messages per second", _example(names, "send_rate"))
    if s.web_threads < 1:
        bad("web_threads", "must be at least 1", _example(names, "web_threads"))
    if s.web_host and not re.match(r"^[A-Za-z0-9_.:\[\]-]+$", s.web_host):
        bad("web_host", f"{s.web_host!r} is not a host name or address", "e.g. 127.0.0.1")
    for name, var in _PATHS:
        path = Path(getattr(s, name))
        if path.exists() and not path.is_dir():
            bad(name, f"{path} is a file, not a folder", f"point {var} at a folder (it is created when missing)")
    if s.log_file:
        log = Path(s.log_file).expanduser()
        folder = log.parent
        if log.is_dir():
            bad("log_file", f"{log} is a folder", "give a file name, e.g. /var/log/digest/digest.log")
        elif not folder.is_dir():
            bad("log_file", f"the folder {folder} does not exist", f"create it (mkdir -p {folder}) or fix the path")
        elif not os.access(log if log.exists() else folder, os.W_OK):
            bad("log_file", f"{log if log.exists() else folder} is not writable by this user",
                "fix its owner or mode, or choose another file")
    cron = s.send_cron.split()
    if len(cron) != 5:
        bad("send_cron", f"{s.send_cron!r} is not a five-field cron expression", "minute hour day month weekday, e.g. '0 7 * * *'")
    elif s.send_cron != DEFAULT_CRON and not any(p.setting == "DIGEST_TIMEZONE" for p in out):
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(s.send_cron, timezone=ZoneInfo(s.timezone))
        except (ValueError, TypeError) as exc:
            bad("send_cron", f"{s.send_cron!r} is not a valid cron expression ({exc})",
                "minute hour day month weekday, e.g. '0 7 * * *' or '30 6 * * 1-5'")
    return out


class EnvFileError(ConfigError):
    """The settings file itself cannot be read: missing (when named), not UTF-8, or a line that
    is not NAME=value."""

    def __init__(self, path: str | os.PathLike, message: str, hint: str = ""):
        DigestError.__init__(self, f"settings file {path}: {message}", hint)
        self.setting = "DIGEST_ENV_FILE"


def read_env_file(path: str | os.PathLike, known: Iterable[str], *, strict: bool = True) -> tuple[dict[str, str], list[ConfigError]]:
    """The NAME=value pairs of a .env file (python-dotenv syntax: quotes, comments, `export`,
    ${VAR} expansion) and its problems. strict: the first problem is raised as EnvFileError.

    The file must be UTF-8 (a BOM is allowed); every non-blank, non-comment line must be a
    NAME=value pair. A `DIGEST_…` name that is not in `known` is reported (a typo would be ignored
    silently otherwise), with the closest setting's name as the hint.
    """
    import difflib
    import io

    from dotenv import dotenv_values
    from dotenv.parser import parse_stream

    problems: list[ConfigError] = []
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        problems.append(EnvFileError(path, f"line {line} is not UTF-8 (byte 0x{data[exc.start]:02x})",
                                     "save the file as UTF-8 (the encoding .env files use)"))
        text = data.decode("utf-8-sig", errors="replace")
    known = set(known) | NOT_SETTINGS
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            problems.append(EnvFileError(path, f"line {binding.original.line} is not NAME=value: "
                                         f"{binding.original.string.strip()[:60]!r}",
                                         "write one setting per line, e.g. DIGEST_SMTP_PORT=587; quote values "
                                         "with spaces or #"))
        elif binding.key and binding.key.startswith("DIGEST_") and binding.key not in known:
            close = difflib.get_close_matches(binding.key, sorted(known), n=1)
            problems.append(EnvFileError(path, f"line {binding.original.line}: {binding.key} is not a digest setting",
                                         f"did you mean {close[0]}?" if close else
                                         "see config/digest.example.env for every setting"))
    if problems and strict:
        raise problems[0]
    with _quiet_dotenv():
        values = {k: v for k, v in dotenv_values(stream=io.StringIO(text)).items() if v is not None}
    return values, problems


class _quiet_dotenv:
    """python-dotenv logs a warning for each line it cannot parse: we report those ourselves."""

    def __enter__(self):
        import logging

        self.logger = logging.getLogger("dotenv.main")
        self.level = self.logger.level
        self.logger.setLevel(logging.ERROR)

    def __exit__(self, *exc):
        self.logger.setLevel(self.level)


# DIGEST_* variables that are not settings (the file itself; test hooks)
NOT_SETTINGS = {"DIGEST_ENV_FILE", "DIGEST_TEST_SEND_SECOND", "DIGEST_TEST_RETRY_WAIT", "DIGEST_CRASH_AT",
                "DIGEST_UPDATE_GOLDEN", "DIGEST_AUDIT_LOG", "DIGEST_TEST_PG_BIN"}


def unknown_env_names(env: Mapping[str, str], known: Iterable[str]) -> list[ConfigError]:
    """A DIGEST_* name in the environment that is no setting (a typo such as DIGEST_SMTP_HOTS,
    silently ignored otherwise): one ConfigError each, with the closest setting's name as the hint,
    as read_env_file reports one in .env."""
    import difflib

    known = set(known) | NOT_SETTINGS
    out = []
    for name in sorted(env):
        if name.startswith("DIGEST_") and name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            out.append(ConfigError(name, "is not a digest setting (set in the environment)",
                                   (f"did you mean {close[0]}? " if close else
                                    "see config/digest.example.env for every setting; ")
                                   + f"rename it, or `unset {name}`"))
    return out

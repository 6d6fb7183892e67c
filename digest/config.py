"""Settings: defaults < .env file < environment (DIGEST_*) < command-line flags.

Every setting has an environment variable DIGEST_<NAME>; see config/digest.example.env.
Secrets (the SMTP password, a password inside DIGEST_DATABASE_URL or any other URL) are never
printed: Settings.redacted() shows them as ***, and `digest config` also says where each value
came from (Settings.origin(): default, .env, environment or flag).
"""
from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from .errors import ConfigError

SECURITY_MODES = ("none", "starttls", "ssl")
RANGE_MODES = ("since_last", "issue_date")
LANGUAGES = ("zh", "en")  # the preview's interface: Chinese (default) or English
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+$")


@dataclass(frozen=True)
class Settings:
    home: Path = field(default_factory=Path.cwd)
    inbox: Path | None = None  # default: HOME/inbox
    data_dir: Path | None = None  # default: HOME/data
    outbox: Path | None = None  # default: HOME/outbox
    database_url: str | None = None  # default: sqlite:///HOME/data/digest.db
    publication: str = "聊城日报"
    timezone: str = "Asia/Shanghai"
    language: str = "zh"  # the preview's interface language, one of LANGUAGES
    from_addr: str = "digest@localhost"
    to: tuple[str, ...] = ()
    smtp_host: str = ""
    smtp_port: int = 0  # 0: 465 for ssl, 587 for starttls, 25 otherwise
    smtp_user: str = ""
    smtp_password: str = dataclasses.field(default="", repr=False)
    smtp_security: str = "starttls"
    smtp_timeout: float = 30.0
    send_retries: int = 5
    list_id: str = ""
    unsubscribe: str = ""  # mailto: and/or https: URL(s), comma separated
    base_url: str = ""  # where the preview/archive is reachable, for article links
    poll_seconds: int = 300
    send_cron: str = "0 7 * * *"
    misfire_grace_seconds: int = 3600
    digest_range: str = "since_last"
    send_empty: bool = False
    deliver_smtp: bool = False  # the daily job also sends by SMTP (outbox is always written)
    front_page_size: int = 5
    summary_chars_front: int = 150
    summary_chars_other: int = 60
    max_file_mb: float = 20.0
    jobs: int = 0  # 0: all cores
    log_file: str = ""
    claim_lease_seconds: float = 900.0  # a `sending` claim older than this may be taken over by another host
    leader_lease_seconds: float = 60.0  # `digest run`: the leader's lease; another service takes over after it
    job_lease_seconds: float = 300.0  # `digest worker`: a claimed ingest job is retried by another after it
    ingest_queue: bool = False  # the inbox job of `digest run` queues issues for `digest worker` instead
    # the newsletter (digest/subscribers.py, digest/tokens.py, digest/web.py, digest/publish.py)
    web_url: str = ""  # where `digest web` is reachable (unsubscribe, subscribe); default: base_url
    secret_key: str = dataclasses.field(default="", repr=False)  # signs tokens; default: one kept in the database
    send_rate: float = 0.0  # messages per second at most (0: as fast as the server takes them)
    web_host: str = "127.0.0.1"  # `digest web` binds here (a reverse proxy in front)
    web_port: int = 8080
    web_proxies: int = 0  # reverse proxies in front of `digest web` whose X-Forwarded-* headers are trusted
    web_subscribe: bool = False  # `digest web` shows a subscribe form (double opt-in)
    web_threads: int = 8  # waitress worker threads

    def __post_init__(self) -> None:
        home = Path(self.home).expanduser().resolve()
        object.__setattr__(self, "home", home)
        for name, default in (("inbox", "inbox"), ("data_dir", "data"), ("outbox", "outbox")):
            value = getattr(self, name)
            path = Path(value).expanduser() if value else home / default
            object.__setattr__(self, name, path if path.is_absolute() else home / path)
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.data_dir / 'digest.db'}")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def port(self) -> int:
        if self.smtp_port:
            return self.smtp_port
        return {"ssl": 465, "starttls": 587}.get(self.smtp_security, 25)

    @property
    def public_url(self) -> str:
        """Where readers reach `digest web` (unsubscribe, subscribe): DIGEST_WEB_URL, else
        DIGEST_BASE_URL; "" when neither is set. No trailing slash."""
        return (self.web_url or self.base_url).rstrip("/")

    @property
    def jieba_cache(self) -> Path:
        return Path(self.data_dir) / "jieba.cache"

    def origin(self, name: str) -> str:
        """Where the value of setting `name` came from: default, .env, environment or flag."""
        return getattr(self, "_origins", {}).get(name, "default")

    def redacted(self) -> dict[str, Any]:
        """The settings as a dict safe to print or log: passwords (the SMTP password, and one
        inside any URL such as DIGEST_DATABASE_URL) are shown as ***."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in ("smtp_password", "secret_key"):
                value = "***" if value else ""
            elif isinstance(value, str) and "@" in value and "://" in value:
                value = hide_passwords(value)
            elif isinstance(value, Path):
                value = str(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out


def hide_passwords(text: str) -> str:
    """Every `scheme://user:password@` in `text` with the password shown as ***."""
    return re.sub(r"([A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@", r"\1***@", text)


# Environment variable for each field (DIGEST_ + upper-case name, with two public exceptions).
ENV_NAMES = {f.name: "DIGEST_" + f.name.upper() for f in dataclasses.fields(Settings)}
ENV_NAMES["from_addr"] = "DIGEST_FROM"
ENV_NAMES["data_dir"] = "DIGEST_DATA"


def _parse(name: str, raw: Any) -> Any:
    """Turn one raw (string) value into the field's type, or raise ConfigError naming it."""
    env = ENV_NAMES[name]
    ftype = {f.name: f.type for f in dataclasses.fields(Settings)}[name]
    if not isinstance(raw, str):
        return tuple(raw) if name == "to" else raw
    raw = raw.strip()
    try:
        if ftype == "int":
            return int(raw)
        if ftype == "float":
            return float(raw)
        if ftype == "bool":
            low = raw.lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(raw)
    except ValueError:
        raise ConfigError(env, f"{raw!r} is not a valid {ftype}") from None
    if name == "to":
        return tuple(a.strip() for a in re.split(r"[,;\s]+", raw) if a.strip())
    return raw


def _validate(s: Settings) -> None:
    def bad(name: str, msg: str, hint: str = "") -> None:
        raise ConfigError(ENV_NAMES[name], msg, hint)

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
    if not 0 <= s.smtp_port <= 65535:
        bad("smtp_port", f"{s.smtp_port} is not a port number")
    if not _EMAIL.match(s.from_addr):
        bad("from_addr", f"{s.from_addr!r} is not an e-mail address")
    for addr in s.to:
        if not _EMAIL.match(addr):
            bad("to", f"{addr!r} is not an e-mail address", "separate addresses with commas")
    if "://" not in (s.database_url or ""):
        bad("database_url", f"{hide_passwords(s.database_url or '')!r} is not a database URL",
            "e.g. sqlite:////var/lib/digest/digest.db or postgresql://digest:***@db.example.org/digest")
    for name in ("poll_seconds", "front_page_size", "summary_chars_front", "summary_chars_other"):
        if getattr(s, name) <= 0:
            bad(name, "must be a positive number")
    for name in ("claim_lease_seconds", "leader_lease_seconds", "job_lease_seconds"):
        if not getattr(s, name) >= 1:
            bad(name, "must be at least 1 second")
    for name in ("misfire_grace_seconds", "jobs", "send_retries"):
        if getattr(s, name) < 0:
            bad(name, "must not be negative")
    for name in ("web_url", "base_url"):
        url = getattr(s, name)
        if url and not re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", url):
            bad(name, f"{url!r} is not an http(s) address", "e.g. https://news.example.org (no query string)")
    if not s.send_rate >= 0:
        bad("send_rate", "must be 0 (no limit) or a positive number of messages per second")
    if not 0 <= s.web_port <= 65535:
        bad("web_port", f"{s.web_port} is not a port number")
    if s.web_proxies < 0:
        bad("web_proxies", "must not be negative")
    if s.web_threads < 1:
        bad("web_threads", "must be at least 1")
    if s.max_file_mb <= 0:
        bad("max_file_mb", "must be a positive number")
    if len(s.send_cron.split()) != 5:
        bad("send_cron", f"{s.send_cron!r} is not a five-field cron expression", "e.g. '0 7 * * *'")
    for ch in "\r\n":
        if ch in s.publication or ch in s.list_id or ch in s.from_addr:
            bad("publication", "must be a single line")


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    env_file: str | os.PathLike | None = None,
) -> Settings:
    """Build Settings from .env, the environment and explicit overrides (highest wins).

    `overrides` uses field names (e.g. {"publication": "…"}); None values are ignored.
    The .env file is DIGEST_ENV_FILE, else `.env` in DIGEST_HOME or the current directory.
    """
    env = dict(os.environ if env is None else env)
    if env_file is None:
        env_file = env.get("DIGEST_ENV_FILE")
    if env_file is None:
        home_guess = Path(env.get("DIGEST_HOME") or (overrides or {}).get("home") or Path.cwd())
        env_file = home_guess / ".env"
    file_values = {k: v for k, v in dotenv_values(env_file).items() if v is not None} if Path(env_file).is_file() else {}
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for name, var in ENV_NAMES.items():
        if var in env:
            values[name], origins[name] = _parse(name, env[var]), "environment"
        elif var in file_values:
            values[name], origins[name] = _parse(name, file_values[var]), f".env ({env_file})"
    for name, value in (overrides or {}).items():
        if value is None:
            continue
        if name not in ENV_NAMES:
            raise ConfigError(name, "unknown setting")
        values[name], origins[name] = _parse(name, value), "flag"
    try:
        settings = Settings(**values)
    except TypeError as exc:  # pragma: no cover - programming error
        raise ConfigError("?", str(exc)) from None
    object.__setattr__(settings, "_origins", origins)
    _validate(settings)
    return settings

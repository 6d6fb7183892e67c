"""Settings: defaults < .env file < environment (DIGEST_*) < command-line flags.

Every setting has an environment variable DIGEST_<NAME>; see config/digest.example.env.
Secrets (the SMTP password, a password inside DIGEST_DATABASE_URL or any other URL) are never
printed: Settings.redacted() shows them as ***, and `digest config` also says where each value
came from (Settings.origin(): default, .env, environment or flag).
"""
from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Mapping
from zoneinfo import ZoneInfo

from .config_checks import (DEFAULT_CRON, NUMBER_EXAMPLES, LANGUAGES, RANGE_MODES, SECURITY_MODES, EnvFileError, unknown_env_names,  # noqa: F401
                            hide_passwords, problems as _problems, read_env_file)
from .errors import ConfigError


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
    smtp_timeout: float = 30.0  # seconds per SMTP step (connect, greeting, each command)
    send_retries: int = 5
    send_time_limit: float = 120.0  # seconds one send may take; recipients not reached by then stay queued
    list_id: str = ""
    unsubscribe: str = ""  # mailto: and/or https: URL(s), comma separated
    base_url: str = ""  # where the preview/archive is reachable, for article links
    poll_seconds: int = 300
    send_cron: str = DEFAULT_CRON
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
    retry_seconds: int = 300  # `digest run` retries owed deliveries (queued, interrupted) this often
    retry_max_age_hours: float = 72.0  # ... of digests built within this many hours
    catch_up_days: int = 7  # the morning digest takes late issues dated up to this many days before its newest
    # the newsletter (digest/subscribers.py, digest/tokens.py, digest/web.py, digest/publish.py)
    web_url: str = ""  # where `digest web` is reachable (unsubscribe, subscribe); default: base_url
    secret_key: str = dataclasses.field(default="", repr=False)  # signs tokens; default: one kept in the database
    send_rate: float = 0.0  # messages per second at most (0: as fast as the server takes them)
    web_host: str = "127.0.0.1"  # `digest web` binds here (a reverse proxy in front)
    web_port: int = 8080
    web_proxies: int = 0  # reverse proxies in front of `digest web` whose X-Forwarded-* headers are trusted
    web_subscribe: bool = False  # `digest web` shows a subscribe form (double opt-in)
    web_threads: int = 8  # waitress worker threads
    # the problems load_settings(lenient=True) found (each bad value was left at its default)
    problems: ClassVar[tuple] = ()

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


# Environment variable for each field (DIGEST_ + upper-case name, with two public exceptions).
ENV_NAMES = {f.name: "DIGEST_" + f.name.upper() for f in dataclasses.fields(Settings)}
ENV_NAMES["from_addr"] = "DIGEST_FROM"
ENV_NAMES["data_dir"] = "DIGEST_DATA"


# NUMBER_EXAMPLES (a sensible value of each number setting) lives in config_checks, which uses it.


def number_example(name: str) -> str:
    """The hint of a bad value of number setting `name`: "e.g. 587 (…)"."""
    return f"e.g. {NUMBER_EXAMPLES[name]}"  # the message names the variable already


def _parse(name: str, raw: Any) -> Any:
    """Turn one raw (string) value into the field's type, or raise ConfigError naming it."""
    env = ENV_NAMES[name]
    ftype = _TYPES[name]
    if not isinstance(raw, str):
        return tuple(raw) if name == "to" else raw
    raw = raw.strip()
    if ftype == "int":
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(env, f"{raw!r} is not a whole number", number_example(name)) from None
    if ftype == "float":
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(env, f"{raw!r} is not a number", number_example(name)) from None
        if not math.isfinite(value):
            raise ConfigError(env, f"{raw!r} is not a finite number", number_example(name))
        return value
    if ftype == "bool":
        low = raw.lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(env, f"{raw!r} is not true or false", "use true/false (or yes/no, 1/0)")
    if name == "to":
        if not raw:
            return ()
        from .addresses import AddressError, split_addresses

        try:
            return tuple(split_addresses(raw))
        except AddressError as exc:
            raise ConfigError(env, exc.message, "separate addresses with commas: a@example.org, b@example.org") from None
    return raw


_TYPES = {f.name: f.type for f in dataclasses.fields(Settings)}


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    env_file: str | os.PathLike | None = None,
    *,
    lenient: bool = False,
    require_env_file: bool = False,
) -> Settings:
    """Build Settings from .env, the environment and explicit overrides (highest wins).

    `overrides` uses field names (e.g. {"publication": "…"}); None values are ignored.
    The .env file is `env_file`, else DIGEST_ENV_FILE, else `.env` in DIGEST_HOME or the current
    directory. A file named by DIGEST_ENV_FILE (or by `env_file` with require_env_file=True:
    the --env-file option) must exist; a missing `.env` is simply no file.

    Every value is checked here (types, ranges, addresses, paths, the database driver, the cron
    expression): a bad one raises ConfigError naming its DIGEST_* variable, with a hint.
    lenient=True (for `digest status`): bad values are left at their defaults instead, and the
    errors are kept in `settings.problems`.
    """
    env = dict(os.environ if env is None else env)
    problems: list[ConfigError] = []
    named = env_file if env_file is not None else env.get("DIGEST_ENV_FILE")
    must_exist = require_env_file if env_file is not None else named is not None
    if named is not None:
        env_file = named
        if must_exist and not Path(named).is_file():
            error = EnvFileError(named, "no such file" if not Path(named).exists() else "not a file",
                                 "check the path given to --env-file or DIGEST_ENV_FILE")
            if not lenient:
                raise error
            problems.append(error)
    else:
        home_guess = Path(env.get("DIGEST_HOME") or (overrides or {}).get("home") or Path.cwd())
        env_file = home_guess / ".env"
    file_values: dict[str, str] = {}
    if Path(env_file).is_file():
        try:
            file_values, file_problems = read_env_file(env_file, ENV_NAMES.values(), strict=not lenient)
        except OSError as exc:
            error = EnvFileError(env_file, f"cannot be read: {exc.strerror or exc}", "fix its owner or mode")
            if not lenient:
                raise error from None
            file_problems = [error]
        problems += file_problems
    unknown = unknown_env_names(env, ENV_NAMES.values())  # a typo is refused, as in .env
    if unknown and not lenient:
        raise unknown[0]
    problems += unknown
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    raw: list[tuple[str, Any, str]] = []
    for name, var in ENV_NAMES.items():
        if var in env:
            raw.append((name, env[var], "environment"))
        elif var in file_values:
            raw.append((name, file_values[var], f".env ({env_file})"))
    for name, value in (overrides or {}).items():
        if value is None:
            continue
        if name not in ENV_NAMES:
            raise ConfigError(name, "unknown setting")
        raw.append((name, value, "flag"))
    for name, value, origin in raw:
        try:
            values[name], origins[name] = _parse(name, value), origin
        except ConfigError as exc:
            if not lenient:
                raise
            problems.append(exc)
            values.pop(name, None)
            origins.pop(name, None)
    settings = Settings(**values)
    bad = _problems(settings, ENV_NAMES)
    if bad and not lenient:
        raise bad[0]
    if bad:  # leave each bad value at its default (defaults are valid)
        wrong = {field for field, var in ENV_NAMES.items() if any(p.setting == var for p in bad)}
        settings = Settings(**{k: v for k, v in values.items() if k not in wrong})
        origins = {k: v for k, v in origins.items() if k not in wrong}
        problems += bad
    object.__setattr__(settings, "_origins", origins)
    object.__setattr__(settings, "problems", tuple(problems))
    return settings

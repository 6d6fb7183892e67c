"""Issue 17, items 12 and 13: no setting ends in a traceback.

Every bad value is refused when the settings load, by every command, with a message naming the
DIGEST_* variable and a hint (17.13); a bad edit of .env while `digest run` runs is recorded in
job_runs with the setting's name, shown by `digest status`, and the service runs on with its last
good settings (17.12). Real `digest` processes throughout.
"""
from __future__ import annotations

import dataclasses
import json

import pytest

from digest.config import ENV_NAMES, Settings, load_settings
from digest.errors import ConfigError
from digest.store import Store

from .service import Service, copy_sample, digest, issue_folder, status_json
from .smtp_faults import wait_for

BAD_VALUES = [
    ("DIGEST_SMTP_TIMEOUT", "0", "positive"),
    ("DIGEST_SMTP_TIMEOUT", "-1", "positive"),
    ("DIGEST_MAX_FILE_MB", "nan", "finite"),
    ("DIGEST_SEND_TIME_LIMIT", "inf", "finite"),
    ("DIGEST_DATABASE_URL", "mysql://digest:s3cret@db.example.org/digest", "not installed"),
    ("DIGEST_DATABASE_URL", "nosuchdb://x/y", "database"),
    ("DIGEST_LIST_ID", "liaocheng.example.org\nBcc: evil@example.org", "single line"),
    ("DIGEST_SEND_CRON", "61 7 * * *", "cron"),
    ("DIGEST_SEND_CRON", "0 7 * * eightday", "cron"),
    ("DIGEST_TO", "a@example.org, not-an-address", "not a valid e-mail address"),
    ("DIGEST_UNSUBSCRIBE", "please-unsubscribe-me", "mailto"),
    ("DIGEST_RETRY_MAX_AGE_HOURS", "-5", "positive"),
    ("DIGEST_SMTP_PORT", "seven", "whole number"),
]


def _clean_failure(res, var: str, *, code: int = 2) -> None:
    out = res.stdout + res.stderr
    assert res.returncode == code, out
    assert "Traceback" not in out, out
    assert var in res.stderr and "hint:" in res.stderr, res.stderr


@pytest.mark.parametrize("var,value,words", BAD_VALUES)
def test_bad_value_is_named_with_a_hint_by_config_and_run_once(tmp_path, var, value, words):
    for command in (("config",), ("run", "--once", "--settle", "0")):
        res = digest(tmp_path, *command, **{var: value})
        _clean_failure(res, var)
        assert words in res.stderr, res.stderr
        assert "s3cret" not in res.stdout + res.stderr  # a password in a URL never shows
    assert not (tmp_path / "data" / "digest.db").exists()  # refused before anything was opened


def test_paths_that_cannot_work(tmp_path):
    afile = tmp_path / "not-a-folder"
    afile.write_text("x")
    res = digest(tmp_path, "ingest", DIGEST_INBOX=str(afile))
    _clean_failure(res, "DIGEST_INBOX")
    assert "is a file, not a folder" in res.stderr
    res = digest(tmp_path, "run", "--once", DIGEST_LOG_FILE=str(tmp_path / "no" / "such" / "digest.log"))
    _clean_failure(res, "DIGEST_LOG_FILE")
    assert "does not exist" in res.stderr and "mkdir" in res.stderr


def test_env_file_problems(tmp_path):
    res = digest(tmp_path, "--env-file", str(tmp_path / "nonexistent.env"), "config")
    _clean_failure(res, "nonexistent.env")
    assert "no such file" in res.stderr
    (tmp_path / ".env").write_bytes("DIGEST_PUBLICATION=聊城日报\n".encode("gb18030") + b"DIGEST_POLL_SECONDS=60\n")
    res = digest(tmp_path, "config")
    _clean_failure(res, ".env")
    assert "line 1 is not UTF-8" in res.stderr and "UTF-8" in res.stderr.split("hint:")[1]
    (tmp_path / ".env").write_text("DIGEST_SMTP_HOTS=smtp.example.org\n", encoding="utf-8")
    res = digest(tmp_path, "config")
    _clean_failure(res, "DIGEST_SMTP_HOTS")
    assert "did you mean DIGEST_SMTP_HOST" in res.stderr
    (tmp_path / ".env").write_text("DIGEST_SMTP_PORT = '25\n", encoding="utf-8")
    res = digest(tmp_path, "config")
    _clean_failure(res, ".env")
    assert "line 1 is not NAME=value" in res.stderr


def test_unreadable_lock_file(tmp_path):
    lock = tmp_path / "data" / "digest-run.lock"
    lock.mkdir(parents=True)  # cannot be opened as a file, even by root
    res = digest(tmp_path, "run", "--once", "--settle", "0")
    _clean_failure(res, "digest-run.lock")
    assert "lock file" in res.stderr
    res = digest(tmp_path, "status")
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    assert "lock file: cannot open the lock file" in res.stdout


def test_status_still_works_with_a_bad_setting_and_names_it(tmp_path):
    res = digest(tmp_path, "status", DIGEST_SMTP_TIMEOUT="-1")
    assert res.returncode == 0, res.stderr
    assert "settings: setting DIGEST_SMTP_TIMEOUT" in res.stdout
    data = json.loads(digest(tmp_path, "status", "--json", DIGEST_SMTP_TIMEOUT="-1").stdout)
    assert any("DIGEST_SMTP_TIMEOUT" in p for p in data["settings_problems"])


# -- the whole kind: every setting, every type ------------------------------------------------------

FIELDS = {f.name: f.type for f in dataclasses.fields(Settings)}


@pytest.mark.parametrize("name", [n for n, t in FIELDS.items() if t in ("int", "float")])
def test_every_number_setting_refuses_junk(tmp_path, name):
    for junk in ("abc", "nan", "1e999"):
        if FIELDS[name] == "int" and junk != "abc":
            continue
        with pytest.raises(ConfigError) as err:
            load_settings({"home": str(tmp_path)}, env={ENV_NAMES[name]: junk})
        assert ENV_NAMES[name] in str(err.value) and err.value.hint


@pytest.mark.parametrize("name", [n for n, t in FIELDS.items() if t in ("int", "float")
                                  and n not in ("smtp_port", "web_port")])
def test_every_number_setting_refuses_negatives(tmp_path, name):
    with pytest.raises(ConfigError) as err:
        load_settings({"home": str(tmp_path)}, env={ENV_NAMES[name]: "-1"})
    assert ENV_NAMES[name] in str(err.value)


@pytest.mark.parametrize("name", [n for n, t in FIELDS.items() if t.startswith("str")])
def test_every_text_setting_refuses_a_newline(tmp_path, name):
    with pytest.raises(ConfigError) as err:
        load_settings({"home": str(tmp_path)}, env={ENV_NAMES[name]: "first\nsecond"})
    assert ENV_NAMES[name] in str(err.value)


# -- 17.12: a bad edit while `digest run` runs ------------------------------------------------------

@pytest.mark.slow
def test_bad_env_edit_while_running_is_recorded_and_the_service_runs_on(tmp_path):
    copy_sample(tmp_path)
    env = {"DIGEST_POLL_SECONDS": "1", "DIGEST_SEND_CRON": "0 7 1 1 *"}
    with Service(tmp_path, env) as svc:
        wait_for(lambda: "1 issue(s) ingested" in svc.text(), 90, "the first issue ingested")
        (tmp_path / ".env").write_text("DIGEST_SMTP_PORT=abc\n", encoding="utf-8")
        store = Store(f"sqlite:///{tmp_path / 'data' / 'digest.db'}")
        failed = wait_for(lambda: store.recent_runs(10, job="settings"), 30, "the failed reload recorded in job_runs")
        assert failed[0]["outcome"] == "failed" and "DIGEST_SMTP_PORT" in failed[0]["detail"]
        assert "last good settings" in failed[0]["detail"]
        # status: it cannot load DIGEST_SMTP_PORT either, says so, and shows the service's failure
        text = digest(tmp_path, "status").stdout
        assert "settings of the running service" in text and "DIGEST_SMTP_PORT" in text
        # the service goes on with the last good settings: a new issue is ingested
        issue_folder(tmp_path / "inbox", "2025-06-19")
        wait_for(lambda: "dates 2025-06-19" in svc.text(), 60, "the next issue ingested despite the bad .env")
        (tmp_path / ".env").write_bytes(b"DIGEST_PUBLICATION=\xff\xfe\n")  # another bad edit: not UTF-8
        wait_for(lambda: "not UTF-8" in svc.text(), 30, "the second bad edit recorded")
        (tmp_path / ".env").write_text("DIGEST_POLL_SECONDS=1\n", encoding="utf-8")  # fixed
        runs = wait_for(lambda: [r for r in [store.recent_runs(10, job="settings")] if len(r) == 3], 30,
                        "the repaired settings recorded")[0]
        assert [r["outcome"] for r in reversed(runs)] == ["failed", "failed", "ok"]
        assert status_json(tmp_path)["service_settings"] is None
        assert svc.alive()
        svc.stop()
    log = svc.text()
    assert "Traceback" not in log, log
    assert log.count("DIGEST_SMTP_PORT") == 1  # recorded once, not at every poll


def test_lock_file_without_permission_is_an_error_with_a_hint(tmp_path, monkeypatch):
    import os

    from digest import runstate
    from digest.errors import DigestError

    lock = tmp_path / "digest-run.lock"
    lock.write_text("123\n")
    real_open = os.open

    def deny(path, *args, **kw):  # what a non-root user meets with a lock file of another user
        if str(path) == str(lock):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kw)

    monkeypatch.setattr(runstate.os, "open", deny)
    for attempt in (lambda: runstate.lock_holder(lock), lambda: runstate.RunLock(lock).acquire()):
        with pytest.raises(DigestError) as err:
            attempt()
        assert str(lock) in str(err.value) and "Permission denied" in str(err.value)
        assert "owner or mode" in err.value.hint

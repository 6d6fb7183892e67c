from pathlib import Path

import pytest

from digest.config import ENV_NAMES, load_settings
from digest.errors import ConfigError

REQUIRED = ["DIGEST_HOME", "DIGEST_INBOX", "DIGEST_DATABASE_URL", "DIGEST_OUTBOX", "DIGEST_PUBLICATION",
            "DIGEST_TIMEZONE", "DIGEST_FROM", "DIGEST_TO", "DIGEST_SMTP_HOST", "DIGEST_SMTP_PORT",
            "DIGEST_SMTP_USER", "DIGEST_SMTP_PASSWORD", "DIGEST_SMTP_SECURITY", "DIGEST_POLL_SECONDS",
            "DIGEST_SEND_CRON", "DIGEST_MISFIRE_GRACE_SECONDS"]


def test_every_public_setting_has_its_variable():
    assert set(REQUIRED) <= set(ENV_NAMES.values())


def test_defaults_live_under_home(tmp_path):
    s = load_settings({"home": str(tmp_path)}, env={})
    assert s.inbox == tmp_path / "inbox"
    assert s.outbox == tmp_path / "outbox"
    assert s.database_url == f"sqlite:///{tmp_path / 'data' / 'digest.db'}"
    assert s.timezone == "Asia/Shanghai"
    assert s.port == 587  # starttls default


def test_precedence_dotenv_env_flags(tmp_path):
    (tmp_path / ".env").write_text("DIGEST_PUBLICATION=来自文件\nDIGEST_SMTP_PORT=2525\nDIGEST_TO=a@example.org, b@example.org\n",
                                   encoding="utf-8")
    env = {"DIGEST_HOME": str(tmp_path), "DIGEST_SMTP_PORT": "2600"}
    s = load_settings(env=env)
    assert s.publication == "来自文件"  # .env
    assert s.smtp_port == 2600  # environment beats .env
    assert s.to == ("a@example.org", "b@example.org")
    s = load_settings({"publication": "来自命令行"}, env=env)
    assert s.publication == "来自命令行"  # flag beats both


@pytest.mark.parametrize("var,value", [
    ("DIGEST_SMTP_PORT", "abc"), ("DIGEST_SMTP_SECURITY", "tls"), ("DIGEST_TIMEZONE", "Mars/Base"),
    ("DIGEST_TO", "not-an-address"), ("DIGEST_SEND_CRON", "every morning"), ("DIGEST_POLL_SECONDS", "0"),
    ("DIGEST_DATABASE_URL", "digest.db"), ("DIGEST_SEND_EMPTY", "maybe"),
])
def test_bad_setting_names_the_variable(tmp_path, var, value):
    with pytest.raises(ConfigError) as err:
        load_settings({"home": str(tmp_path)}, env={var: value})
    assert var in str(err.value)


def test_password_is_redacted(tmp_path):
    s = load_settings({"home": str(tmp_path)}, env={"DIGEST_SMTP_PASSWORD": "hunter2"})
    assert s.smtp_password == "hunter2"
    assert "hunter2" not in repr(s)
    assert "hunter2" not in str(s.redacted())


def test_example_env_documents_every_setting():
    text = (Path(__file__).resolve().parents[1] / "config" / "digest.example.env").read_text(encoding="utf-8")
    missing = [v for v in ENV_NAMES.values() if v not in text]
    assert not missing, f"config/digest.example.env does not document {missing}"

"""Messages a user reads: every number setting's hint shows a sensible example of that setting;
every input failure carries a hint (an empty file's too); failure lines and success lines show
paths the same way (relative to the working directory when inside it)."""
from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

import pytest

from digest.config import ENV_NAMES, NUMBER_EXAMPLES, Settings, load_settings
from digest.errors import ConfigError

from .conftest import REPO

NUMBERS = [f.name for f in dataclasses.fields(Settings) if f.type in ("int", "float")]


@pytest.mark.parametrize("name", NUMBERS)
def test_every_number_setting_has_its_own_example(name):
    var = ENV_NAMES[name]
    with pytest.raises(ConfigError) as err:
        load_settings(env={var: "abc"})
    hint = err.value.hint
    assert hint == f"e.g. {NUMBER_EXAMPLES[name]}" and var in str(err.value)
    example = NUMBER_EXAMPLES[name].split()[0]
    load_settings(env={var: example})  # the example itself is a good value


def test_smtp_port_hint_shows_a_port():
    with pytest.raises(ConfigError) as err:
        load_settings(env={"DIGEST_SMTP_PORT": "abc"})
    assert "587" in err.value.hint and "e.g. 300" not in err.value.hint
    with pytest.raises(ConfigError) as err:
        load_settings(env={"DIGEST_SMTP_PORT": "70000"})
    assert "587" in err.value.hint


def test_every_input_error_and_failure_is_given_a_hint():
    """InputError(path, message, hint) and Failure(path, stage, message, hint) across digest/."""
    need = {"InputError": 3, "Failure": 4}
    missing = []
    for path in sorted((REPO / "digest").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in need and len(node.args) < need[name] and not any(k.arg == "hint" for k in node.keywords) \
                    and not any(isinstance(a, ast.Starred) for a in node.args):
                missing.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not missing, missing


GOOD = "## 水城夜市开市\n\n本报讯（记者 王五）6月17日晚，水城夜市正式开市，两百余个摊位吸引市民前来。\n"


def test_empty_file_has_a_hint_and_paths_are_shown_alike(run, tmp_path):
    up = tmp_path / "upload"
    up.mkdir()
    (up / "empty_2025-07-18.txt").write_bytes(b"")
    (up / "good_2025-07-18.txt").write_text(GOOD, encoding="utf-8")
    res = run("ingest", str(up))  # an absolute path inside the working directory
    assert res.exit_code == 1
    err = next(line for line in res.stderr.splitlines() if line.startswith("error:"))
    assert err.startswith("error: upload/empty_2025-07-18.txt: read: empty file (hint: ")
    assert str(tmp_path) not in res.output
    assert "from upload/good_2025-07-18.txt" in res.stdout
    data = json.loads(run("ingest", str(up), "--json").stdout)
    assert data["failures"][0]["hint"]
    skipped = run("ingest", str(up))
    assert "skipped (already ingested): upload/good_2025-07-18.txt" in skipped.stdout


def test_a_path_outside_the_working_directory_stays_absolute(tmp_path, monkeypatch):
    from digest.display import shown_path

    monkeypatch.chdir(tmp_path)
    assert shown_path(str(tmp_path / "a" / "b.txt")) == str(Path("a") / "b.txt")
    assert shown_path("/etc/passwd") == "/etc/passwd"
    assert shown_path("inbox/2025-03-26/01.txt") == "inbox/2025-03-26/01.txt"


def test_a_mistyped_setting_in_the_environment_is_refused_like_in_env_file(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_settings({"home": str(tmp_path)}, env={"DIGEST_SMTP_HOTS": "smtp.example.org"})
    assert err.value.setting == "DIGEST_SMTP_HOTS" and "did you mean DIGEST_SMTP_HOST?" in err.value.hint
    lenient = load_settings({"home": str(tmp_path)}, env={"DIGEST_SMTP_HOTS": "x"}, lenient=True)
    assert any("DIGEST_SMTP_HOTS" in str(p) for p in lenient.problems)
    (tmp_path / "my.env").touch()
    hooks = {"DIGEST_TEST_RETRY_WAIT": "0.1,0.2", "DIGEST_ENV_FILE": str(tmp_path / "my.env")}
    load_settings({"home": str(tmp_path)}, env=hooks)  # the settings file's name and test hooks are no typos


def test_cli_refuses_a_mistyped_environment_setting(run, monkeypatch):
    monkeypatch.setenv("DIGEST_SMTP_HOTS", "x")
    res = run("build")
    assert res.exit_code == 2 and "DIGEST_SMTP_HOTS" in res.output and "did you mean DIGEST_SMTP_HOST" in res.output

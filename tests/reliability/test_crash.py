"""SIGKILL a real `digest` process at exact points (digest.faults) and check what a restart finds."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import pytest

from digest.config import load_settings
from digest.store import Store

from ..conftest import REPO, SAMPLE

pytestmark = pytest.mark.slow


def digest_cmd(home, *args, crash=None, extra_env=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update({"DIGEST_HOME": str(home), "PYTHONPATH": str(REPO)})
    if crash:
        env["DIGEST_CRASH_AT"] = crash
    env.update(extra_env or {})
    return subprocess.run([sys.executable, "-m", "digest.cli", *args], env=env, cwd=home,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def home(tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE, inbox / SAMPLE.name)
    second = inbox / "2025-06-19"
    second.mkdir()
    (second / "01.txt").write_text((SAMPLE / "01.txt").read_text(encoding="utf-8").replace("6月17日", "6月18日")
                                   + "\n更正：本报6月18日第1版有误。\n", encoding="utf-8")
    return tmp_path


def _store(home):
    return Store(load_settings({"home": str(home)}, env={}).database_url)


def _killed(proc):
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stderr[-2000:])


@pytest.mark.parametrize("point", ["ingest:before-save", "store:mid-issue"])
def test_kill_during_ingest_leaves_no_partial_issue(home, point):
    _killed(digest_cmd(home, "ingest", "--jobs", "1", crash=point))
    store = _store(home)
    assert store.list_issues() == []  # nothing half-written
    done = digest_cmd(home, "ingest", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    issues = store.list_issues()
    assert len(issues) == 2 and all(i["articles"] > 0 for i in issues)


def test_kill_between_issues_keeps_the_first_and_resumes(home):
    _killed(digest_cmd(home, "ingest", "--jobs", "1", crash="ingest:after-save"))
    store = _store(home)
    assert len(store.list_issues()) == 1
    before = store.issue_articles(store.list_issues()[0]["id"])
    again = digest_cmd(home, "ingest", "--jobs", "1", "--json")
    assert again.returncode == 0, again.stderr
    assert len(store.list_issues()) == 2
    assert store.issue_articles(store.list_issues()[-1]["id"]) == before or len(before) > 0
    assert '"skipped"' in again.stdout and len(__import__("json").loads(again.stdout)["skipped"]) == 1


@pytest.mark.parametrize("point", ["outbox:mid-write", "build:after-outbox"])
def test_kill_during_build_leaves_no_half_file_and_no_twin(home, point):
    assert digest_cmd(home, "ingest", "--jobs", "1").returncode == 0
    _killed(digest_cmd(home, "build", "--date", "2025-06-18", crash=point))
    outbox = home / "outbox"
    leftovers = sorted(p.name for p in outbox.iterdir()) if outbox.exists() else []
    finished = [n for n in leftovers if n.endswith((".eml", ".html", ".txt"))]
    for name in finished:  # whatever has its final name is complete
        assert (outbox / name).stat().st_size > 0
        if name.endswith(".eml"):
            assert (outbox / name).read_bytes().rstrip().endswith(b"--") or b"</html>" in (outbox / name).read_bytes()
    done = digest_cmd(home, "build", "--date", "2025-06-18")
    assert done.returncode == 0, done.stderr
    final = sorted(p.name for p in outbox.iterdir() if p.name.endswith((".eml", ".html", ".txt")))
    assert len(final) == 3, final  # exactly one digest: no twin files after the restart
    assert len(_store(home).list_digests()) == 1


# -- sending ------------------------------------------------------------------------------------

@pytest.fixture
def smtp():
    from ..fixtures_digest import SMTPServer

    with SMTPServer() as server:
        yield server


def _send(home, smtp, *args, crash=None):
    env = {"DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_SMTP_PORT": str(smtp.port), "DIGEST_SMTP_SECURITY": "none",
           "DIGEST_TO": "reader@example.org", "DIGEST_FROM": "digest@example.org"}
    return digest_cmd(home, "send", "--date", "2025-06-18", *args, crash=crash, extra_env=env)


@pytest.fixture
def built(home):
    assert digest_cmd(home, "ingest", "--jobs", "1").returncode == 0
    assert digest_cmd(home, "build", "--date", "2025-06-18").returncode == 0
    return home


def test_kill_after_claim_before_smtp_is_sent_once_after_restart(built, smtp):
    _killed(_send(built, smtp, crash="send:after-claim"))
    assert smtp.handler.messages == []
    done = _send(built, smtp)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(smtp.handler.messages) == 1  # not lost
    again = _send(built, smtp)
    assert again.returncode == 0 and len(smtp.handler.messages) == 1  # and never twice


def test_kill_after_server_accepted_is_never_sent_twice(built, smtp):
    _killed(_send(built, smtp, crash="send:after-accept"))
    assert len(smtp.handler.messages) == 1
    again = _send(built, smtp)
    assert len(smtp.handler.messages) == 1
    assert again.returncode == 2 and "requeue" in again.stdout
    status = digest_cmd(built, "status", "--json")
    assert "in-data" in status.stdout  # the operator sees the held delivery


def test_kill_just_before_data_is_held_and_can_be_requeued(built, smtp):
    _killed(_send(built, smtp, crash="send:before-data"))
    assert smtp.handler.messages == []
    assert len(smtp.handler.messages) == 0 and _send(built, smtp).returncode == 2  # held: ambiguous window
    done = _send(built, smtp, "--requeue")  # the operator knows it did not arrive
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(smtp.handler.messages) == 1

"""Issue 15 item 14: several papers in one home. `inbox/<paper>/<date>/…` files issues under that
paper, and `digest run` builds and sends one digest per paper. Real `digest` subprocesses and a
real SMTP server on loopback (aiosmtpd)."""
from __future__ import annotations

import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from digest.config import load_settings
from digest.store import Store
from tests.conftest import REPO
from tests.fixtures_digest import SMTPServer
from tests.reliability.test_inputs import GOOD, digest

pytestmark = pytest.mark.slow
WORDS = {"聊城日报": "夜市", "大众日报": "书市", "齐鲁晚报": "灯会"}  # each paper's story has its own word


def page(home: Path, rel: str, word: str) -> None:
    path = home / "inbox" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(GOOD.replace("夜市", word), encoding="utf-8")


def issues_by_paper(home: Path) -> dict[str, list]:
    store = Store(load_settings({"home": str(home)}, env={}).database_url)
    out: dict[str, list] = {}
    for row in store.list_issues():
        bodies = "".join(a.article.body for a in store.issue_articles(row["id"]))
        out.setdefault(row["publication"], []).append((row["issue_date"].isoformat(), bodies))
    return out


def mails(server: SMTPServer) -> list[tuple[str, str]]:
    out = []
    for m in server.handler.messages:
        msg = email.message_from_bytes(m["data"], policy=email.policy.default)
        text = msg.get_body(("plain",)).get_content()
        out.append((str(msg["Subject"]), text))
    return out


def test_run_files_each_paper_and_sends_one_digest_per_paper(tmp_path):
    page(tmp_path, "2025-07-18/01.txt", WORDS["聊城日报"])  # no paper folder: DIGEST_PUBLICATION
    page(tmp_path, "大众日报/2025-07-18/01.txt", WORDS["大众日报"])
    page(tmp_path, "齐鲁晚报/2025-07-18/A/01.txt", WORDS["齐鲁晚报"])  # a section folder of the issue
    with SMTPServer() as smtp:
        env = {"DIGEST_DELIVER_SMTP": "1", "DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_SMTP_PORT": str(smtp.port),
               "DIGEST_SMTP_SECURITY": "none", "DIGEST_TO": "reader@example.org", "DIGEST_FROM": "digest@example.org"}
        done = digest(tmp_path, "run", "--once", "--settle", "0.3", env=env)
        assert done.returncode == 0, done.stderr
        papers = issues_by_paper(tmp_path)
        assert set(papers) == set(WORDS)
        for paper, word in WORDS.items():
            [(day, bodies)] = papers[paper]
            assert day == "2025-07-18" and word in bodies, paper
            assert not any(w in bodies for p, w in WORDS.items() if p != paper), paper
        sent = mails(smtp)
        assert len(sent) == 3, [s for s, _ in sent]  # one digest per paper, each once
        for paper, word in WORDS.items():
            [(subject, text)] = [(s, t) for s, t in sent if paper in s]
            assert word in text and not any(w in text for p, w in WORDS.items() if p != paper), subject
        assert len(list((tmp_path / "outbox").glob("*.eml"))) == 3

        # the service: its cron fires every 3 s; a new issue of one paper gives one more mail, once
        proc = subprocess.Popen([sys.executable, "-m", "digest.cli", "run"], cwd=tmp_path,
                                env=service_env(tmp_path, env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        try:
            wait_for(lambda: runs(tmp_path, "digest") >= 1, 60, "the first scheduled run")
            page(tmp_path, "齐鲁晚报/2025-07-19/01.txt", "庙会")
            wait_for(lambda: len(smtp.handler.messages) >= 4, 60, "the new issue's digest")
            fired = runs(tmp_path, "digest")
            wait_for(lambda: runs(tmp_path, "digest") >= fired + 2, 30, "two more scheduled runs")
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0 and "Traceback" not in err, err
        later = mails(smtp)[3:]
        assert len(later) == 1, [s for s, _ in later]  # exactly once, however many runs fired
        [(subject, text)] = later
        assert "齐鲁晚报" in subject and "庙会" in text and "灯会" not in text


def service_env(home: Path, extra: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update(DIGEST_HOME=str(home), PYTHONPATH=str(REPO), DIGEST_POLL_SECONDS="1", DIGEST_JOBS="1",
               DIGEST_SEND_CRON="* * * * *", DIGEST_TEST_SEND_SECOND="*/3", PYTHONUNBUFFERED="1", **extra)
    return env


def runs(home: Path, job: str) -> int:
    return len(Store(load_settings({"home": str(home)}, env={}).database_url).recent_runs(500, job=job))


def wait_for(pred, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_paper_folders_paper_option_and_default_publication(tmp_path):
    page(tmp_path, "大众日报/2025-07-18/01.txt", WORDS["大众日报"])
    page(tmp_path, "2025-07-20/01.txt", "早市")
    page(tmp_path, "2025-07-21/01.txt", "花市")
    clash = digest(tmp_path, "ingest", "--paper", "齐鲁晚报", "inbox/大众日报/2025-07-18")
    assert clash.returncode == 2  # never misfiled under another paper
    assert ("in the paper folder of 大众日报 (inbox/大众日报/), but --paper says 齐鲁晚报; not ingested"
            in clash.stderr and "move it to inbox/齐鲁晚报/" in clash.stderr)
    named = digest(tmp_path, "ingest", "--json", "--paper", "齐鲁晚报", "inbox/2025-07-20")  # not in a paper folder
    assert named.returncode == 0, named.stderr
    rest = digest(tmp_path, "ingest", "--json", "inbox/大众日报", "inbox/2025-07-21", env={"DIGEST_PUBLICATION": "晚报"})
    assert rest.returncode == 0, rest.stderr
    papers = issues_by_paper(tmp_path)
    assert [d for d, _ in papers["齐鲁晚报"]] == ["2025-07-20"]
    assert [d for d, _ in papers["大众日报"]] == ["2025-07-18"]  # the folder names the paper, whatever the default
    assert [d for d, _ in papers["晚报"]] == ["2025-07-21"]  # the rest: DIGEST_PUBLICATION
    assert len(json.loads(rest.stdout)["ingested"]) == 2

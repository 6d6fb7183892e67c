"""Real `digest` processes sharing one database (SQLite file or PostgreSQL server), each in its
own home, as separate machines would: first start, concurrent ingest, path spellings, builds."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from digest.store import Store
from tests.conftest import REPO, SAMPLE

pytestmark = pytest.mark.slow


def cmd(home: Path, db_url: str, *argv: str, cwd: Path | None = None, env: dict | None = None) -> list:
    e = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    e.update(DIGEST_HOME=str(home), DIGEST_DATABASE_URL=db_url, PYTHONPATH=str(REPO), **(env or {}))
    return [[sys.executable, "-m", "digest.cli", *argv], dict(env=e, cwd=str(cwd or home))]


def run(home, db_url, *argv, **kw) -> subprocess.CompletedProcess:
    argv_, opts = cmd(home, db_url, *argv, **kw)
    return subprocess.run(argv_, capture_output=True, text=True, timeout=300, **opts)


def start(home, db_url, *argv, **kw) -> subprocess.Popen:
    argv_, opts = cmd(home, db_url, *argv, **kw)
    return subprocess.Popen(argv_, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **opts)


def homes(tmp_path: Path, n: int) -> list[Path]:
    out = []
    for i in range(n):
        h = tmp_path / f"host{i}"
        (h / "inbox").mkdir(parents=True)
        out.append(h)
    return out


def test_four_commands_started_at_once_on_an_empty_database_all_succeed(db_url, tmp_path):
    """Issue 18: `relation "digest_meta" already exists` / duplicate pg_type when started together."""
    h = homes(tmp_path, 4)
    shutil.copytree(SAMPLE, h[0] / "inbox" / SAMPLE.name)
    procs = [start(h[0], db_url, "ingest", "--jobs", "1"), start(h[1], db_url, "status", "--json"),
             start(h[2], db_url, "db", "upgrade"), start(h[3], db_url, "run", "--once", "--settle", "0")]
    done = [(p, *p.communicate(timeout=300)) for p in procs]
    for p, out, err in done:
        assert p.returncode == 0, (p.args, out, err)
        assert "Traceback" not in err, err
    current = json.loads(run(h[1], db_url, "db", "current", "--json").stdout)
    assert current["state"] == "up to date" and current["current"] == current["program"]


def test_same_folder_ingested_twice_at_once_is_stored_once(db_url, tmp_path):
    """Issue 18: the second ingest crashed with UniqueViolation on issues_content_hash_key."""
    a, b = homes(tmp_path, 2)
    for h in (a, b):
        shutil.copytree(SAMPLE, h / "inbox" / SAMPLE.name)
    Store(db_url)
    procs = [start(h, db_url, "ingest", "--jobs", "1", "--json") for h in (a, b)]
    results = [(p, *p.communicate(timeout=300)) for p in procs]
    for p, out, err in results:
        assert p.returncode == 0 and "Traceback" not in err, err
    reports = [json.loads(out) for _, out, _ in results]
    assert sorted(len(r["ingested"]) for r in reports) == [0, 1]
    assert sorted(len(r["skipped"]) for r in reports) == [0, 1]
    assert len(Store(db_url).list_issues()) == 1


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # engine-independent logic: one engine
def test_correction_under_another_spelling_of_its_path_replaces_the_old_version(db_url, tmp_path):
    """Issue 17 item 10 and issue 15 item 15: relative, absolute, another working directory and
    another machine's inbox all name the page by one logical key, so only one version is live."""
    a, b = homes(tmp_path, 2)
    page = (SAMPLE / "01.txt").read_text(encoding="utf-8")
    day = a / "inbox" / "2025-06-18"
    day.mkdir()
    (day / "01.txt").write_text(page, encoding="utf-8")
    assert run(a, db_url, "ingest", "inbox/2025-06-18", "--jobs", "1").returncode == 0  # relative to home
    (day / "01.txt").write_text(page + "\n更正：本报记者 王五\n", encoding="utf-8")
    assert run(a, db_url, "ingest", str(day.resolve()), "--jobs", "1").returncode == 0  # absolute
    (day / "01.txt").write_text(page + "\n更正二\n", encoding="utf-8")
    assert run(a, db_url, "ingest", "2025-06-18", "--jobs", "1", cwd=a / "inbox").returncode == 0  # another cwd
    other = b / "inbox" / "2025-06-18"  # another machine, its inbox elsewhere
    other.mkdir()
    (other / "01.txt").write_text(page + "\n更正三\n", encoding="utf-8")
    assert run(b, db_url, "ingest", "--jobs", "1").returncode == 0
    live = Store(db_url).list_issues()
    assert len(live) == 1 and live[0]["version"] == 4, live
    assert live[0]["sources"] == ["inbox/2025-06-18/01.txt"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # engine-independent logic: one engine
def test_file_outside_the_inbox_is_recognised_from_another_directory(db_url, tmp_path):
    a = homes(tmp_path, 1)[0]
    folder = a / "t2"
    folder.mkdir()
    (folder / "page.txt").write_text((SAMPLE / "01.txt").read_text(encoding="utf-8"), encoding="utf-8")
    assert run(a, db_url, "ingest", "t2/page.txt", "--date", "2025-06-18", "--jobs", "1").returncode == 0
    (folder / "page.txt").write_text((SAMPLE / "01.txt").read_text(encoding="utf-8") + "\n更正\n", encoding="utf-8")
    done = run(a, db_url, "ingest", "page.txt", "--date", "2025-06-18", "--jobs", "1", "--json", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ingested"][0]["sources"] == ["t2/page.txt"]
    assert [i["version"] for i in Store(db_url).list_issues()] == [2]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # engine-independent logic: one engine
def test_build_again_with_other_then_same_settings(db_url, tmp_path):
    """Issue 15 item 1: build, build with DIGEST_BASE_URL, build without: IntegrityError on
    digests.message_id and every later build failed. Now the first record and files are reused."""
    a = homes(tmp_path, 1)[0]
    assert run(a, db_url, "ingest", str(SAMPLE), "--jobs", "1").returncode == 0
    first = run(a, db_url, "build", "--date", "2025-06-18", "--json")
    second = run(a, db_url, "build", "--date", "2025-06-18", "--json", env={"DIGEST_BASE_URL": "https://x.example"})
    third = run(a, db_url, "build", "--date", "2025-06-18", "--json")
    for r in (first, second, third):
        assert r.returncode == 0, r.stderr
    f, s, t = (json.loads(r.stdout) for r in (first, second, third))
    assert s["digest_id"] != f["digest_id"] and t["digest_id"] == f["digest_id"] and t["reused"]
    assert t["files"] == f["files"]
    store = Store(db_url)
    live = store.list_digests(live_only=True)
    assert [d["id"] for d in live] == [f["digest_id"]]
    dry = run(a, db_url, "send", "--dry-run", "--test-to", "editor@example.org", "--json",
              env={"DIGEST_SMTP_HOST": "smtp.example.org", "DIGEST_FROM": "digest@example.org"})
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["digest_id"] == f["digest_id"]  # the live one, not the newest row


def test_two_builds_of_one_range_at_once_make_one_digest_and_keep_the_files(db_url, tmp_path):
    """Issue 17 item 8: two builds at once made two digest rows, or the loser deleted the winner's files."""
    a = homes(tmp_path, 1)[0]
    assert run(a, db_url, "ingest", str(SAMPLE), "--jobs", "1").returncode == 0
    procs = [start(a, db_url, "build", "--date", "2025-06-18", "--json") for _ in range(3)]
    outs = [(p, *p.communicate(timeout=120)) for p in procs]
    for p, out, err in outs:
        assert p.returncode == 0, err
    results = [json.loads(out) for _, out, _ in outs]
    assert len({r["digest_id"] for r in results}) == 1
    for r in results:
        assert all(Path(f).exists() for f in r["files"].values())
    assert len(Store(db_url).list_digests()) == 1
    assert len(list((a / "outbox").glob("*.eml"))) == 1


def test_config_hides_the_database_password_and_says_where_values_came_from(tmp_path):
    h = homes(tmp_path, 1)[0]
    (h / ".env").write_text("DIGEST_PUBLICATION=大众日报\n", encoding="utf-8")
    url = "postgresql://digest:pa55-Secret@127.0.0.1:1/digest"
    done = run(h, url, "--timezone", "Asia/Tokyo", "config", "--json")
    assert done.returncode == 0, done.stderr
    assert "pa55-Secret" not in done.stdout
    data = json.loads(done.stdout)
    assert data["database_url"] == "postgresql://digest:***@127.0.0.1:1/digest"
    assert data["origins"]["database_url"] == "environment" and data["origins"]["timezone"] == "flag"
    assert data["origins"]["publication"].startswith(".env") and data["origins"]["front_page_size"] == "default"
    text = run(h, url, "config")
    assert "pa55-Secret" not in text.stdout and "[environment]" in text.stdout
    failed = run(h, url, "status")  # nobody listens on port 1: the error names the URL without the password
    assert failed.returncode == 2 and "pa55-Secret" not in failed.stderr + failed.stdout
    assert "***" in failed.stderr and "Traceback" not in failed.stderr


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # engine-independent logic: one engine
def test_send_from_another_home_uses_the_stored_message(db_url, tmp_path):
    """The .eml bytes live in the database: a host without the outbox file sends the same message."""
    from tests.fixtures_digest import SMTPServer

    a, b = homes(tmp_path, 2)
    assert run(a, db_url, "ingest", str(SAMPLE), "--jobs", "1").returncode == 0
    built = json.loads(run(a, db_url, "build", "--date", "2025-06-18", "--json").stdout)
    eml = Path(built["files"]["eml"]).read_bytes()
    with SMTPServer() as smtp:
        env = {"DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_SMTP_PORT": str(smtp.port), "DIGEST_SMTP_SECURITY": "none",
               "DIGEST_TO": "reader@example.org", "DIGEST_FROM": "digest@example.org"}
        sent = run(b, db_url, "send", "--json", env=env)  # host B has no outbox at all
        assert sent.returncode == 0, sent.stderr
        again = run(a, db_url, "send", "--json", env=env)  # host A: already sent, never twice
        assert again.returncode == 0, again.stderr
    assert not (b / "outbox").exists()
    assert len(smtp.handler.messages) == 1
    got = smtp.handler.messages[0]["data"]
    head = lambda raw, name: [ln for ln in raw.split(b"\r\n") if ln.startswith(name)]  # noqa: E731
    assert head(got, b"Message-ID") == head(eml, b"Message-ID")
    assert got.split(b"\r\n\r\n", 1)[1] == eml.split(b"\r\n\r\n", 1)[1]  # same body (Date: is the send time)

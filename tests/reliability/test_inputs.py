"""Issue 17, input side: nothing outside the inbox (or a path named on the command line) is ever
opened, link loops are reported per entry, and every poll of `digest run` keeps working.

Real subprocesses on real files and symbolic links; `audit_digest.py` logs every file the
process opens and every folder it lists (Python audit hooks), so "never opened" is checked, not
inferred from what was stored.
"""
from __future__ import annotations

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

from ..conftest import REPO

pytestmark = pytest.mark.slow

AUDIT = Path(__file__).with_name("audit_digest.py")
GOOD = ("## 水城夜市开市\n\n本报讯（记者 王五）6月17日晚，水城夜市正式开市，两百余个摊位吸引市民前来。"
        "夜市设置了美食区、文创区和亲子区，营业至晚上十一点。\n\n"
        "市商务局负责人介绍，夜市将持续到十月底，周末还将举办街头演出。\n")
SECRET = ("## 内部资料严禁外传\n\n本报讯 这是一份不应出现在任何摘要里的内部资料，"
          "其中记录了口令和账户信息，任何程序都不得读取。\n")
SYSTEM_FILES = ("/etc/passwd", "/etc/shadow", "/etc/group", "/etc/hostname")


def digest(home: Path, *args: str, log: Path | None = None, timeout: float = 300,
           env: dict | None = None) -> subprocess.CompletedProcess:
    """`digest ARGS` in a real subprocess with DIGEST_HOME=home, cwd=home; audited into `log`."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    environ.update(DIGEST_HOME=str(home), PYTHONPATH=str(REPO), DIGEST_JOBS="1", **(env or {}))
    if log is not None:
        environ["DIGEST_AUDIT_LOG"] = str(log)
        cmd = [sys.executable, str(AUDIT), *args]
    else:
        cmd = [sys.executable, "-m", "digest.cli", *args]
    return subprocess.run(cmd, env=environ, cwd=home, capture_output=True, text=True, timeout=timeout)


def touched(log: Path) -> list[tuple[str, Path]]:
    """(event, real path) of everything the audited process opened or listed."""
    out = []
    for line in log.read_text(encoding="utf-8").splitlines():
        event, _, path = line.partition("\t")
        out.append((event, Path(os.path.realpath(path))))
    return out


def assert_untouched(log: Path, *places: Path) -> None:
    seen = touched(log)
    assert seen, "the audit log is empty: the hook did not run"
    for place in places:
        real = Path(os.path.realpath(place))
        bad = [f"{e} {p}" for e, p in seen if p == real or p.is_relative_to(real)]
        assert not bad, f"opened or listed outside the inbox: {bad[:5]}"
    system = [f"{e} {p}" for e, p in seen if str(p) in SYSTEM_FILES or (e != "open" and str(p) == "/etc")]
    assert not system, system


def stored_text(home: Path) -> tuple[list[str], str]:
    store = Store(load_settings({"home": str(home)}, env={}).database_url)
    sources, text = [], ""
    for row in store.list_issues():
        sources += row["sources"]
        text += "".join(p["text"] for p in store.issue_pages(row["id"]))
    return sources, text


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A private folder beside the home: a dated issue folder and a loose page, both secret."""
    private = tmp_path / "private"
    (private / "2025-06-18").mkdir(parents=True)
    (private / "2025-06-18" / "01.txt").write_text(SECRET, encoding="utf-8")
    (private / "secret.txt").write_text(SECRET, encoding="utf-8")
    return private


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    (h / "inbox" / "2025-06-18").mkdir(parents=True)
    (h / "inbox" / "2025-06-18" / "01.txt").write_text(GOOD, encoding="utf-8")
    return h


# -- 17.1: links out of the inbox ------------------------------------------------------------------

def test_run_once_never_opens_anything_outside_the_inbox(home, outside, tmp_path):
    inbox = home / "inbox"
    (inbox / "private").symlink_to(outside, target_is_directory=True)  # a top-level folder link
    (inbox / "etc").symlink_to("/etc", target_is_directory=True)
    (inbox / "2025-06-19").symlink_to(outside / "2025-06-18", target_is_directory=True)  # a dated issue
    (inbox / "2025-06-18" / "02.txt").symlink_to(outside / "secret.txt")  # a page inside an issue
    (inbox / "大众日报").mkdir()
    (inbox / "大众日报" / "2025-06-20").symlink_to(outside / "2025-06-18")  # inside a paper folder
    log = tmp_path / "audit.log"
    done = digest(home, "run", "--once", "--settle", "0.3", log=log)
    assert done.returncode == 1, done.stderr  # partial: the good issue in, every link refused
    assert "Traceback" not in done.stderr
    sources, text = stored_text(home)
    assert sources == ["inbox/2025-06-18/01.txt"] and "内部资料" not in text
    store = Store(load_settings({"home": str(home)}, env={}).database_url)
    refused = {Path(f["path"]).name: f["message"] for f in store.recent_failures()}  # as `digest status` shows
    for name in ("private", "etc", "2025-06-19", "02.txt", "2025-06-20"):
        assert refused.get(name, "").startswith("symbolic link points outside the inbox"), (name, refused)
    assert "5 failure(s)" in done.stderr and "and 2 more (digest status lists them)" in done.stderr
    assert_untouched(log, outside)
    outbox = list((home / "outbox").glob("*.txt"))
    assert outbox and all("内部资料" not in p.read_text(encoding="utf-8") for p in outbox)


def test_links_named_on_the_command_line_are_not_followed_out(home, outside, tmp_path):
    upload = tmp_path / "upload"  # a drop folder others write to, outside the inbox
    upload.mkdir()
    (upload / "page_20250618.txt").write_text(GOOD, encoding="utf-8")
    (upload / "latest.txt").symlink_to("page_20250618.txt")  # stays in its folder: followed
    (upload / "evil.txt").symlink_to(outside / "secret.txt")
    (upload / "etc").symlink_to("/etc", target_is_directory=True)
    log = tmp_path / "audit.log"
    names = sorted(str(p) for p in upload.iterdir())  # what `digest ingest upload/*` names
    done = digest(home, "ingest", "--json", *names, log=log)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    refused = {Path(f["path"]).name: f["message"] for f in report["failures"]}
    assert set(refused) == {"evil.txt", "etc"}
    assert all("named on the command line points outside its folder" in m for m in refused.values())
    assert {Path(s).name for i in report["ingested"] + report["skipped"] for s in i["sources"]} <= \
        {"page_20250618.txt", "latest.txt"}
    assert_untouched(log, outside)
    # a link inside the inbox named on the command line keeps the inbox's rule
    (home / "inbox" / "leak").symlink_to(outside, target_is_directory=True)
    named = digest(home, "ingest", "inbox/leak", log=log)
    assert named.returncode == 2 and "inbox/leak: read: symbolic link points outside the inbox" in named.stderr
    assert_untouched(log, outside)
    assert "内部资料" not in stored_text(home)[1]


def test_a_path_named_through_a_link_in_the_inbox_is_refused(home, outside, tmp_path):
    """`inbox/leak/secret.txt` with inbox/leak -> outside: every link on the way is checked, not
    only the last component, by ingest and by segment/summarize."""
    (home / "inbox" / "leak").symlink_to(outside, target_is_directory=True)
    log = tmp_path / "audit.log"
    for command in ("ingest", "segment", "summarize"):
        done = digest(home, command, "inbox/leak/secret.txt", log=log)
        assert done.returncode == 2, (command, done.stderr)
        assert "inbox/leak/secret.txt: " in done.stderr and "points outside the inbox" in done.stderr, done.stderr
    assert_untouched(log, outside)


def test_a_folder_named_on_the_command_line_is_its_own_root(home, outside, tmp_path):
    """The rule the README states: a path named on the command line is the operator's choice,
    resolved once; links inside it may not lead out of it."""
    archive = tmp_path / "archive"
    (archive / "2025-06-17").mkdir(parents=True)
    (archive / "2025-06-17" / "01.txt").write_text(GOOD.replace("夜市", "早市"), encoding="utf-8")
    (archive / "2025-06-17" / "02.txt").symlink_to(outside / "secret.txt")
    link = tmp_path / "archive-link"
    link.symlink_to(archive, target_is_directory=True)  # the operator's own link to it: resolved once
    log = tmp_path / "audit.log"
    done = digest(home, "ingest", str(archive), log=log)
    assert done.returncode == 1 and "02.txt: read: symbolic link points outside the folder named" in done.stderr
    assert_untouched(log, outside)
    again = digest(home, "ingest", str(link) + "/2025-06-17/01.txt")
    assert again.returncode == 0, again.stderr  # already ingested: skipped, the folders on the way are followed
    assert "内部资料" not in stored_text(home)[1]


def test_preview_opens_a_pdf_only_inside_the_inbox_or_home(home, outside, tmp_path):
    from digest.preview_pdf import find_file
    from tests import pdf_fixtures as F

    F.multicolumn_pdf(outside / "page.pdf")
    F.multicolumn_pdf(home / "inbox" / "2025-06-18" / "p02.pdf")
    (home / "inbox" / "2025-06-18" / "leak.pdf").symlink_to(outside / "page.pdf")
    inbox = home / "inbox"
    assert find_file("inbox/2025-06-18/p02.pdf", inbox, home)[0] == inbox / "2025-06-18" / "p02.pdf"
    assert find_file("inbox/2025-06-18/leak.pdf", inbox, home) is None
    assert find_file(str(outside / "page.pdf"), inbox, home) is None  # a stored path elsewhere: not opened
    assert find_file("../private/page.pdf", inbox, home) is None


# -- 17.2: link loops --------------------------------------------------------------------------------

def make_loops(inbox: Path) -> None:
    (inbox / "a").symlink_to("b")
    (inbox / "b").symlink_to("a")
    (inbox / "self").symlink_to(".")
    (inbox / "2025-06-18" / "up").symlink_to("..")
    (inbox / "大众日报").mkdir(exist_ok=True)
    (inbox / "大众日报" / "round").symlink_to("../大众日报")


def test_ingest_reports_each_loop_and_goes_on(home):
    make_loops(home / "inbox")
    t0 = time.monotonic()
    done = digest(home, "ingest", timeout=120)
    assert time.monotonic() - t0 < 100
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    for name in ("inbox/a", "inbox/b", "inbox/self", "2025-06-18/up", "大众日报/round"):
        assert f"{name}: read: symbolic link loop" in done.stderr, (name, done.stderr)
    assert stored_text(home)[0] == ["inbox/2025-06-18/01.txt"]


def test_every_poll_of_run_keeps_working_beside_loops(home):
    inbox = home / "inbox"
    make_loops(inbox)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    environ.update(DIGEST_HOME=str(home), PYTHONPATH=str(REPO), DIGEST_POLL_SECONDS="1",
                   DIGEST_SEND_CRON="0 7 1 1 *", DIGEST_JOBS="1", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "digest.cli", "run"], env=environ, cwd=home,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    store = Store(load_settings({"home": str(home)}, env={}).database_url)
    try:
        def wait(pred, timeout, what):
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                if pred():
                    return
                assert proc.poll() is None, proc.communicate()
                time.sleep(0.2)
            raise AssertionError(f"timed out waiting for {what}")

        wait(lambda: len(store.list_issues()) == 1, 90, "the first issue")
        later = inbox / "2025-06-19"
        later.mkdir()
        (later / "01.txt").write_text(GOOD.replace("6月17日", "6月18日").replace("夜市", "书市"), encoding="utf-8")
        wait(lambda: len(store.list_issues()) == 2, 90, "an issue that arrives after the loops")
        time.sleep(2.5)  # a few more polls
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "crashed" not in err, err
    runs = store.recent_runs(200, job="inbox")
    assert runs and all(r["outcome"] != "failed" or "loop" in r["detail"] for r in runs)
    reported = [r for r in runs if "symbolic link loop" in r["detail"]]
    assert len(reported) == 1, [r["detail"] for r in runs]  # reported once, not at every poll


# -- 17.9: a dated folder holding only sub-folders ----------------------------------------------------

PRINTED_2022 = "聊城日报\n2022年7月27日 星期三\n\n"  # the page prints another date: the folder's date wins


def test_a_date_in_any_folder_above_a_page_dates_it(home):
    day = home / "inbox" / "2025-07-18"
    for section, town in (("a", "东昌府"), ("b", "临清")):
        (day / section).mkdir(parents=True)
        (day / section / "01.txt").write_text(PRINTED_2022 + GOOD.replace("水城", town), encoding="utf-8")
    done = digest(home, "ingest", "--json", "inbox/2025-07-18")
    assert done.returncode == 0, done.stderr
    [issue] = json.loads(done.stdout)["ingested"]
    assert (issue["date"], issue["date_rule"]) == ("2025-07-18", "path")
    assert issue["sources"] == ["inbox/2025-07-18/a/01.txt", "inbox/2025-07-18/b/01.txt"]  # one issue, two pages
    (day / "c" / "deeper").mkdir(parents=True)
    (day / "c" / "deeper" / "01.txt").write_text(PRINTED_2022 + GOOD.replace("水城", "茌平"), encoding="utf-8")
    named = digest(home, "ingest", "--json", "inbox/2025-07-18/c")  # named below the dated folder
    assert named.returncode == 0, named.stderr
    [issue] = json.loads(named.stdout)["ingested"]
    assert (issue["date"], issue["date_rule"]) == ("2025-07-18", "path")

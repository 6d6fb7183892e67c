"""Issue 17, odd names and odd files: control characters in file names never reach the terminal or
the log raw (item 3); output names are bounded in bytes and unique (item 11); FIFOs, huge
one-line pages and NUL-filled pages are reported for what they are, a huge id in a preview URL is
a 404 (item 14). Real subprocesses on real files."""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from .test_inputs import GOOD, digest

pytestmark = pytest.mark.slow

RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e]")  # \n only between lines
NAMES = {  # name on disk -> what the page is
    "bell\a_20250618.txt": GOOD,
    "esc\x1b[31mred\x1b[0m_20250619.txt": b"\x89PNG\r\n\x1a\n" + bytes(100),  # fails: its name is printed
    "two\nERROR digest.run: forged_20250620.txt": GOOD.replace("夜市", "书市"),
    "rtl\u202eexe.txt_20250622.txt": GOOD.replace("夜市", "灯市"),
}


def assert_clean(text: str, where: str) -> None:
    bad = RAW_CONTROL.search(text)
    assert bad is None, f"raw control character {bad.group()!r} in {where}: {text[max(0, bad.start() - 60):bad.end() + 20]!r}"
    assert not any(line.startswith("ERROR digest.run: forged") for line in text.splitlines()), where


@pytest.fixture
def odd_home(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, data in NAMES.items():
        (inbox / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    with open(os.fsencode(inbox) + b"/gbk\xc3\xfb_20250621.txt", "wb") as fh:  # a GBK name (名): not UTF-8
        fh.write(GOOD.replace("夜市", "早市").encode("utf-8"))
    return tmp_path


def test_control_characters_in_names_never_reach_the_terminal_or_the_log(odd_home):
    done = digest(odd_home, "ingest")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert_clean(done.stdout, "ingest stdout")
    assert_clean(done.stderr, "ingest stderr")
    assert "esc\\x1b[31mred\\x1b[0m_20250619.txt: read: not a text file" in done.stderr
    assert "inbox/gbk\\xc3\\xfb_20250621.txt" in done.stdout and "rtl\\u202eexe" in done.stdout
    as_json = digest(odd_home, "ingest", "--json")
    report = json.loads(as_json.stdout)  # valid JSON, control characters escaped by JSON itself
    assert len(report["skipped"]) == 4 and len(report["failures"]) == 1

    log = odd_home / "run.log"
    run = digest(odd_home, "run", "--once", "--settle", "0.2", env={"DIGEST_LOG_FILE": str(log)})
    assert "Traceback" not in run.stderr, run.stderr
    assert_clean(run.stderr, "run stderr")
    assert_clean(log.read_text(encoding="utf-8"), "the log file")
    status = digest(odd_home, "status")
    assert status.returncode == 0
    assert_clean(status.stdout, "status")
    assert "esc\\x1b[31mred" in status.stdout  # the failure is listed, escaped

    segment = digest(odd_home, "segment", str(odd_home / "inbox" / "bell\a_20250618.txt"))
    assert segment.returncode == 0, segment.stderr
    assert_clean(segment.stdout + segment.stderr, "segment")
    assert "bell\\x07_20250618.txt: 1 article(s)" in segment.stdout


# -- 17.11: long publication names ------------------------------------------------------------------

def test_a_long_publication_name_gives_bounded_unique_output_names(tmp_path):
    long = "很长的报纸名字" * 13  # 91 characters, 273 bytes of UTF-8: over NAME_MAX (255 bytes)
    other = long[:-1] + "报"  # the same first 90 characters
    assert len(long) == 91 and len(long.encode()) == 273
    page = tmp_path / "page_20250618.txt"
    page.write_text(GOOD, encoding="utf-8")
    stems = {}
    for pub in (long, other):
        ingest = digest(tmp_path, "ingest", "--paper", pub, str(page))
        assert ingest.returncode == 0, ingest.stderr
        for attempt in (1, 2):  # a rebuild reuses the same files, no twin
            build = digest(tmp_path, "build", "--paper", pub, "--date", "2025-06-18", "--json")
            assert build.returncode == 0 and "Traceback" not in build.stderr, build.stderr
            files = json.loads(build.stdout)["files"]
            assert attempt == 1 or json.loads(build.stdout)["reused"]
            names = {Path(p).name for p in files.values()}
            assert all(len(n.encode()) <= 255 - 16 for n in names), names
            assert all(Path(p).is_file() and "_2025-06-18." in Path(p).name for p in files.values())
            stems.setdefault(pub, set()).update(n.rsplit(".", 1)[0] for n in names)
    assert len(stems[long]) == 1 and len(stems[other]) == 1 and stems[long] != stems[other]
    assert len(list((tmp_path / "outbox").iterdir())) == 6


# -- 17.14: FIFOs, a 5 MB one-line page, a NUL-filled page, a huge id in a preview URL --------------

def test_a_fifo_never_hangs_a_command(tmp_path):
    fifo = tmp_path / "page_20250618.txt"
    os.mkfifo(fifo)  # nobody ever writes to it: opening it for reading would block forever
    for command in ("segment", "summarize"):
        done = digest(tmp_path, command, str(fifo), timeout=60)
        assert done.returncode == 2, done.stderr
        assert "page_20250618.txt: not a regular file: it is a FIFO (named pipe)" in done.stderr
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    os.mkfifo(inbox / "pipe.txt")
    (inbox / "page_20250618.txt").write_text(GOOD, encoding="utf-8")
    for args in (("ingest", str(fifo)), ("ingest",), ("run", "--once", "--settle", "0.2")):
        done = digest(tmp_path, *args, timeout=120)
        assert done.returncode in (1, 2) and "FIFO" in done.stderr + done.stdout, (args, done.stderr)
        assert "Traceback" not in done.stderr


def test_a_huge_one_line_page_and_a_nul_filled_page_are_named_for_what_they_are(tmp_path):
    line = "这是一行很长的文字，没有换行。"  # 45 bytes
    one_line = tmp_path / "oneline.txt"
    one_line.write_text(line * (5 * 2**20 // len(line.encode())), encoding="utf-8")  # 5 MB, no line break
    chars = f"{len(line) * (5 * 2**20 // len(line.encode())):,}"  # 1,747,620
    nul = tmp_path / "nul.txt"
    nul.write_bytes(bytes(2**20))
    cut = tmp_path / "cut.txt"
    cut.write_bytes(GOOD.encode() + bytes(2**16))  # a page cut short by a crash: NUL filler after it
    segment = digest(tmp_path, "segment", str(one_line))
    assert segment.returncode == 1, segment.stderr
    assert f"the page is one line of {chars} characters with no line break" in segment.stderr
    done = digest(tmp_path, "ingest", "--json", "--date", "2025-06-18", str(one_line), str(nul), str(cut))
    assert done.returncode == 1, done.stderr
    messages = {Path(f["path"]).name: f["message"] for f in json.loads(done.stdout)["failures"]}
    assert f"one line of {chars} characters" in messages["oneline.txt"]
    assert messages["nul.txt"] == "holds only NUL bytes (1,048,576 bytes), no text"
    assert messages["cut.txt"].startswith("mostly NUL bytes")
    assert not any("no article found" in m for m in messages.values()), messages


def test_a_huge_number_in_a_preview_url_is_a_404(tmp_path):
    from digest import pipeline
    from digest.config import load_settings
    from digest.preview import create_app

    settings = load_settings({"home": str(tmp_path)}, env={})
    store = pipeline.open_store(settings)
    page = tmp_path / "page_20250618.txt"
    page.write_text(GOOD, encoding="utf-8")
    [(issue_id, _)] = pipeline.ingest(store, settings, [page], jobs=1).ingested
    client = create_app(settings, store).test_client()
    huge = "99999999999999999999999"
    for url in (f"/article/{huge}", f"/issue/{huge}", f"/issue/{huge}/page/1/source",
                f"/issue/{issue_id}/page/{huge}/source", f"/article/{2**63}"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/issue/{issue_id}").status_code == 200


def test_a_page_with_a_long_file_name_goes_through_the_queue(tmp_path):
    """A 254-byte file name is read by `digest ingest`, so the queue's worker, which writes the
    job's bytes to a private temporary folder, must take it too (its copy once failed with
    'File name too long')."""
    name = "很长的文件名" * 13 + "abcdefg_20250618.txt"  # 234 + 20 = 254 bytes
    assert 250 < len(name.encode()) <= 255
    (tmp_path / name).write_text(GOOD, encoding="utf-8")
    queued = digest(tmp_path, "ingest", "--queue", "--json", name)
    assert queued.returncode == 0, queued.stderr
    worker = digest(tmp_path, "worker", "--drain", "--json")
    assert worker.returncode == 0 and json.loads(worker.stdout) == {"done": 1, "failed": 0}, worker.stderr

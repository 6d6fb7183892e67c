"""The CLI through click's CliRunner: JSON shapes (a public interface), exit codes, errors."""
from __future__ import annotations

import email
import email.policy
import io
import json
import shutil


from digest.cli import cli

from .conftest import REPO, SAMPLE


def test_every_command_has_help(run):
    top = run("--help")
    assert top.exit_code == 0
    for name in ("ingest", "build", "segment", "summarize", "send", "run", "status", "preview", "config"):
        assert name in top.output
        result = run(name, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output, name


def test_ingest_build_and_eml(run, tmp_path):
    res = run("ingest", str(SAMPLE), "--json")
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    assert report["ingested"][0]["date"] == "2025-06-18" and report["ingested"][0]["date_rule"] == "path"
    assert report["articles"] >= 6 and report["failures"] == []
    again = json.loads(run("ingest", str(SAMPLE), "--json").output)
    assert again["ingested"] == [] and len(again["skipped"]) == 1  # same bytes: a no-op

    res = run("build", "--date", "2025-06-18", "--json")
    assert res.exit_code == 0, res.output
    built = json.loads(res.output)
    assert set(built) >= {"digest_id", "publication", "from", "to", "articles", "front_page", "files", "reused"}
    assert built["front_page"][0]["summary"] and built["front_page"][0]["keywords"]
    head = built["front_page"][0]["headline"]
    assert set(head) == {"kickers", "main", "subtitles"} and head["main"] in built["front_page"][0]["title"]
    with open(built["files"]["eml"], "rb") as fh:
        msg = email.message_from_binary_file(fh, policy=email.policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    assert "聊城日报" in msg["Subject"] and msg["Message-ID"] and msg["Date"]
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert built["front_page"][0]["title"] in text and built["front_page"][0]["title"] in html
    # building the same range again reuses the files instead of writing twins
    again = json.loads(run("build", "--date", "2025-06-18", "--json").output)
    assert again["reused"] and again["files"] == built["files"]


def test_build_without_data_says_what_to_do(run):
    res = run("build")
    assert res.exit_code == 2 and "digest ingest" in res.output


def test_build_empty_range_exits_2(run):
    run("ingest", str(SAMPLE))
    res = run("build", "--date", "2001-01-01")
    assert res.exit_code == 2 and "no articles" in res.output


def test_bad_setting_is_named(run, monkeypatch):
    monkeypatch.setenv("DIGEST_SMTP_PORT", "seven")
    res = run("build")
    assert res.exit_code == 2 and "DIGEST_SMTP_PORT" in res.output


def test_partial_failure_exit_code_1(run, tmp_path):
    inbox = tmp_path / "in"
    shutil.copytree(SAMPLE, inbox / SAMPLE.name)
    (inbox / "broken_20250619.txt").write_bytes(b"%PDF-1.4 binary")
    res = run("ingest", str(inbox))
    assert res.exit_code == 1
    assert "broken_20250619.txt" in res.output and "PDF" in res.output


def test_segment_json_shape(run):
    res = run("segment", str(SAMPLE / "01.txt"), "--json")
    assert res.exit_code == 0
    data = json.loads(res.output)
    # the original fields stay; later fields are only ever added
    assert {"source", "issue_date", "articles"} <= set(data)
    assert {"date_rule", "date_evidence", "paper", "page_label", "furniture"} <= set(data)
    assert data["issue_date"] == "2025-06-18" and data["date_rule"] == "path"
    assert {f["text"] for f in data["furniture"]} >= {"扫码查看视频"}
    assert all(set(f) == {"line", "text", "reason"} and f["reason"] for f in data["furniture"])
    first = data["articles"][0]
    assert {"title", "byline", "kind", "body"} <= set(first)
    assert first["title"] == "水城老街改造完工 古巷焕发新活力" and first["byline"] == "李明远 王小禾"
    assert "\n" in first["body"] and "##" not in first["body"]
    bodies = "\n".join(a["body"] for a in data["articles"])
    assert "扫码查看视频" not in bodies and "攻坚二季度" not in bodies  # page furniture stays out
    assert bodies.count("改造工程坚持“修旧如旧”") == 1  # the repeated paragraph is dropped


def test_ingest_warns_when_the_date_is_a_guess(run, tmp_path):
    page = tmp_path / "undated.txt"  # no date in the name, none printed on the page
    page.write_text("河湾区启动雨污分流改造\n\n本报讯（记者 石青山）3月24日，河湾区启动改造。2025年，全区将完成改造。\n",
                    encoding="utf-8")
    res = run("ingest", str(page))
    assert res.exit_code == 0
    assert "2025-03-25 is a guess" in res.output and "--date" in res.output
    data = json.loads(run("ingest", str(page), "--date", "2025-03-26", "--json").output)
    assert data["skipped"]  # same bytes: already ingested
    page.write_text(page.read_text(encoding="utf-8") + "更正。\n", encoding="utf-8")
    [got] = json.loads(run("ingest", str(page), "--json").output)["ingested"]
    assert (got["date_rule"], got["date_guessed"]) == ("guess", True) and "3月24日" in got["date_evidence"]


def test_segment_explain_labels_every_line(run):
    text = (SAMPLE / "01.txt").read_text(encoding="utf-8")
    nonblank = [i + 1 for i, ln in enumerate(text.split("\n")) if ln.strip()]
    data = json.loads(run("segment", str(SAMPLE / "01.txt"), "--json", "--explain").output)
    assert [x["line"] for x in data["lines"]][:len(nonblank)] == nonblank[:len(data["lines"])]
    assert {x["line"] for x in data["lines"]} == set(nonblank)  # nothing silently dropped
    assert all(x["label"] and x["reason"] for x in data["lines"])
    heads = [x for x in data["lines"] if x["label"] == "headline"]
    assert heads and all(x["article"] is not None for x in heads)
    out = run("segment", str(SAMPLE / "01.txt"), "--explain").output
    assert "headline" in out and "furniture" in out and "←" in out


def test_summarize_json_and_options(run):
    data = json.loads(run("summarize", str(SAMPLE / "01.txt"), "--json", "--sentences", "1").output)
    for art in data["articles"]:
        assert len(art["summary"]) == 1 and art["summary"][0] in art["body"]
        assert art["keywords"]
    whole = json.loads(run("summarize", str(SAMPLE / "02.txt"), "--json", "--whole").output)
    assert len(whole["articles"]) == 1 and 1 <= len(whole["articles"][0]["summary"]) <= 3


def test_summarize_jsonl(run, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": "a", "text": "市图书馆今日起延长开放时间。读者可在晚上九点前借还图书。馆方表示，此举方便上班族。"},
                   ensure_ascii=False) + "\n" + "not json\n", encoding="utf-8")
    res = run("summarize", "--jsonl", str(src))
    assert res.exit_code == 1  # one bad line: partly done
    line = json.loads(res.output.splitlines()[0])
    assert line["id"] == "a" and line["summary"] and isinstance(line["keywords"], list)
    assert "line 2" in res.output


def test_config_hides_password(run, monkeypatch):
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", "s3cret-pw")
    res = run("config", "--json")
    assert res.exit_code == 0 and "s3cret-pw" not in res.output and json.loads(res.output)["smtp_password"] == "***"


def test_readme_documents_commands_and_settings():
    """The docs stay true to the code: every command and public setting is in the README."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"digest {name}" in readme, f"README does not mention `digest {name}`"
    for var in ("DIGEST_HOME", "DIGEST_INBOX", "DIGEST_DATABASE_URL", "DIGEST_OUTBOX", "DIGEST_PUBLICATION",
                "DIGEST_TIMEZONE", "DIGEST_FROM", "DIGEST_TO", "DIGEST_SMTP_HOST", "DIGEST_POLL_SECONDS",
                "DIGEST_SEND_CRON", "DIGEST_MISFIRE_GRACE_SECONDS", "DIGEST_LANGUAGE"):
        assert var in readme
    assert readme.splitlines()[3:5] == ["make demo   # install into .venv, ingest the sample issue in samples/, "
                                         "write its digest to outbox/, say where to look",
                                         "make test   # install everything the tests need (Debian chromium + CJK "
                                         "fonts included) and run them"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_and_plain_lines_in_a_log():
    from digest.progress import Progress

    tty = _Terminal()
    bar = Progress(tty)
    for done in range(4):
        bar("ingest", done, 3)
    shown = tty.getvalue()
    assert "ingest" in shown and "1/3" in shown and "3/3" in shown and "#" in shown
    assert shown.endswith("\n")  # the finished bar leaves the cursor on a fresh line

    log = io.StringIO()
    lines = Progress(log)
    for done in range(31):
        lines("ingest", done, 30)
    out = log.getvalue().splitlines()
    assert out[0] == "ingest: 0/30" and out[-1] == "ingest: 30/30"
    assert len(out) == 11 and "\r" not in log.getvalue()  # about every tenth, no carriage returns


def test_summarize_text_output_has_no_bare_keyword_mark(run, tmp_path):
    """A story with no keyword printed a lone '#' line."""
    page = tmp_path / "p.txt"
    page.write_text("通知\n\n今天下午三点开会，请大家准时参加。\n", encoding="utf-8")
    out = run("summarize", str(page)).output
    assert "今天下午三点开会" in out and not any(line.strip() == "#" for line in out.splitlines())

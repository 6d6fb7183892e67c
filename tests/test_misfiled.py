"""An issue whose masthead prints another paper than the one it is filed under by default
(DIGEST_PUBLICATION): warned at ingest, listed by `digest status` and `ingest --json`, never
switched silently; `digest issues remove ID` takes it out (not a delivered one without --force)."""
from __future__ import annotations

import json


from digest.config import load_settings
from digest.store import Store

# an invented page of an invented paper: masthead, printed date, 版 label, one story
DONGLING = ("东岭晚报\n2025年7月18日 星期五\n第3版\n\n水城夜市开市\n\n"
            "本报讯（记者 王五）6月17日晚，水城夜市正式开市，两百余个摊位吸引市民前来。"
            "夜市设置了美食区、文创区和亲子区，营业至晚上十一点。\n\n"
            "市商务局负责人介绍，夜市将持续到十月底，周末还将举办街头演出。\n")


def page(tmp_path, rel="upload/dl.txt", text=DONGLING):
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_printed_paper_differs_from_default_publication_is_warned_and_listed(run, tmp_path):
    path = page(tmp_path)
    res = run("ingest", str(path))
    assert res.exit_code == 0, res.output
    warning = next(line for line in res.stderr.splitlines() if line.startswith("warning:"))
    assert "dl.txt" in warning and "东岭晚报" in warning and "聊城日报" in warning
    assert "--paper NAME" in res.stderr and "inbox/<NAME>/" in res.stderr
    assert "--paper 东岭晚报" in res.stderr
    status = run("status")
    assert "东岭晚报" in status.output and "filed under" in status.output
    data = json.loads(run("status", "--json").output)
    assert data["paper_mismatches"][0]["issue_id"] == 1
    # never switched silently: it stays filed under the default paper until the user says otherwise
    store = Store(load_settings({"home": str(tmp_path)}, env={}).database_url)
    assert [r["publication"] for r in store.list_issues()] == ["聊城日报"]


def test_ingest_json_adds_paper_mismatches(run, tmp_path):
    res = run("ingest", str(page(tmp_path)), "--json")
    report = json.loads(res.stdout)
    assert set(report) >= {"ingested", "skipped", "articles", "failures"}  # the old fields stay
    (m,) = report["paper_mismatches"]
    assert m["id"] == report["ingested"][0]["id"] and m["printed_paper"] == "东岭晚报"
    assert m["publication"] == "聊城日报" and m["sources"]


def test_no_warning_when_the_paper_is_named(run, tmp_path):
    res = run("ingest", "--paper", "东岭晚报", str(page(tmp_path)), "--json")
    assert json.loads(res.stdout)["paper_mismatches"] == []
    res = run("ingest", str(page(tmp_path, "inbox/东岭晚报/2025-07-18/01.txt")), "--json")
    assert json.loads(res.stdout)["paper_mismatches"] == []
    res = run("--publication", "东岭晚报", "ingest", str(page(tmp_path, "other/dl.txt", DONGLING + "\n又一段。\n")),
              "--json")
    assert json.loads(res.stdout)["paper_mismatches"] == []


def test_issues_remove_and_refuses_a_delivered_one(run, tmp_path):
    run("ingest", str(page(tmp_path)))
    assert "东岭晚报" not in run("issues", "list").output and "1" in run("issues", "list").output
    built = json.loads(run("build", "--date", "2025-07-18", "--json").stdout)
    store = Store(load_settings({"home": str(tmp_path)}, env={}).database_url)
    store.mark_dispatched(built["digest_id"])
    refused = run("issues", "remove", "1")
    assert refused.exit_code == 2 and "--force" in refused.output and "went to readers" in refused.output
    assert store.issue_row(1) is not None
    done = run("issues", "remove", "1", "--force", "--json")
    assert done.exit_code == 0 and json.loads(done.stdout)["digests"] == [built["digest_id"]]
    assert store.issue_row(1) is None and store.issue_articles(1) == []
    assert "filed under" not in run("status").output
    again = run("issues", "remove", "1")
    assert again.exit_code == 2 and "no issue 1" in again.output
    # filed again under its own paper
    res = run("ingest", "--paper", "东岭晚报", str(page(tmp_path)), "--json")
    assert json.loads(res.stdout)["ingested"]
    assert [r["publication"] for r in store.list_issues()] == ["东岭晚报"]


def test_removing_a_correction_brings_back_the_previous_version(run, tmp_path):
    path = page(tmp_path, "inbox/2025-07-18/01.txt")
    run("ingest", "--paper", "东岭晚报", str(path))
    path.write_text(DONGLING + "\n更正：夜市营业至晚上十点。\n", encoding="utf-8")
    run("ingest", "--paper", "东岭晚报", str(path))
    store = Store(load_settings({"home": str(tmp_path)}, env={}).database_url)
    (live,) = store.list_issues()
    res = run("issues", "remove", str(live["id"]))
    assert res.exit_code == 0 and "live again" in res.output
    assert [r["id"] for r in store.list_issues()] != [live["id"]] and len(store.list_issues()) == 1

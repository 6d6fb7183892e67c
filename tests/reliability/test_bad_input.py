"""Bad input: each gets a clear error naming the file, and the rest of the issue goes on."""
from __future__ import annotations

import datetime as dt
import io
import os
import zipfile

import pytest

from digest import pipeline
from digest.ingest import discover, read_issue

GOOD = ("## 水城夜市开市\n\n本报讯（记者 王五）6月17日晚，水城夜市正式开市，两百余个摊位吸引市民前来。"
        "夜市设置了美食区、文创区和亲子区，营业至晚上十一点。\n\n"
        "市商务局负责人介绍，夜市将持续到十月底，周末还将举办街头演出。\n")
TRAD = ("## 水城夜市開市\n\n本報訊（記者 王五）6月17日晚，水城夜市正式開市，兩百餘個攤位吸引市民前來。"
        "夜市設置了美食區、文創區和親子區，營業至晚上十一點。\n\n"
        "市商務局負責人介紹，夜市將持續到十月底，週末還將舉辦街頭演出。\n")
DAY = dt.date(2025, 6, 18)


def _ingest(settings, store, *paths, **kw):
    return pipeline.ingest(store, settings, [str(p) for p in paths], jobs=1, **kw)


def _failure_for(report, name):
    hits = [f for f in report.failures if f.path.endswith(name)]
    assert hits, f"no failure reported for {name}: {report.failures}"
    return hits[0]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "big5", "utf-16", "utf-16-le"])
def test_encodings_are_detected_and_recorded(settings, store, tmp_path, encoding):
    text = TRAD if encoding == "big5" else GOOD
    folder = tmp_path / "2025-06-18"
    folder.mkdir()
    data = text.encode(encoding)
    (folder / "01.txt").write_bytes(data)
    report = _ingest(settings, store, folder)
    assert report.exit_code == 0, report.failures
    [(issue_id, issue)] = report.ingested
    expected = {"gbk": {"gb18030"}, "gb18030": {"gb18030"}, "big5": {"big5", "cp950", "big5hkscs"}}
    assert issue.pages[0].encoding.replace("_", "-").lower() in expected.get(encoding, {encoding})
    [art] = store.issue_articles(issue_id)
    assert "夜市" in art.article.body and "\ufeff" not in art.article.body


def _zip_bytes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("page.txt", GOOD)
    return buf.getvalue()


BAD = {
    "scan.pdf.txt": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    "photo.txt": (b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG"),
    "archive.txt": (_zip_bytes(), "zip"),
    "empty.txt": (b"", "empty"),
    "blank.txt": (b" \n\n\t  \n", "whitespace"),
    "garbage.txt": (bytes(range(256)) * 40, "binary"),
    "latin-garbage.txt": (bytes(range(128, 256)) * 40, "decode"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_non_text_is_reported_and_the_rest_goes_on(settings, store, tmp_path, name):
    data, words = BAD[name]
    folder = tmp_path / "2025-06-18"
    folder.mkdir()
    (folder / "01.txt").write_text(GOOD, encoding="utf-8")
    (folder / name).write_bytes(data)
    report = _ingest(settings, store, folder)
    assert report.exit_code == 1
    failure = _failure_for(report, name)
    assert words.lower() in (failure.message + failure.hint).lower()
    [(issue_id, issue)] = report.ingested
    assert len(issue.pages) == 1 and store.issue_articles(issue_id)
    assert store.recent_failures()[0]["path"].endswith(name)  # recorded for `digest status`


def test_only_furniture_is_reported(settings, store, tmp_path):
    f = tmp_path / "page_20250618.txt"
    f.write_text("攻坚三季度\n\n扫码查看视频\n\n(上接3版)\n", encoding="utf-8")
    report = _ingest(settings, store, f)
    failure = _failure_for(report, "page_20250618.txt")
    assert failure.stage == "segment" and "no article" in failure.message


def test_file_over_size_limit(settings, store, tmp_path):
    from digest.config import load_settings

    small = load_settings({"home": str(settings.home), "max_file_mb": "1"}, env={})
    big = tmp_path / "big_20250618.txt"
    with open(big, "w", encoding="utf-8") as fh:
        for _ in range(60_000):
            fh.write("这是一个很长的版面，内容不断重复。\n")
    report = pipeline.ingest(store, small, [str(big)], jobs=1)
    failure = _failure_for(report, "big_20250618.txt")
    assert "limit" in failure.message and "DIGEST_MAX_FILE_MB" in failure.hint
    assert report.exit_code == 2


def test_fifty_megabyte_file_is_refused_by_default_limit(settings, store, tmp_path):
    big = tmp_path / "huge_20250618.txt"
    with open(big, "wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: costs no disk
    report = _ingest(settings, store, big)
    assert "50.0 MB" in _failure_for(report, "huge_20250618.txt").message


def test_long_lines_control_characters_and_odd_names(settings, store, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "有 空格 的 名字.txt").write_text(GOOD, encoding="utf-8")
    (folder / "no_extension").write_text(GOOD.replace("水城", "临清"), encoding="utf-8")
    (folder / "long.txt").write_text("## 长行\n\n" + "很长的一句话没有换行，" * 20000 + "结束。\n", encoding="utf-8")
    (folder / "long_paragraph.txt").write_text("## 长段\n\n" + "很长的一句话没有换行，" * 4000 + "结束。\n", encoding="utf-8")
    (folder / "ctrl.txt").write_text(GOOD.replace("夜市", "夜\x07市\x00", 1).replace("市商务局", "市\x1b商务局"),
                                     encoding="utf-8")
    report = _ingest(settings, store, folder, date=DAY)
    # all read; a line of 220,003 characters (more than several pages) is also named for what it is
    [warning] = report.failures
    assert warning.path.endswith("long.txt") and "one line of 220,003 characters" in warning.message
    assert len(report.ingested) == 5
    bodies = [a.article.body for i, _ in report.ingested for a in store.issue_articles(i)]
    assert not any(ch in b for b in bodies for ch in "\x00\x07\x1b")


def test_partial_file_is_ignored_and_vanishing_file_reported(settings, store, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "incoming.txt.part").write_text(GOOD, encoding="utf-8")
    gone = folder / "gone.txt"
    gone.write_text(GOOD, encoding="utf-8")
    [source] = [s for s in discover([folder])]
    gone.unlink()  # disappears between listing and reading
    issue, failures = read_issue(source, "聊城日报", DAY, 10**6)
    assert issue is None and "disappeared" in failures[0].message and failures[0].path.endswith("gone.txt")


@pytest.mark.skipif(os.geteuid() == 0, reason="running as root: file permissions are not enforced")
def test_unreadable_file(settings, store, tmp_path):
    f = tmp_path / "locked_20250618.txt"
    f.write_text(GOOD, encoding="utf-8")
    f.chmod(0)
    report = _ingest(settings, store, f)
    assert "permission" in _failure_for(report, "locked_20250618.txt").message


def test_symlink_outside_inbox_not_followed(settings, store, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(GOOD, encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "link.txt").symlink_to(secret)
    report = _ingest(settings, store, inbox)
    assert report.ingested == [] and "outside the inbox" in _failure_for(report, "link.txt").message


SHAPES = {
    "no_headline": "本报讯 6月17日，记者从市气象局获悉，今年入汛以来全市降水偏多两成。气象部门提醒市民注意防范强降雨。\n",
    "one_paragraph": "".join(f"第{i}项工作稳步推进，取得明显成效。" for i in range(400)) + "\n",
    "one_sentence": "## 一句话新闻\n\n本报讯 市图书馆今日起延长开放时间。\n",
    "traditional": "## 臺北書展開幕\n\n本報訊 第三十屆書展今日開幕，吸引大批讀者參觀。主辦單位表示，今年參展出版社超過五百家。\n",
    "mixed": "## AI 助力农业\n\n本报讯 高唐县引入 AI 识别系统 (version 2.0)，对 1,200 亩农田进行 real-time 监测。"
             "The system was built by a local team. 农民通过 App 即可查看苗情。\n",
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_text_shapes_give_whole_sentence_summaries(settings, store, tmp_path, shape):
    f = tmp_path / f"{shape}_20250618.txt"
    f.write_text(SHAPES[shape], encoding="utf-8")
    report = _ingest(settings, store, f)
    assert report.failures == []
    [(issue_id, _)] = report.ingested
    arts = store.issue_articles(issue_id)
    assert arts
    for a in arts:
        for sentence in a.summary.sentences:
            assert sentence in a.article.body


@pytest.mark.timeout(120)
def test_two_thousand_sentence_article(settings, store, tmp_path):
    body = "".join(f"第{i}个村庄完成了道路硬化和路灯安装工程，村民出行更加方便。" for i in range(2000))
    f = tmp_path / "long_20250618.txt"
    f.write_text("## 全市农村道路建设纪实\n\n本报讯（记者 张三）" + body + "\n", encoding="utf-8")
    report = _ingest(settings, store, f)
    [(issue_id, _)] = report.ingested
    [a] = store.issue_articles(issue_id)
    assert 1 <= len(a.summary.sentences) <= 3 and all(s in a.article.body for s in a.summary.sentences)

"""The segmentation scorer, on a tiny synthetic gold file and (when present) on the real seeds."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from digest.reading.repair import key
from digest.eval.segmentation import evaluate, norm_title
from digest.reading import read_text

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FIX = Path(__file__).resolve().parent / "fixtures" / "segment"


def _gold_for_fixture(tmp_path: Path) -> Path:
    lines = (FIX / "bylines_page.txt").read_text(encoding="utf-8").split("\n")
    no = {ln: i + 1 for i, ln in reversed(list(enumerate(lines)))}
    first = next(ln for ln in lines if ln.startswith("本报河湾讯"))
    second = next(ln for ln in lines if ln.startswith("本报北港讯"))
    last = next(ln for ln in lines if ln.startswith("北港镇夜市开张后"))
    dup_no = max(i + 1 for i, ln in enumerate(lines) if ln == last)  # the repeated copy
    gold = {"bylines_page.txt": {"page_furniture_line_nos": [no["夏季攻势"], no["扫码观看视频"]], "articles": [
        {"index": 0, "title": "河湾区推进老旧小区改造 | 年内完成改造小区四十个", "byline": "蒋明 郑云", "kind": "news",
         "first_line": first, "first_line_no": no[first], "last_line_no": no["逐步推开, 居民满意度不断提升。"],
         "title_line_nos": [], "extra_line_nos": [], "duplicate_of": None, "dateline": None},
        {"index": 1, "title": "北港镇夜市开张 烟火气带旺人气", "byline": "孔亮", "kind": "news",
         "first_line": second, "first_line_no": no[second], "last_line_no": no[last],
         "title_line_nos": [], "extra_line_nos": [], "duplicate_of": None, "dateline": "6月12日"},
        {"index": 2, "title": None, "byline": None, "kind": "news", "first_line": last,
         "first_line_no": dup_no, "last_line_no": dup_no,
         "title_line_nos": [], "extra_line_nos": [], "duplicate_of": 1, "dateline": None},
        {"index": 3, "title": "只有标题", "byline": None, "kind": "news", "first_line": None, "first_line_no": None,
         "last_line_no": None, "body_in_file": False, "duplicate_of": None, "dateline": None},
    ]}}
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    return path


def test_evaluate_synthetic_gold(tmp_path):
    res = evaluate(_gold_for_fixture(tmp_path), FIX)
    assert res["gold_articles"] == 2  # duplicate and body-less headline blocks are not expected
    assert res["f1"] == 1.0 and res["title_accuracy"] == 1.0 and res["byline_accuracy"] == 1.0
    assert res["mismatches"] == []


def test_evaluate_reports_mismatches(tmp_path):
    gold_path = _gold_for_fixture(tmp_path)
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    gold["bylines_page.txt"]["articles"][1]["title"] = "别的标题"
    gold["bylines_page.txt"]["articles"][1]["byline"] = "某人"
    gold_path.write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    res = evaluate(gold_path, FIX)
    assert res["title_accuracy"] == 0.5 and res["byline_accuracy"] == 0.5
    assert {m["problem"] for m in res["mismatches"]} == {"title", "byline"}


def test_norm_title_ignores_spacing_and_punctuation_width():
    assert norm_title('临清市"技防+心防" 筑牢') == norm_title("临清市“技防+心防”筑牢")
    assert norm_title("甲 | 乙") != norm_title("甲乙")


def test_command_line(tmp_path):
    out = subprocess.run([sys.executable, "-m", "digest.eval.segmentation", str(_gold_for_fixture(tmp_path)),
                          str(FIX), "--json"], capture_output=True, text=True, cwd=ROOT, check=True)
    assert json.loads(out.stdout)["f1"] == 1.0


needs_shared = pytest.mark.skipif(not SHARED.exists(), reason="../shared corpus not present (user clone)")


@needs_shared
def test_seeds_meet_the_bar():
    gold_path = SHARED / "corpus" / "seeds_gold.json"
    pages = SHARED / "corpus" / "seeds"
    res = evaluate(gold_path, pages)
    assert res["f1"] >= 0.99, res["mismatches"]
    assert res["title_accuracy"] >= 0.95, res["mismatches"]
    assert res["byline_accuracy"] >= 0.95, res["mismatches"]
    assert res["furniture_leaks"] == 0, res["mismatches"]
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    for name, g in gold.items():
        text = (pages / name).read_text(encoding="utf-8")
        lines = text.split("\n")
        parse = read_text(text, source=name)
        arts = [a for a in parse.articles if a.duplicate_of is None]
        skip = set(g.get("page_furniture_line_nos") or [])
        gold_text = "\n".join(lines[i - 1] for a in g["articles"] if a.get("first_line_no")
                              for i in range(a["first_line_no"], a["last_line_no"] + 1) if i not in skip)
        for f in g.get("page_furniture") or []:
            fk = key(f)
            allowed = key(gold_text).count(fk)  # a column name may be quoted inside a story
            assert sum(key(a.body).count(fk) for a in arts) <= allowed, (name, f)
        seen: set[str] = set()
        for a in arts:
            for p in a.paragraphs:
                k = key(p)
                if len(k) >= 10:
                    assert k not in seen, (name, p[:30])
                    seen.add(k)


@needs_shared
def test_styles_meet_the_bar():
    """Pages in the shapes of other papers and tools: the reader must not be tuned to one paper."""
    res = evaluate(SHARED / "corpus" / "styles_gold.json")  # pages folder found beside the gold file
    assert res["f1"] >= 0.95, res["mismatches"]
    assert res["title_accuracy"] >= 0.90, res["mismatches"]
    assert res["byline_accuracy"] >= 0.90, res["mismatches"]
    assert res["furniture_leaks"] == 0, res["mismatches"]
    # every page prints its date, and gets exactly that date (never one of an event in a story)
    assert res["dates_printed"] == res["dates_printed_right"] == 10, res["mismatches"]


def test_command_line_takes_several_gold_files(tmp_path):
    gold = _gold_for_fixture(tmp_path)
    out = subprocess.run([sys.executable, "-m", "digest.eval.segmentation", str(gold), str(FIX), str(gold), str(FIX),
                          "--json"], capture_output=True, text=True, cwd=ROOT, check=True)
    results = json.loads(out.stdout)
    assert len(results) == 2 and all(r["f1"] == 1.0 for r in results)


# The held-out sets of invented pages kept in the repo, each annotated by a tester apart from the
# reader's development and first scored before any rule was written from it (first score in
# brackets); their misses made the general rules since, so they are regression sets now:
# pages  (14, 0.655): an OCR dump, a crawler's Markdown, an HTML e-paper page, Taiwan and Hong
#        Kong web copies, pages without blank lines, numbered briefs, a Q&A interview …
# pages2 (13, 0.807): MinerU/Docling Markdown, pdfplumber columns, WeChat posts, a Singapore web
#        copy, a weekly, field-labelled exports, 【】 headlines, court notices, a 副刊
# pages3 (12, 0.747): an app copy, a trade paper, a county bulletin, a university paper, portal
#        copies, OCR read across columns, Q&A, run-in briefs, notices, dash decks, jumps, trafilatura
# pages4 (10, 0.733): a 法治 page, doctors' Q&A, a 财经 page with a table, a 农村 paper, a 老年 page,
#        a 侨报, 来源 lines on top, a PDF-to-text dump, rule-separated numbered stories, a 文摘 page
# pages5 (12, 0.674): a 民生 hotline page, an 教育 page with an official notice, a 环球 page of wire
#        datelines, a 科技 page in narrow columns, a 健康 page with 〓 headlines and ◎ cross-heads, a
#        reader app's export, advertorials, readers' letters sent as e-mail, a Word export with
#        paragraph styles, an OCR 纪念 page, photo news, a Kindle clippings export
# pages6 (12, 0.690): common shapes — a 党报 要闻 page, a 晚报 social-news page, a 县级融媒体 paper in
#        narrow columns, an 经济 page with a chart, a 体育 page with a table, a 副刊, a 法治 page, a
#        sponsored 专刊, an opinion page, a web copy, pdftotext -layout of four columns, an OCR scan
HELD_OUT_BARS = [  # gold file, F1, titles, bylines, furniture leaks at most
    ("pages_gold.json", 0.9, 0.85, 0.9, 2),
    ("pages2_gold.json", 0.93, 0.9, 0.95, 5),
    ("pages3_gold.json", 0.93, 0.9, 0.95, 5),
    ("pages4_gold.json", 0.85, 0.0, 0.8, 8),
    ("pages5_gold.json", 0.8, 0.85, 0.9, 3),
    ("pages6_gold.json", 0.83, 0.75, 0.9, 14),
]


@pytest.mark.parametrize("gold, f1, titles, bylines, leaks", HELD_OUT_BARS)
def test_held_out_sets_meet_their_bars(gold, f1, titles, bylines, leaks):
    res = evaluate(FIX.parent / gold)
    assert res["f1"] >= f1, res["mismatches"]
    assert res["title_accuracy"] >= titles, res["mismatches"]
    assert res["byline_accuracy"] >= bylines, res["mismatches"]
    assert res["furniture_leaks"] <= leaks, res["mismatches"]
    assert res["dates_printed_right"] == res["dates_printed"], res["mismatches"]


@needs_shared
def test_pdfs_meet_the_bar():
    """E-paper PDFs read through the same labeller with type sizes: jumps joined across pages."""
    res = evaluate(SHARED / "corpus" / "pdf_gold.json")
    assert res["f1"] >= 0.98, res["mismatches"]
    assert res["title_accuracy"] >= 0.95, res["mismatches"]
    assert res["byline_accuracy"] >= 0.95, res["mismatches"]
    assert res["furniture_leaks"] == 0, res["mismatches"]
    assert res["dates_printed"] == res["dates_printed_right"] == 3, res["mismatches"]

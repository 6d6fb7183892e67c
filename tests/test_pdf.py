"""The PDF reader: glyphs -> lines -> blocks -> reading order, furniture, masthead facts, bad PDFs."""
from __future__ import annotations

import json
import re

import pytest

from digest.errors import InputError
from digest.reading.lines import Document
from digest.reading.pdf import (OCR_HINT, PdfBrokenError, PdfEncryptedError, PdfError, document_text, pdf_source,
                                read_pdf, split_source)
from tests import pdf_fixtures as F


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    d = tmp_path_factory.mktemp("pdfs")
    good = F.multicolumn_pdf(d / "chunxi_p02.pdf")
    return {
        "multicolumn": good,
        "jump": F.jump_pdf(d / "jump.pdf"),
        "scan": F.scanned_pdf(d / "scan.pdf", pages=2),
        "mixed": F.mixed_pdf(d / "mixed.pdf"),
        "encrypted": F.encrypted_pdf(d / "locked.pdf"),
        "truncated": F.truncated_pdf(d / "cut.pdf", good),
        "broken": F.broken_pdf(d / "broken.pdf"),
    }


@pytest.fixture(scope="module")
def front(pdfs) -> Document:
    docs = list(read_pdf(pdfs["multicolumn"]))
    assert len(docs) == 1
    return docs[0]


def _content(doc: Document) -> list:
    return [ln for ln in doc.lines if not ln.furniture]


def test_masthead_gives_date_label_and_paper(front):
    assert front.format == "pdf" and front.width == pytest.approx(842) and front.body_size == pytest.approx(10)
    assert front.meta["date"] == "2025-06-18"
    assert front.meta["page_label"] == "第02版" and front.meta["page_number"] == 2
    assert front.meta["paper"] == "春溪日报"


def test_header_footer_and_labels_are_furniture_with_reasons(front):
    furn = {_key(ln.text): ln.furniture for ln in front.lines if ln.furniture}
    assert "春溪日报" in furn and furn["春溪日报"].startswith("header")
    assert any("责任编辑" in t for t in furn) and any("社址" in t and v.startswith("footer") for t, v in furn.items())
    assert furn["简讯"] == "label on a coloured band"
    body = "".join(_key(ln.text) for ln in _content(front))
    for stray in ("责任编辑", "社址", "定价", "简讯"):
        assert stray not in body


def test_columns_are_read_in_order_never_interleaved(front):
    """The lead's three columns read as its paragraphs, one after another, and no line mixes
    text of two columns or two stories."""
    content = _content(front)
    text = "".join(_key(ln.text) for ln in content)
    lead = "".join(_key(p) for p in F.LEAD_PARAS)
    side = "".join(_key(p) for p in F.SIDE_PARAS)
    assert lead in text and side in text
    stories = [lead, side, "".join(_key(p) for p in F.SECOND_PARAS + F.SECOND_MORE),
               "".join(_key(b) for pair in F.BRIEFS for b in pair), _key(F.LEAD_BYLINE), _key(F.SIDE_BYLINE)]
    for ln in content:
        if not ln.heading:
            assert any(_key(ln.text) in s for s in stories), ln.text


def test_headings_by_type_size_and_headline_parts(front):
    by_text = {_key(ln.text): ln for ln in front.lines}
    head, kicker = by_text[F.LEAD_HEAD], by_text[F.LEAD_KICKER]
    assert head.heading == 1 and head.size == pytest.approx(30)
    assert kicker.heading == 1 and kicker.size < head.size  # a big 引题 is a headline part; its size tells it apart
    assert head.centred and kicker.centred
    assert by_text[_key(F.LEAD_BYLINE)].heading == 0
    assert by_text[_key(F.SECOND_SUB)].heading == 2 and by_text[F.SECOND_HEAD].heading == 1  # ——副题 a part of its own
    assert by_text[_key(F.SECOND_SUB)].block != by_text[F.SECOND_HEAD].block
    assert by_text[F.SECOND_CROSSHEAD].heading == 3
    # reading order: kicker, headline, byline, then the story's first paragraph
    order = [_key(ln.text) for ln in _content(front)]
    i = order.index(F.LEAD_KICKER)
    assert order[i + 1] == F.LEAD_HEAD and order[i + 2] == _key(F.LEAD_BYLINE)
    assert _key(F.LEAD_PARAS[0]).startswith(order[i + 3])


def test_line_features(front):
    lines = _content(front)
    # running text comes one line per paragraph (a column break cuts one in two), its first-line
    # indent kept: two ems = 4 columns
    paras = [ln for ln in lines if any(_key(p).startswith(_key(ln.text)) for p in F.LEAD_PARAS) and not ln.heading]
    assert len(paras) == len(F.LEAD_PARAS) and all(ln.indent == 4 for ln in paras)
    assert _key(paras[-1].text) == _key(F.LEAD_PARAS[-1])
    assert all(ln.page == 1 and ln.x0 < ln.x1 and ln.top < ln.bottom and ln.block is not None for ln in front.lines)
    assert [ln.no for ln in front.lines] == list(range(1, len(front.lines) + 1))
    blocks = [ln.blank_before for ln in front.lines]
    assert blocks[0] == 0 and sum(blocks) >= 10


def test_page_text_keeps_every_line(front):
    text = document_text(front)
    assert text.split("\n")[0] == front.lines[0].text
    assert len([t for t in text.split("\n") if t]) == len(front.lines)
    assert "责任编辑" not in document_text(front, furniture=False)


def test_jump_is_joined_and_running_header_recurs(pdfs):
    from digest import ingest, pipeline

    docs = list(read_pdf(pdfs["jump"]))
    assert [d.source for d in docs] == [pdf_source(pdfs["jump"], 1), pdf_source(pdfs["jump"], 2)]
    for d in docs:
        furn = [ln for ln in d.lines if ln.furniture]
        assert any(ln.furniture.endswith("recurs on other pages") for ln in furn), d.source
        assert d.meta["date"] == "2025-06-19"
    assert [d.meta["page_number"] for d in docs] == [1, 2]
    pages, failures = ingest.read_pdf_pages(pdfs["jump"])
    assert not failures and [p.number for p in pages] == [1, 2] and pages[0].encoding == "pdf"
    articles, _ = pipeline.segment_pages(pages)
    story = [a for a in articles if F.JUMP_HEAD in (a.title or "")]
    assert len(story) == 1
    body = _key(story[0].body)
    assert _key(F.JUMP_PART1[0]) in body and _key(F.JUMP_PART2[1]) in body
    assert "下转" not in body and "上接" not in body


def test_split_source():
    assert split_source("/in/2025-06-18.pdf#page=3") == ("/in/2025-06-18.pdf", 3)
    assert split_source("/in/page.txt") is None


def test_image_only_pages_say_run_ocr(pdfs):
    docs = list(read_pdf(pdfs["scan"]))
    assert len(docs) == 2 and all(not d.lines for d in docs)
    assert all(d.meta["problem"].startswith("no text layer") and d.meta["hint"] == OCR_HINT for d in docs)
    assert "ocrmypdf" in OCR_HINT


@pytest.mark.parametrize("kind, error", [("encrypted", PdfEncryptedError), ("broken", PdfBrokenError),
                                         ("truncated", PdfError)])
def test_bad_pdfs_raise_an_input_error_naming_the_file(pdfs, kind, error):
    try:
        docs = list(read_pdf(pdfs[kind]))
    except error as exc:
        assert isinstance(exc, InputError) and exc.path == str(pdfs[kind])
        assert str(pdfs[kind]) in str(exc) and exc.hint
        return
    # PDFium repairs some truncated files: then every page it cannot read says why
    assert kind == "truncated"
    assert all(d.lines or d.meta.get("problem") for d in docs)


def test_ingest_reports_bad_pdfs_and_goes_on(pdfs, settings, store, tmp_path):
    from digest import pipeline

    inbox = tmp_path / "2025-06-18"
    inbox.mkdir()
    for name in ("multicolumn", "mixed", "encrypted", "scan", "broken"):
        (inbox / f"{name}.pdf").write_bytes(pdfs[name].read_bytes())
    report = pipeline.ingest(store, settings, [inbox], jobs=1)
    assert report.exit_code == 1 and len(report.ingested) == 1
    fails = {f.path.rsplit("/", 1)[-1]: f for f in report.failures}
    assert fails["mixed.pdf#page=2"].hint == OCR_HINT
    scan = fails["scan.pdf"]
    assert "no text layer on any of its 2 page(s)" in scan.message and "ocrmypdf" in scan.hint
    assert "encrypted" in fails["encrypted.pdf"].message
    assert "broken.pdf" in fails
    issue_id, issue = report.ingested[0]
    # files in name order; both print 第02版, so the pages keep their running numbers
    got = [(p.source, p.number) for p in issue.pages]
    assert [n for _, n in got] == [1, 2]
    assert got[0][0].endswith("mixed.pdf#page=1") and got[1][0].endswith("multicolumn.pdf#page=1")
    titles = [s.article.title for s in store.issue_articles(issue_id)]
    assert any(F.LEAD_HEAD in (t or "") for t in titles)
    stored = store.issue_pages(issue_id)
    assert "溪口镇" in stored[0]["text"] and stored[0]["encoding"] == "pdf"


def test_undated_pdf_takes_the_masthead_date(pdfs, settings, store, tmp_path):
    from digest import pipeline

    f = tmp_path / "upload.pdf"
    f.write_bytes(pdfs["multicolumn"].read_bytes())
    report = pipeline.ingest(store, settings, [f], jobs=1)
    (_, issue), = report.ingested
    assert issue.date.isoformat() == "2025-06-18" and issue.date_rule == "printed"
    assert issue.pages[0].number == 2  # numbered by its 版 label


def test_character_repair_inside_pdfs(tmp_path):
    import pypdfium2 as pdfium

    path = F.radicals_pdf(tmp_path / "radicals.pdf", "今⽇上午⼀批村⺠来到⻘柳村")
    tp = pdfium.PdfDocument(str(path))[0].get_textpage()
    assert "⽇" in tp.get_text_range()  # the PDF really carries the radical
    (doc,) = read_pdf(path)
    assert doc.lines[0].text == "今日上午一批村民来到青柳村"


def test_cli_segment_and_summarize_read_pdfs(pdfs):
    from click.testing import CliRunner

    from digest.cli import cli

    runner = CliRunner()
    res = runner.invoke(cli, ["segment", str(pdfs["multicolumn"]), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["issue_date"] == "2025-06-18"
    assert any(F.LEAD_HEAD in (a["title"] or "") and a["page"] == 2 for a in out["articles"])
    res = runner.invoke(cli, ["segment", str(pdfs["mixed"])])
    assert res.exit_code == 1 and "#page=2" in res.stderr and "ocrmypdf" in res.stderr
    res = runner.invoke(cli, ["segment", str(pdfs["scan"])])
    assert res.exit_code == 2 and "no text layer" in res.output and "ocrmypdf" in res.output
    res = runner.invoke(cli, ["segment", str(pdfs["encrypted"])])
    assert res.exit_code == 2 and str(pdfs["encrypted"]) in res.output and "encrypted" in res.output
    res = runner.invoke(cli, ["summarize", str(pdfs["multicolumn"]), "--json", "-n", "1"])
    assert res.exit_code == 0, res.output
    arts = json.loads(res.stdout)["articles"]
    assert arts and all(len(a["summary"]) <= 1 for a in arts)


def test_read_pdf_streams(pdfs, tmp_path, monkeypatch):
    """The first page comes out before the whole file is read (memory stays flat)."""
    from digest.reading import pdf as pdfmod

    path = F.jump_pdf(tmp_path / "long.pdf", pages=8)
    loaded = []
    real = pdfmod._load
    monkeypatch.setattr(pdfmod, "_load", lambda pdf, i, p: loaded.append(i) or real(pdf, i, p))
    it = read_pdf(path)
    first = next(it)
    assert first.meta["pdf_page"] == 1 and len(loaded) == 3  # the page and a look-ahead of two
    assert len(list(it)) == 7 and len(loaded) == 8

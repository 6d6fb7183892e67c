"""The preview's source view of a PDF page: the page image with each article's boxes on it."""
from __future__ import annotations

import re

import pytest

from digest import pipeline
from digest.preview import create_app
from tests import pdf_fixtures as F
from tests.test_preview import make_settings


@pytest.fixture(scope="module")
def pdf_issue(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    inbox = home / "2025-06-18"
    inbox.mkdir()
    F.multicolumn_pdf(inbox / "chunxi_p02.pdf")
    settings = make_settings(home)
    store = pipeline.open_store(settings)
    report = pipeline.ingest(store, settings, [inbox], jobs=1)
    assert report.ingested and not report.failures, report.failures
    issue_id, issue = report.ingested[0]
    return settings, store, issue_id, issue, inbox / "chunxi_p02.pdf"


def test_source_view_of_a_pdf_page_draws_the_article_boxes(pdf_issue):
    settings, store, issue_id, issue, _ = pdf_issue
    number = issue.pages[0].number
    assert number == 2  # numbered by the printed 第02版
    client = create_app(settings, store).test_client()
    html = client.get(f"/issue/{issue_id}/page/{number}/source").get_data(as_text=True)
    assert '<svg class="pdfpage"' in html and 'href="data:image/png;base64,' in html
    labels = re.findall(r"<text class=\"lab a\d\"[^>]*>(A\d+)</text>", html)
    n_articles = html.count("<section class=\"card seg a")  # one card per article of the split
    assert n_articles >= 4 and sorted(set(labels), key=lambda s: int(s[1:])) == [f"A{i}" for i in range(1, n_articles + 1)]
    assert html.count('class="furn"') >= 3  # masthead, footer, the 简讯 label
    assert F.LEAD_HEAD in html  # the split beside it comes from the PDF's own layout


def test_source_view_falls_back_to_the_stored_text_when_the_pdf_is_gone(pdf_issue, tmp_path):
    settings, store, issue_id, issue, path = pdf_issue
    moved = tmp_path / "moved.pdf"
    path.rename(moved)
    try:
        html = create_app(settings, store).test_client().get(
            f"/issue/{issue_id}/page/{issue.pages[0].number}/source").get_data(as_text=True)
    finally:
        moved.rename(path)
    assert "<svg class=\"pdfpage\"" not in html and "溪口镇" in html

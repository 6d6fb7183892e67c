"""The five real pages end to end: ingest, summaries a reader can trust, a digest e-mail."""
from __future__ import annotations

import email
import email.policy
import re

import pytest

from digest import pipeline
from digest.summarizing.cohesion import opener

from .conftest import SEEDS, needs_shared

pytestmark = needs_shared

FINAL = "。！？!?…"
CLOSE = "”’」』）)》"
DEBRIS = re.compile(r"#|\*\*|[□■▶┌₩]|扫码|二维码|[上下]接\d+版|[上下]转\d+版")
LEDE = re.compile(r"(本报讯|本报\S{1,8}讯|新华社\S{0,12}电)\s*(（[^）]*）)?\s*$")
BYLINE = re.compile(r"^(本报讯|本报\S{1,6}讯|（?记者|通讯员|□|■)|记者\s*\S+\s*(通讯员|报道)")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    from digest.config import load_settings

    home = tmp_path_factory.mktemp("seeds")
    settings = load_settings({"home": str(home)}, env={})
    store = pipeline.open_store(settings)
    report = pipeline.ingest(store, settings, [str(SEEDS)], jobs=2)
    assert report.failures == [], report.failures
    return settings, store, report


def _whole_sentence(sentence: str, body: str) -> bool:
    """Ends a sentence, and starts one (at a paragraph start or right after a sentence end)."""
    s = sentence.rstrip()
    while s and s[-1] in CLOSE:
        s = s[:-1]
    if not s or s[-1] not in FINAL + "；;":
        return False
    for para in body.split("\n"):
        i = para.find(sentence)
        while i != -1:
            before = para[:i].rstrip()
            if not before or before[-1] in FINAL + CLOSE + "；;：:" or LEDE.search(before):
                return True
            i = para.find(sentence, i + 1)
    return False


def test_every_seed_summary_is_clean(seeded):
    settings, store, report = seeded
    assert len(report.ingested) == 5
    articles = [a for issue_id, _ in report.ingested for a in store.issue_articles(issue_id)]
    assert len(articles) >= 38
    problems = []
    for a in articles:
        sents = a.summary.sentences
        name = f"{a.article.source.rsplit('/', 1)[-1]} #{a.article.position} {a.article.display_title}"
        if not sents and a.article.kind not in ("notice", "photo_caption"):
            problems.append(f"{name}: no summary")
        if len(set(sents)) != len(sents):
            problems.append(f"{name}: duplicated sentence")
        if sents and not a.summary.short:
            problems.append(f"{name}: no one-line summary")
        if a.summary.short and len(a.summary.short) > 60 and any(len(x) <= 60 and opener(x) is None for x in sents):
            problems.append(f"{name}: one-line summary over budget though a shorter one that stands alone exists")
        for s in sents + ((a.summary.short,) if a.summary.short else ()):
            if not _whole_sentence(s, a.article.body):
                problems.append(f"{name}: fragment {s!r}")
            if BYLINE.search(s[:12]):
                problems.append(f"{name}: byline {s!r}")
            if DEBRIS.search(s):
                problems.append(f"{name}: debris {s!r}")
        order = [a.article.body.find(s) for s in sents]
        if order != sorted(order):
            problems.append(f"{name}: not in reading order")
        if not a.summary.keywords:
            problems.append(f"{name}: no keywords")
    assert not problems, "\n".join(problems)


def test_seed_digest_email(seeded):
    settings, store, report = seeded
    lo, hi = store.date_bounds()
    result = pipeline.build(store, settings, lo, hi)
    d = result.digest
    assert len(d.front_page) == settings.front_page_size
    assert all(item.article.title and item.summary.sentences for item in d.front_page)
    with open(result.paths["eml"], "rb") as fh:
        msg = email.message_from_binary_file(fh, policy=email.policy.default)
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for item in d.front_page:
        assert item.summary.sentences[0][:20] in text.replace("\n", "").replace(" ", "") or \
            item.summary.sentences[0][:10] in html
    assert len(html.encode()) < 102 * 1024

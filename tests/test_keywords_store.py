"""The seeds' digest: no tag is among the 50 most frequent words of the store (they say nothing)."""
from __future__ import annotations

from collections import Counter

import pytest

from digest import nlp, pipeline, textrank

from .conftest import SEEDS, needs_shared

pytestmark = [needs_shared, pytest.mark.slow]


def frequent_words(bodies, n=50):
    """The n most frequent words (two characters or more, Chinese, not stop words) of the bodies."""
    counts = Counter(w for body in bodies for w, _ in nlp.pos_tag(body)
                     if len(w) >= 2 and "\u4e00" <= w[0] <= "\u9fff" and w not in textrank.STOP_WORDS)
    return {w for w, _ in counts.most_common(n)}


def test_seed_digest_tags_are_not_the_stores_common_words(tmp_path):
    from digest.config import load_settings

    settings = load_settings({"home": str(tmp_path)}, env={})
    store = pipeline.open_store(settings)
    report = pipeline.ingest(store, settings, [str(SEEDS)], jobs=1)
    assert report.failures == [], report.failures
    articles = [a for issue_id, _ in report.ingested for a in store.issue_articles(issue_id)]
    common = frequent_words(a.article.body for a in articles)
    assert {"聊城", "发展", "建设"} <= common  # the sense of the check: these are what every article says
    lo, hi = store.date_bounds()
    d = pipeline.build(store, settings, lo, hi).digest
    items = list(d.front_page) + [i for s in d.sections for i in s.items]
    tags = {t: i.article.display_title for i in items for t in i.summary.keywords}
    assert len(items) >= 30 and len(tags) >= 100
    bad = {t: title for t, title in tags.items() if t in common}
    assert not bad, "\n".join(f"{t}: {title[:30]}" for t, title in bad.items()) + "\ncommon: " + " ".join(sorted(common))

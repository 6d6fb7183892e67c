"""`digest summarize --json` over the repo's own held-out page sets (tests/fixtures/pages*): no
summary defect. These 73 pages were written by testers apart from the summariser's development,
so they check it on shapes it was not tuned on (the seeds and styles check is in
test_defects_corpus.py)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.eval import defects

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted(p for d in sorted(FIXTURES.glob("pages*")) if d.is_dir() for p in d.iterdir() if p.is_file())

pytestmark = pytest.mark.slow


def test_no_defect_over_the_held_out_page_sets(tmp_path):
    assert len(PAGES) >= 49
    runner = CliRunner()
    found, summarised = [], 0
    for page in PAGES:
        res = runner.invoke(cli, ["--home", str(tmp_path), "summarize", str(page), "--json"], catch_exceptions=False)
        assert res.exit_code == 0, (page, res.output)
        data = json.loads(res.output)
        for i, art in enumerate(data["articles"]):
            summarised += bool(art["summary"])
            found += defects.check_article(art, f"{page.parent.name}/{page.name}", i)
    assert summarised >= 150
    assert found == [], "\n".join(map(str, found))

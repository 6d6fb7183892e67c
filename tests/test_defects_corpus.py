"""`digest summarize --json` over the seeds and the styles corpus: no summary defect at all.

The checker reads the same JSON a user gets from the command, so this covers the reader and the
summariser together (a byline or cross-head left in a body by the reader would show up here too).
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.eval import defects

from .conftest import SHARED

STYLES = SHARED / "corpus" / "styles"
PAGES = sorted((SHARED / "corpus" / "seeds").glob("*.txt")) + sorted(STYLES.glob("*.txt"))

pytestmark = [pytest.mark.shared, pytest.mark.slow,
              pytest.mark.skipif(not STYLES.is_dir(), reason="../shared corpus not present (a user's clone); runs in CI")]


@pytest.fixture(scope="module")
def summaries(tmp_path_factory):
    home = tmp_path_factory.mktemp("defects")
    runner = CliRunner()
    out = {}
    for page in PAGES:
        res = runner.invoke(cli, ["--home", str(home), "summarize", str(page), "--json"], catch_exceptions=False)
        assert res.exit_code == 0, res.output
        out[page.name] = json.loads(res.output)
    return out


def test_pages_were_summarised(summaries):
    assert len(summaries) == 15
    assert sum(len(a["summary"]) > 0 for s in summaries.values() for a in s["articles"]) >= 60


def test_no_defect_over_seeds_and_styles(summaries):
    found = [d for name, data in summaries.items()
             for i, art in enumerate(data["articles"]) for d in defects.check_article(art, name, i)]
    assert found == [], "\n".join(map(str, found))

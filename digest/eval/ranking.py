"""How far the digest's ranking agrees with the paper's own order of its stories.

    python -m digest.eval.ranking PAGES_DIR [PAGES_DIR ...] [--json]

Each page file is read, segmented and summarised as at ingest (digest.pipeline.process_issue),
as page 1 of its own issue. Its stories are then scored by digest.rank twice: by content alone
(kind, substance, keyword centrality: the ranking before the paper's order was a signal) and by
the full score (content and the printed order, digest.rank.score_articles). Per page it reports

* Kendall's tau-b between each ranking and the printed order (story 1 of the page first), from
  -1 (reversed) through 0 (unrelated) to 1 (the same order);
* whether the top-ranked story is the page's lead (its first story that is not a photo caption).

Figures are means over the pages that have at least two stories. Kendall's tau: M. G. Kendall,
"The treatment of ties in ranking problems", Biometrika 33 (1945); computed by scipy.stats.kendalltau.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

DAY = dt.date(2025, 1, 1)


def page_items(path: Path, issue_id: int):
    """The stored-article view of one page file (page 1 of issue `issue_id`), in printed order."""
    from ..ingest import read_page
    from ..models import Issue, StoredArticle
    from ..pipeline import process_issue

    page = read_page(path, 1, 64 * 1024 * 1024)
    items, _failures = process_issue(Issue("eval", DAY, "option", (page,), page.sha256))
    return [StoredArticle(id=issue_id * 1000 + n, issue_id=issue_id, publication="eval", issue_date=DAY,
                          article=art, summary=summary, content_hash=h, minhash=sig)
            for n, (art, summary, h, sig) in enumerate(items)]


def lead_index(items) -> int:
    """Index of the page's lead: its first story that is not a photo caption (else the first)."""
    return next((i for i, s in enumerate(items) if s.article.kind != "photo_caption"), 0)


def agreement(items) -> dict:
    """Kendall's tau-b of the content-only and the full ranking against the printed order, and lead hits."""
    import numpy as np
    from scipy.stats import kendalltau

    from ..rank import content_scores, score_articles

    printed = np.arange(len(items))
    out = {"stories": len(items)}
    for name, scores in (("content", content_scores(items, DAY)), ("combined", score_articles(items, DAY))):
        tau = kendalltau(printed, -scores).statistic if len(items) > 1 else float("nan")
        if np.isnan(tau) and len(items) > 1:
            tau = 0.0  # every story scored the same: no agreement with any order
        out[name] = {"tau": None if np.isnan(tau) else round(float(tau), 3),
                     "lead_first": int(np.argmax(scores)) == lead_index(items)}
    return out


def evaluate(dirs: list[Path]) -> dict:
    """{"pages": {name: agreement}, "corpora": {dir: means}}; see the module docstring."""
    from .. import nlp

    nlp.init()
    pages, corpora = {}, {}
    issue_id = 0
    for folder in dirs:
        rows = []
        for path in sorted(p for p in folder.iterdir() if p.suffix == ".txt"):
            issue_id += 1
            row = agreement(page_items(path, issue_id))
            pages[f"{folder.name}/{path.name}"] = row
            if row["stories"] > 1:
                rows.append(row)
        corpora[str(folder)] = {
            "pages": len(rows),
            **{f"{name}_{key}": round(sum(r[name][key] for r in rows) / len(rows), 3) if rows else None
               for name in ("content", "combined") for key in ("tau", "lead_first")},
        }
    return {"pages": pages, "corpora": corpora}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="+", type=Path, help="folders of page text files")
    ap.add_argument("--json", action="store_true", help="print JSON")
    args = ap.parse_args(argv)
    missing = [d for d in args.dirs if not d.is_dir()]
    if missing:
        print(f"error: not a folder: {missing[0]}", file=sys.stderr)
        return 2
    result = evaluate(args.dirs)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    for name, row in result["pages"].items():
        c, b = row["content"], row["combined"]
        print(f"{name:50} {row['stories']:3} stories  tau content {c['tau']!s:>6} combined {b['tau']!s:>6}  "
              f"lead first {'yes' if c['lead_first'] else 'no':>3} -> {'yes' if b['lead_first'] else 'no'}")
    for folder, m in result["corpora"].items():
        print(f"{folder}: {m['pages']} pages; Kendall tau with the printed order: content only {m['content_tau']}, "
              f"combined {m['combined_tau']}; lead story ranked first: {m['content_lead_first']:.0%} -> "
              f"{m['combined_lead_first']:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

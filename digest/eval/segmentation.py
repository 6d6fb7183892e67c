"""Score the segmenter against a hand annotation (seeds_gold.json format).

    python -m digest.eval.segmentation GOLD_JSON PAGES_DIR [--json]

Matching: every predicted article and every expected gold article is reduced to a key (Chinese
characters, digits, Latin letters; whitespace, punctuation and width ignored). A pair's overlap is
the multiset intersection of their character bigrams; a pair matches when the overlap covers at
least half of the gold body AND half of the predicted body. Pairs are taken greedily, best
overlap (F-score) first, one-to-one, within a file.

Counting rules:
* gold blocks with ``duplicate_of`` set are not expected (the segmenter should drop or flag them);
  predicted articles with ``duplicate_of`` set are ignored; an unflagged predicted copy is a false
  positive because nothing is left for it to match.
* body-less headline blocks (``body_in_file`` false) are not expected, and predicted articles
  without paragraphs are ignored.
* title accuracy: over matched gold articles that have a title; equal after removing whitespace
  and folding punctuation width/quote style (" | " part separators count).
* byline accuracy: over all matched gold articles; names compared as a sequence (null == none).
* kind and dateline accuracy (informative): over all matched gold articles.
"""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from ..reading.repair import key
from ..reading import segment_page

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"'})


def _bigrams(text: str) -> Counter:
    k = key(text)
    return Counter(k[i:i + 2] for i in range(len(k) - 1)) if len(k) > 1 else Counter(k)


def norm_title(t: str | None) -> str:
    if not t:
        return ""
    t = unicodedata.normalize("NFKC", t).translate(_QUOTES)
    return "".join(t.split()).replace("#", "")


def gold_bodies(lines: list[str], art: dict, skip: set[int]) -> str:
    lo, hi = art["first_line_no"], art["last_line_no"]
    own = set(art.get("title_line_nos") or []) | set(art.get("extra_line_nos") or [])
    return "\n".join(lines[i - 1] for i in range(lo, hi + 1) if i not in skip and i not in own)


def _match(golds: list[tuple[int, Counter]], preds: list[tuple[int, Counter]]) -> list[tuple[int, int]]:
    cands = []
    for gi, g in golds:
        gn = sum(g.values()) or 1
        for pi, p in preds:
            ov = sum((g & p).values())
            pn = sum(p.values()) or 1
            r, pr = ov / gn, ov / pn
            if r >= 0.5 and pr >= 0.5:
                cands.append((2 * r * pr / (r + pr), gi, pi))
    used_g, used_p, pairs = set(), set(), []
    for _, gi, pi in sorted(cands, reverse=True):
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    return pairs


def evaluate(gold_path, pages_dir) -> dict:
    gold = json.loads(Path(gold_path).read_text(encoding="utf-8"))
    tp = n_gold = n_pred = 0
    t_ok = t_n = b_ok = b_n = k_ok = d_ok = 0
    mismatches: list[dict] = []
    files = {}
    for name, g in sorted(gold.items()):
        path = Path(pages_dir) / name
        if not path.exists():
            mismatches.append({"file": name, "problem": "page file missing"})
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        parse = segment_page(text, source=name)
        skip = set(g.get("page_furniture_line_nos") or [])
        expected = [a for a in g["articles"] if a.get("body_in_file", True) and a["first_line_no"]
                    and a.get("duplicate_of") is None]
        preds = [a for a in parse.articles if a.duplicate_of is None and a.paragraphs]
        gb = [(i, _bigrams(gold_bodies(lines, a, skip))) for i, a in enumerate(expected)]
        pb = [(i, _bigrams(a.body)) for i, a in enumerate(preds)]
        pairs = _match(gb, pb)
        tp += len(pairs)
        n_gold += len(expected)
        n_pred += len(preds)
        got = {gi for gi, _ in pairs}
        hit = {pi for _, pi in pairs}
        for gi, a in enumerate(expected):
            if gi not in got:
                mismatches.append({"file": name, "problem": "missed", "gold_index": a["index"],
                                   "title": a["title"], "first_line": (a["first_line"] or "")[:40]})
        for pi, a in enumerate(preds):
            if pi not in hit:
                mismatches.append({"file": name, "problem": "extra", "position": a.position,
                                   "title": a.title, "first_line": a.paragraphs[0][:40]})
        for gi, pi in pairs:
            ga, pa = expected[gi], preds[pi]
            if ga["title"]:
                t_n += 1
                if norm_title(ga["title"]) == norm_title(pa.title):
                    t_ok += 1
                else:
                    mismatches.append({"file": name, "problem": "title", "gold_index": ga["index"],
                                       "gold": ga["title"], "got": pa.title})
            k_ok += ga["kind"] == pa.kind
            d_ok += norm_title(ga.get("dateline")) == norm_title(pa.dateline)
            if ga["kind"] != pa.kind or norm_title(ga.get("dateline")) != norm_title(pa.dateline):
                mismatches.append({"file": name, "problem": "kind/dateline", "gold_index": ga["index"],
                                   "gold": (ga["kind"], ga.get("dateline")), "got": (pa.kind, pa.dateline)})
            b_n += 1
            if (ga["byline"] or "").split() == (pa.byline or "").split():
                b_ok += 1
            else:
                mismatches.append({"file": name, "problem": "byline", "gold_index": ga["index"],
                                   "gold": ga["byline"], "got": pa.byline})
        files[name] = {"expected": len(expected), "predicted": len(preds), "matched": len(pairs)}
    recall = tp / n_gold if n_gold else 0.0
    precision = tp / n_pred if n_pred else 0.0
    f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
    return {"recall": recall, "precision": precision, "f1": f1,
            "title_accuracy": t_ok / t_n if t_n else 0.0, "byline_accuracy": b_ok / b_n if b_n else 0.0,
            "kind_accuracy": k_ok / b_n if b_n else 0.0, "dateline_accuracy": d_ok / b_n if b_n else 0.0,
            "gold_articles": n_gold, "predicted_articles": n_pred, "matched": tp,
            "titles_checked": t_n, "bylines_checked": b_n, "files": files, "mismatches": mismatches}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m digest.eval.segmentation", description=__doc__.split("\n")[0])
    ap.add_argument("gold_json")
    ap.add_argument("pages_dir")
    ap.add_argument("--json", action="store_true", help="print the full result as JSON")
    args = ap.parse_args(argv)
    res = evaluate(args.gold_json, args.pages_dir)
    if args.json:
        print(json.dumps(res, ensure_ascii=False, indent=2))
        return 0
    print(f"articles: gold {res['gold_articles']}  predicted {res['predicted_articles']}  matched {res['matched']}")
    print(f"recall {res['recall']:.3f}  precision {res['precision']:.3f}  F1 {res['f1']:.3f}")
    print(f"title accuracy {res['title_accuracy']:.3f} (n={res['titles_checked']})  "
          f"byline accuracy {res['byline_accuracy']:.3f} (n={res['bylines_checked']})")
    print(f"kind accuracy {res['kind_accuracy']:.3f}  dateline accuracy {res['dateline_accuracy']:.3f}")
    for m in res["mismatches"]:
        print("  - " + "  ".join(f"{k}={v}" for k, v in m.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
